"""练习 1：把 256 → 256 的 3×3 标准卷积换成深度可分离卷积（都不带偏置），参数量各是多少？"""

from fractions import Fraction

from torch import nn


def parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


standard = nn.Conv2d(256, 256, 3, padding=1, bias=False)
separable = nn.Sequential(
    nn.Conv2d(256, 256, 3, padding=1, groups=256, bias=False),  # 深度卷积：groups = C_in
    nn.Conv2d(256, 256, 1, bias=False),  # 逐点卷积
)
ratio = Fraction(parameters(separable), parameters(standard))
assert ratio == Fraction(1, 256) + Fraction(1, 9)  # 1/C_out + 1/K²
print(f"标准卷积参数 {parameters(standard):,}")
print(f"深度可分离卷积参数 {parameters(separable):,}")
print(f"比值 {ratio} ≈ {float(ratio):.4f}")
