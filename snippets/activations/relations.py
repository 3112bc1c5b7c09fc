"""几条恒等式与极限：tanh 与 sigmoid、softplus 的导数、SiLU、softplus 的 beta 与 threshold。"""

import math

import torch
from torch.nn import functional as F

torch.set_default_dtype(torch.float64)
x = (torch.arange(-12_000, 12_001) / 1000).requires_grad_()  # [-12, 12]，含 x = 0
xd = x.detach()


def same(a: torch.Tensor, b: torch.Tensor) -> bool:
    return torch.allclose(a, b, rtol=1e-14, atol=1e-15)


# tanh(x) = 2 sigmoid(2x) - 1
tanh_ok = same(torch.tanh(xd), 2 * torch.sigmoid(2 * xd) - 1)
assert tanh_ok
print("tanh(x) == 2*sigmoid(2x) - 1:", tanh_ok)

# softplus 的导数就是 sigmoid
(softplus_grad,) = torch.autograd.grad(F.softplus(x).sum(), x)
softplus_ok = same(softplus_grad, torch.sigmoid(xd))
assert softplus_ok
print("d/dx softplus(x) == sigmoid(x):", softplus_ok)

# SiLU(x) = x * sigmoid(x)；swish 多一个参数 beta：x * sigmoid(beta x)，beta = 1 时就是 SiLU
silu_ok = same(F.silu(xd), xd * torch.sigmoid(xd))
assert silu_ok
print("SiLU(x) == x*sigmoid(x):", silu_ok)

# softplus_beta(x) = ln(1 + exp(beta x)) / beta 随 beta 增大逼近 ReLU；
# 两者之差在 x = 0 处最大，等于 ln(2)/beta
for beta in (1, 2, 5, 10, 100):
    gap = (F.softplus(xd, beta=beta) - F.relu(xd)).max().item()
    assert math.isclose(gap, math.log(2) / beta, rel_tol=1e-12)
    print(f"beta = {beta:>3}: max |softplus - ReLU| = {gap:.4f} = ln(2)/{beta}")

# threshold：beta*x 超过它时 torch 不再算公式，直接返回 x（防止 exp 溢出）
for beta, x_above in [(1.0, 20.001), (2.0, 10.001)]:
    assert F.softplus(torch.tensor(x_above), beta=beta).item() == x_above  # beta*x > 20
# 默认 threshold = 20 时，切换处公式值与 x 只差 ln(1 + e^-20)，比 float32 在 20 附近的间距还小
jump = math.log1p(math.exp(-20.0))
spacing = torch.finfo(torch.float32).eps * 16  # [16, 32) 内相邻 float32 的间距
assert jump < spacing
print(f"threshold = 20：切换处的跳变 {jump:.2e}，float32 在 20 附近的间距 {spacing:.2e}")
# threshold 设得太小，就会造出一个肉眼可见的间断
left = F.softplus(torch.tensor(0.999), threshold=1.0).item()
right = F.softplus(torch.tensor(1.001), threshold=1.0).item()
assert right == 1.001 and math.isclose(left, math.log1p(math.exp(0.999)), rel_tol=1e-12)
print(f"threshold = 1：softplus(0.999) = {left:.4f}，softplus(1.001) = {right:.4f}")
