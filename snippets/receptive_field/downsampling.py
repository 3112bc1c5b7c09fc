"""下采样：步长 2 的池化与卷积，各自的参数量、读了输入的多少、是否混合通道，打印成一张表。"""

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)
x = torch.randn(1, 64, 56, 56)  # C = 64 个通道的 56×56 特征图

# --8<-- [start:compare]
candidates = {  # 名字: (层, 保留什么, 丢掉什么)
    "2×2 最大池化": (
        nn.MaxPool2d(2, stride=2),
        "每个窗口里最强的响应",
        "其余 3 个值，以及最大值在窗口里的位置；丢哪些由数据决定",
    ),
    "2×2 平均池化": (nn.AvgPool2d(2, stride=2), "窗口的均值（一个低通滤波）", "窗口内部的细节"),
    "3×3 步长 2 卷积": (
        nn.Conv2d(64, 64, 3, stride=2, padding=1),
        "由学到的权重决定",
        "由训练决定；代价是参数和乘加",
    ),
    "3×3 步长 2 卷积，64→128 通道": (
        nn.Conv2d(64, 128, 3, stride=2, padding=1),
        "同上，并同时改变通道数",
        "同上",
    ),
    "1×1 步长 2 卷积": (
        nn.Conv2d(64, 64, 1, stride=2),
        "偶数行、偶数列上的像素（的通道组合）",
        "其余 3/4 的像素，与数据无关：它们永远不影响输出",
    ),
}
# --8<-- [end:compare]


# --8<-- [start:what_is_read]
def read_fraction(layer: nn.Module) -> float:
    """对全部输出之和求梯度：梯度非零的输入像素占多少。"""
    image = torch.rand(1, 64, 56, 56, requires_grad=True)
    layer(image).abs().sum().backward()
    return (image.grad != 0).float().mean().item()


def mixes_channels(layer: nn.Module) -> bool:
    """第 5 个输出通道是否依赖第 5 个以外的输入通道。"""
    image = torch.rand(1, 64, 56, 56, requires_grad=True)
    layer(image)[0, 5].sum().backward()
    return bool((image.grad[0, :5] != 0).any())


# --8<-- [end:what_is_read]

# --8<-- [start:table]
print("| 方法（C = 64） | 参数 | 读到的输入像素 | 混合通道 | 保留 | 丢掉 |")
print("| --- | ---: | ---: | --- | --- | --- |")
for name, (layer, kept, lost) in candidates.items():
    assert layer(x).shape[2:] == (28, 28)  # 都把 56×56 缩小成 28×28
    params = sum(p.numel() for p in layer.parameters())
    mixes = "是" if mixes_channels(layer) else "否"
    print(f"| {name} | {params:,} | {read_fraction(layer):.0%} | {mixes} | {kept} | {lost} |")
# --8<-- [end:table]

layers = {name: layer for name, (layer, _, _) in candidates.items()}
assert read_fraction(layers["1×1 步长 2 卷积"]) == 0.25  # 只读偶数行、偶数列
assert read_fraction(layers["2×2 最大池化"]) == 0.25  # 每个窗口只有最大值那一个
assert read_fraction(layers["2×2 平均池化"]) == read_fraction(layers["3×3 步长 2 卷积"]) == 1.0

# 最大池化读哪 1/4 由数据决定；1×1 步长 2 的卷积永远只读同样的 1/4
winners = []
for _ in range(2):
    image = torch.rand(1, 64, 56, 56, requires_grad=True)
    F.max_pool2d(image, 2).sum().backward()
    winners.append(image.grad != 0)
assert not torch.equal(winners[0], winners[1])

# 用插值缩小一半并不是新的算子：双线性插值（align_corners=False）恰好等于 2×2 平均池化，
# 最近邻插值恰好等于隔一个取一个（与 1×1、步长 2 的恒等卷积相同）
bilinear = F.interpolate(x, scale_factor=0.5, mode="bilinear", align_corners=False)
nearest = F.interpolate(x, scale_factor=0.5, mode="nearest")
assert torch.allclose(bilinear, F.avg_pool2d(x, 2), atol=1e-6)
assert torch.equal(nearest, x[:, :, ::2, ::2])
