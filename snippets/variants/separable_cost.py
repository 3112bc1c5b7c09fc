"""深度可分离卷积的参数量与乘加次数之比 = 1/C_out + 1/K²（不含偏置时精确成立）。"""

from fractions import Fraction

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


def parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def macs(module: nn.Module, x: torch.Tensor) -> int:
    with FlopCounterMode(display=False) as counter:
        module(x)
    return counter.get_total_flops() // 2  # PyTorch 按 1 次乘加 = 2 FLOPs 计数


def standard_and_separable(c_in: int, c_out: int, k: int, bias: bool) -> tuple[nn.Module, ...]:
    # 建在 meta 设备上：只有形状，不分配内存，也不真的计算
    standard = nn.Conv2d(c_in, c_out, k, padding=k // 2, bias=bias, device="meta")
    separable = nn.Sequential(
        nn.Conv2d(c_in, c_in, k, padding=k // 2, groups=c_in, bias=bias, device="meta"),
        nn.Conv2d(c_in, c_out, 1, bias=bias, device="meta"),
    )
    return standard, separable


print("标准卷积 → 深度可分离卷积（都不含偏置）：")
for c_in, c_out, k, size in [
    (32, 64, 3, 112),
    (128, 128, 3, 56),
    (512, 512, 3, 14),
    (96, 24, 5, 28),
    (960, 160, 7, 7),
]:
    standard, separable = standard_and_separable(c_in, c_out, k, bias=False)
    x = torch.empty(1, c_in, size, size, device="meta")
    param_ratio = Fraction(parameters(separable), parameters(standard))
    mac_ratio = Fraction(macs(separable, x), macs(standard, x))
    formula = Fraction(1, c_out) + Fraction(1, k * k)
    assert param_ratio == mac_ratio == formula  # 分数精确相等，不是近似
    print(
        f"C_in={c_in}, C_out={c_out}, K={k}, {size}×{size}：比值 {formula} ≈ {float(formula):.4f}"
    )
    print(
        f"    {c_in}→{c_out} 参数 {parameters(standard):,} → {parameters(separable):,}，"
        f"乘加 {macs(standard, x):,} → {macs(separable, x):,}"
    )

# 带偏置时：标准卷积多 C_out 个参数，可分离卷积多 C_in + C_out 个，比值不再等于 1/C_out + 1/K²
standard, separable = standard_and_separable(128, 128, 3, bias=True)
with_bias = Fraction(parameters(separable), parameters(standard))
formula = Fraction(1, 128) + Fraction(1, 9)
assert with_bias != formula
print(
    f"带偏置时的比值 {float(with_bias):.4f} = {parameters(separable):,} / {parameters(standard):,}"
    f"（128→128, 3×3），公式给出 {float(formula):.4f}"
)
