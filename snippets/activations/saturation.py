"""饱和：sigmoid 的导数不超过 1/4，tanh 的不超过 1；离 0 越远，导数越接近 0。"""

import torch

torch.set_default_dtype(torch.float64)


def derivative(function, x: torch.Tensor) -> torch.Tensor:
    x = x.clone().requires_grad_()
    (grad,) = torch.autograd.grad(function(x).sum(), x)
    return grad


grid = torch.arange(-10_000, 10_001) / 1000  # [-10, 10]，步长 0.001，含 x = 0
for name, function, bound in [("sigmoid", torch.sigmoid, 0.25), ("tanh", torch.tanh, 1.0)]:
    slope = derivative(function, grid)
    peak = slope.max().item()
    where = grid[slope.argmax()].item()
    assert abs(peak - bound) < 1e-12 and where == 0.0
    assert (slope <= bound).all()
    print(f"{name}: 导数最大值 {peak:g}，在 x = {where:g} 处取到")

points = torch.tensor([0.0, 1.0, 2.0, 5.0, 10.0])
slopes = derivative(torch.sigmoid, points)
print(
    "sigmoid 的导数:", "  ".join(f"x={x:g}: {d:.4g}" for x, d in zip(points, slopes, strict=True))
)

# 反向传播时每经过一层 sigmoid，梯度就乘上一个不超过 1/4 的因子
layers = 10
x = torch.tensor(0.0, requires_grad=True)
h = x
for _ in range(layers):
    h = torch.sigmoid(h)
h.backward()
assert 0 < x.grad.item() < 0.25**layers
bound = 0.25**layers
print(f"连续 {layers} 层 sigmoid 后的梯度: {x.grad.item():.3g}  <  (1/4)^{layers} = {bound:.3g}")
