"""下采样：步长 2 的池化与步长 2 的卷积，参数量、形状，以及各自保留和丢掉了什么。"""

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)
x = torch.randn(1, 64, 56, 56)

# --8<-- [start:compare]
candidates = {
    "max pool 2x2 s2": nn.MaxPool2d(2, stride=2),
    "avg pool 2x2 s2": nn.AvgPool2d(2, stride=2),
    "conv 3x3 s2 p1": nn.Conv2d(64, 64, 3, stride=2, padding=1),
    "conv 3x3 s2 p1 ->128": nn.Conv2d(64, 128, 3, stride=2, padding=1),
    "conv 1x1 s2": nn.Conv2d(64, 64, 1, stride=2),
}
for name, layer in candidates.items():
    y = layer(x)
    params = sum(p.numel() for p in layer.parameters())
    print(f"{name:<21} {tuple(x.shape[1:])} -> {tuple(y.shape[1:])!s:<14} 参数 {params:>6,}")
    assert y.shape[2:] == (28, 28)
assert sum(p.numel() for p in candidates["conv 3x3 s2 p1"].parameters()) == 64 * 64 * 9 + 64
# --8<-- [end:compare]


# --8<-- [start:what_is_read]
def gradient_fraction(layer: nn.Module) -> float:
    """对全部输出之和求梯度：梯度非零的输入像素占多少。"""
    image = torch.rand(1, 64, 56, 56, requires_grad=True)
    layer(image).abs().sum().backward()
    return (image.grad != 0).float().mean().item()


for name in ["max pool 2x2 s2", "avg pool 2x2 s2", "conv 3x3 s2 p1", "conv 1x1 s2"]:
    print(f"{name:<16} 梯度非零的输入: {gradient_fraction(candidates[name]):.0%}")
assert gradient_fraction(candidates["conv 1x1 s2"]) == 0.25  # 只读偶数行、偶数列
assert gradient_fraction(candidates["max pool 2x2 s2"]) == 0.25  # 每个窗口只有最大值那一个
assert gradient_fraction(candidates["avg pool 2x2 s2"]) == 1.0

winners = []  # 最大池化保留哪 1/4 由数据决定；1×1 步长 2 的卷积永远只读同样的 1/4
for _ in range(2):
    image = torch.rand(1, 64, 56, 56, requires_grad=True)
    F.max_pool2d(image, 2).sum().backward()
    winners.append(image.grad != 0)
assert not torch.equal(winners[0], winners[1])
print("换一个输入, 最大池化梯度非零的位置就变了")
# --8<-- [end:what_is_read]

# --8<-- [start:channels]
# 池化逐通道进行，不混合通道；卷积的每个输出通道读全部输入通道
image = torch.rand(1, 64, 56, 56, requires_grad=True)
F.avg_pool2d(image, 2)[0, 5].sum().backward()
assert (image.grad[0, 5] != 0).all() and (image.grad[0, :5] == 0).all()
image.grad = None
candidates["conv 3x3 s2 p1"](image)[0, 5].sum().backward()
assert (image.grad.abs().sum(dim=(2, 3)) != 0).all()
print("池化的第 5 个输出通道只依赖输入通道 5；卷积的依赖全部 64 个通道")

# 与插值对比：缩小一半时，双线性插值 (align_corners=False) 恰好等于 2×2 平均池化，
# 最近邻插值恰好等于隔一个取一个（与 1×1、步长 2 的恒等卷积相同）
bilinear = F.interpolate(x, scale_factor=0.5, mode="bilinear", align_corners=False)
nearest = F.interpolate(x, scale_factor=0.5, mode="nearest")
assert torch.allclose(bilinear, F.avg_pool2d(x, 2), atol=1e-6)
assert torch.equal(nearest, x[:, :, ::2, ::2])
print("缩小一半: 双线性 == 2x2 平均池化, 最近邻 == x[:, :, ::2, ::2]")
# --8<-- [end:channels]
