"""第 6 章练习的数值答案：每一个都由下面的代码算出并核对。"""

import math

import torch
from torch.nn import functional as F

torch.set_default_dtype(torch.float64)


def derivative(function, point: float) -> float:
    x = torch.tensor(point, requires_grad=True)
    (grad,) = torch.autograd.grad(function(x), x)
    return grad.item()


# 练习 1：tanh'(x) = 4σ'(2x)，x = 1 处
tanh_slope = derivative(torch.tanh, 1.0)
assert math.isclose(tanh_slope, 4 * derivative(torch.sigmoid, 2.0), rel_tol=1e-12)
print(f"练习 1: tanh'(1) = 4σ'(2) = {tanh_slope:.4f}")

# 练习 2：z ~ N(0, 1) 时 ReLU(z) 的均值 1/√(2π) 与方差 1/2 − 1/(2π)
mean = 1 / math.sqrt(2 * math.pi)
variance = 0.5 - 1 / (2 * math.pi)
z = torch.linspace(-12, 12, 240_001)
density = torch.exp(-(z**2) / 2) / math.sqrt(2 * math.pi)
relu = F.relu(z)
assert math.isclose(torch.trapezoid(relu * density, z).item(), mean, rel_tol=1e-9)
assert math.isclose(torch.trapezoid((relu - mean) ** 2 * density, z).item(), variance, rel_tol=1e-9)
print(f"练习 2: ReLU(z) 的均值 {mean:.4f}，方差 {variance:.4f}")

# 练习 3：SiLU 的最小值点满足 1 + x(1 − σ(x)) = 0，此时 SiLU(x) = x + 1；用二分法求根
low, high = -2.0, -1.0
for _ in range(60):
    middle = (low + high) / 2
    slope = 1 + middle * (1 - 1 / (1 + math.exp(-middle)))
    low, high = (middle, high) if slope < 0 else (low, middle)
x_min = (low + high) / 2
silu_min = F.silu(torch.tensor(x_min)).item()
assert math.isclose(silu_min, x_min + 1, abs_tol=1e-12)
print(f"练习 3: SiLU 在 x = {x_min:.4f} 处取最小值 {silu_min:.4f}（= x + 1）")

# 练习 4：查找表在 [−8, 8] 上，要使误差界不超过 1/512，至少要多少项
step_nearest = 8 / 512  # 最近项：h/8 ≤ 1/512
step_linear = math.sqrt(48 * math.sqrt(3) / 512)  # 线性插值：h²/(48√3) ≤ 1/512
entries_nearest = math.ceil(16 / step_nearest) + 1  # h = 16/(n − 1)
entries_linear = math.ceil(16 / step_linear) + 1
assert 16 / (entries_nearest - 1) / 8 <= 1 / 512 < 16 / (entries_nearest - 2) / 8
fine = torch.arange(-8 * 2**12, 8 * 2**12 + 1) / 2**12  # 实测：1025 项、取最近项
table = torch.sigmoid(torch.linspace(-8, 8, entries_nearest))
nearest = table[((fine + 8) / (16 / (entries_nearest - 1))).round().long()]
assert (nearest - torch.sigmoid(fine)).abs().max() <= 1 / 512
print(f"练习 4: 取最近项至少 {entries_nearest} 项，线性插值至少 {entries_linear} 项")

# 练习 5：斜率 0.2 的整数 leaky ReLU，右移 7 位时的分子与相对误差
numerator = round(0.2 * 2**7)
relative = abs(numerator / 2**7 - 0.2) / 0.2
print(f"练习 5: 0.2 ≈ {numerator}/128 = {numerator / 128}，相对误差 {relative:.4%}")

# 练习 6：GELU(x) − GELU(−x) = x
x = torch.linspace(-6, 6, 1201)
odd_part = torch.allclose(F.gelu(x) - F.gelu(-x), x, rtol=0, atol=1e-12)
assert odd_part
print("练习 6: GELU(x) − GELU(−x) == x:", odd_part)
