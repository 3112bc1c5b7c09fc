"""GELU：x 乘以标准正态分布的累积分布函数 Φ(x)；精确的 erf 形式与 tanh 近似差多少。"""

import math

import torch
from torch import nn

torch.set_default_dtype(torch.float64)
x = (torch.arange(-8 * 256, 8 * 256 + 1) / 256).requires_grad_()  # [-8, 8]，步长 1/256
xd = x.detach()


def same(a: torch.Tensor, b: torch.Tensor) -> bool:
    return torch.allclose(a, b, rtol=0, atol=1e-12)


def normal_cdf(t: torch.Tensor) -> torch.Tensor:
    return 0.5 * (1 + torch.erf(t / math.sqrt(2)))  # Φ(t)


def normal_pdf(t: torch.Tensor) -> torch.Tensor:
    return torch.exp(-(t**2) / 2) / math.sqrt(2 * math.pi)  # φ(t) = Φ'(t)


exact = xd * normal_cdf(xd)
tanh_form = 0.5 * xd * (1 + torch.tanh(math.sqrt(2 / math.pi) * (xd + 0.044715 * xd**3)))
checks = {
    "nn.GELU() == x·Φ(x)": same(nn.GELU()(xd), exact),
    'nn.GELU(approximate="tanh") == tanh 近似式': same(nn.GELU(approximate="tanh")(xd), tanh_form),
}
# 导数：d/dx [x Φ(x)] = Φ(x) + x φ(x)
(slope,) = torch.autograd.grad(nn.GELU()(x).sum(), x)
checks["GELU 的导数 == Φ(x) + x·φ(x)"] = same(slope, normal_cdf(xd) + xd * normal_pdf(xd))
for claim, holds in checks.items():
    assert holds, claim
    print(f"{claim}: {holds}")

gap = (exact - tanh_form).abs()  # 偶函数：x 与 -x 处的差相同
print(f"tanh 近似与精确式的最大差: {gap.max().item():.2e}，在 x = ±{xd[gap.argmax()].abs():.2f} 处")
sigmoid_form = xd * torch.sigmoid(1.702 * xd)  # 更粗的近似 x·σ(1.702x)
print(f"x·σ(1.702x) 与精确式的最大差: {(exact - sigmoid_form).abs().max().item():.2e}")

lowest = exact.argmin()
print(f"最小值 {exact[lowest].item():.4f}，在 x = {xd[lowest].item():.2f} 处取到")
assert exact[lowest] < 0 and (exact[xd > 0] > 0).all()  # 负半轴先降后升，不单调
