"""14 个激活函数：按公式实现前向与导数，逐点核对 torch.nn 的输出与 autograd 的梯度。"""

import math

import torch
from torch import nn

torch.set_default_dtype(torch.float64)  # 双精度核对，容差可以取到 1e-12

# --8<-- [start:formulas]
LEAK, ALPHA = 0.01, 1.0  # torch 的默认值：LeakyReLU 的负半轴斜率、ELU 的 α
SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805  # SELU 的 α、λ（见 selu.py）


def sigmoid(x):
    return 1 / (1 + torch.exp(-x))


def tanh(x):
    return 1 - 2 / (torch.exp(2 * x) + 1)  # 与 (e^x - e^-x) / (e^x + e^-x) 相等，且不会溢出


def relu6(x):
    return torch.clamp(x, 0.0, 6.0)


def normal_cdf(x):
    return 0.5 * (1 + torch.erf(x / math.sqrt(2)))  # Φ(x)


def softplus(x):
    return torch.log(1 + torch.exp(x))


def step(condition):
    return condition.to(torch.get_default_dtype())  # True -> 1.0，False -> 0.0


# 名字 -> (torch.nn 模块, 公式 f(x), 导数 f'(x))；导数在不可导点上按 torch 的取法写
ACTIVATIONS = {
    "sigmoid": (nn.Sigmoid(), sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x))),
    "tanh": (nn.Tanh(), tanh, lambda x: 1 - tanh(x) ** 2),
    "ReLU": (nn.ReLU(), lambda x: torch.where(x > 0, x, 0.0), lambda x: step(x > 0)),
    "ReLU6": (nn.ReLU6(), relu6, lambda x: step((x > 0) & (x < 6))),
    "LeakyReLU": (
        nn.LeakyReLU(),
        lambda x: torch.where(x > 0, x, LEAK * x),
        lambda x: torch.where(x > 0, 1.0, LEAK),
    ),
    "ELU": (
        nn.ELU(),
        lambda x: torch.where(x > 0, x, ALPHA * (torch.exp(x) - 1)),
        lambda x: torch.where(x > 0, 1.0, ALPHA * torch.exp(x)),
    ),
    "SELU": (
        nn.SELU(),
        lambda x: SELU_SCALE * torch.where(x > 0, x, SELU_ALPHA * (torch.exp(x) - 1)),
        lambda x: SELU_SCALE * torch.where(x > 0, 1.0, SELU_ALPHA * torch.exp(x)),
    ),
    "softplus": (nn.Softplus(), softplus, sigmoid),
    "softsign": (nn.Softsign(), lambda x: x / (1 + x.abs()), lambda x: 1 / (1 + x.abs()) ** 2),
    "SiLU": (
        nn.SiLU(),
        lambda x: x * sigmoid(x),
        lambda x: sigmoid(x) * (1 + x * (1 - sigmoid(x))),
    ),
    "GELU": (
        nn.GELU(),
        lambda x: x * normal_cdf(x),
        lambda x: normal_cdf(x) + x * torch.exp(-(x**2) / 2) / math.sqrt(2 * math.pi),
    ),
    "Mish": (
        nn.Mish(),
        lambda x: x * torch.tanh(softplus(x)),
        lambda x: torch.tanh(softplus(x)) + x * (1 - torch.tanh(softplus(x)) ** 2) * sigmoid(x),
    ),
    "hardsigmoid": (
        nn.Hardsigmoid(),
        lambda x: relu6(x + 3) / 6,
        lambda x: step((x > -3) & (x < 3)) / 6,
    ),
    "hardswish": (
        nn.Hardswish(),
        lambda x: x * relu6(x + 3) / 6,
        lambda x: torch.where(x <= -3, 0.0, torch.where(x >= 3, 1.0, (2 * x + 3) / 6)),
    ),
}
# --8<-- [end:formulas]

# --8<-- [start:check]
# 步长 1/64 的网格在 float64 中是精确的二进制数，恰好落在所有不可导点 -3、0、3、6 上
x = (torch.arange(-10 * 64, 10 * 64 + 1) / 64).requires_grad_()
assert torch.isin(torch.tensor([-3.0, 0.0, 3.0, 6.0]), x.detach()).all()
for name, (module, formula, derivative) in ACTIVATIONS.items():
    y = module(x)
    (autograd,) = torch.autograd.grad(y.sum(), x)
    forward_ok = torch.allclose(formula(x.detach()), y.detach(), rtol=0, atol=1e-12)
    # 容差 1e-8：即使在 float64 下，nn.Hardsigmoid 的反向也用单精度的 1/6（0.16666667）
    grad_ok = torch.allclose(derivative(x.detach()), autograd, rtol=0, atol=1e-8)
    assert forward_ok and grad_ok, name
    print(
        f"{name:<12} 前向 == {type(module).__name__:<12} {forward_ok}   导数 == autograd {grad_ok}"
    )
# --8<-- [end:check]
