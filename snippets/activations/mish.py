"""Mish：x·tanh(softplus(x))。与 SiLU、GELU 一样，是“x 乘一个从 0 升到 1 的门”。"""

import math

import torch
from torch import nn

torch.set_default_dtype(torch.float64)
x = (torch.arange(-8 * 256, 8 * 256 + 1) / 256).requires_grad_()  # [-8, 8]，步长 1/256
xd = x.detach()

gate = torch.tanh(torch.log1p(torch.exp(xd)))  # tanh(softplus(x))
(slope,) = torch.autograd.grad(nn.Mish()(x).sum(), x)
# 导数：记 sp = softplus(x)，sp' = σ(x)，则 Mish' = tanh(sp) + x·(1 − tanh²(sp))·σ(x)
checks = {
    "nn.Mish() == x·tanh(softplus(x))": torch.allclose(
        nn.Mish()(xd), xd * gate, rtol=0, atol=1e-12
    ),
    "Mish 的导数 == tanh(sp) + x·(1 − tanh²(sp))·σ(x)": torch.allclose(
        slope, gate + xd * (1 - gate**2) * torch.sigmoid(xd), rtol=0, atol=1e-12
    ),
}
for claim, holds in checks.items():
    assert holds, claim
    print(f"{claim}: {holds}")

# 三个“门”：SiLU 的 σ(x)、GELU 的 Φ(x)、Mish 的 tanh(softplus(x))，都从 0 单调升到 1
gates = {
    "SiLU": torch.sigmoid(xd),
    "GELU": 0.5 * (1 + torch.erf(xd / math.sqrt(2))),
    "Mish": gate,
}
print("函数  最小值    在 x =   门在 x = 0 处")
for name, g in gates.items():
    assert (g.diff() >= 0).all() and g[0] < 1e-3 and g[-1] > 1 - 1e-3
    y = xd * g
    lowest = y.argmin()
    print(f"{name:<5}{y[lowest].item():>8.4f}{xd[lowest].item():>9.2f}{g[xd == 0].item():>10.4f}")
