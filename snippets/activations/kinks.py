"""不可导点上 autograd 给出的是哪一侧的导数？逐个测出来。"""

import math

import torch
from torch import nn


def derivative_at(function, point: float) -> float:
    x = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(function(x), x)
    return grad.item()


def which_side(function, kink: float, eps: float = 2.0**-20) -> tuple[float, float, float, str]:
    """左、右导数（在 kink ∓ eps 处取值，近似单侧极限）、autograd 在 kink 处的值、它等于哪一侧。"""
    left, right = derivative_at(function, kink - eps), derivative_at(function, kink + eps)
    at_kink = derivative_at(function, kink)
    if math.isclose(left, right, abs_tol=1e-5):
        return left, right, at_kink, "两侧相等"
    sides = [
        name
        for name, value in (("左", left), ("右", right))
        if math.isclose(value, at_kink, abs_tol=1e-5)
    ]
    return left, right, at_kink, "".join(sides) or "都不是"


cases = [
    ("ReLU", nn.ReLU(), 0.0),
    ("ReLU6", nn.ReLU6(), 0.0),
    ("ReLU6", nn.ReLU6(), 6.0),
    ("LeakyReLU(0.01)", nn.LeakyReLU(), 0.0),
    ("ELU(alpha=1)", nn.ELU(), 0.0),
    ("ELU(alpha=2)", nn.ELU(alpha=2.0), 0.0),
    ("Hardsigmoid", nn.Hardsigmoid(), -3.0),
    ("Hardsigmoid", nn.Hardsigmoid(), 3.0),
    ("Hardswish", nn.Hardswish(), -3.0),
    ("Hardswish", nn.Hardswish(), 3.0),
    ("maximum(x, 0)", lambda x: torch.maximum(x, torch.zeros_like(x)), 0.0),
]
print("函数" + " " * 16 + "x    左导数    右导数  autograd  autograd 取的是")
results = {}
for name, function, kink in cases:
    left, right, at_kink, side = which_side(function, kink)
    results[(name, kink)] = side
    print(f"{name:<17}{kink:>4g}{left:>10.4g}{right:>10.4g}{at_kink:>10.4g}  {side}")

# 规律：条件写成 x > 0 的函数在 0 处取 x <= 0 那一段；截断类函数在端点取“平”的那一段
assert results[("ReLU", 0.0)] == results[("LeakyReLU(0.01)", 0.0)] == "左"
assert results[("ELU(alpha=2)", 0.0)] == "左" and results[("ELU(alpha=1)", 0.0)] == "两侧相等"
assert results[("ReLU6", 6.0)] == results[("Hardsigmoid", 3.0)] == results[("Hardswish", 3.0)]
assert results[("Hardswish", -3.0)] == "左" and results[("Hardswish", 3.0)] == "右"
assert results[("maximum(x, 0)", 0.0)] == "都不是"  # 平局时 torch.maximum 把梯度各分一半
