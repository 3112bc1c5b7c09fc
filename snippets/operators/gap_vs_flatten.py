"""VGG-16 的最后一张特征图 512×7×7：拉平接全连接层，还是先做全局平均池化？"""

import torch
from torch import nn


def head_cost(head: nn.Sequential) -> tuple[int, int]:
    """分类头的参数量与每个样本的 MACs（只有全连接层有乘加）。"""
    params = sum(p.numel() for p in head.parameters())
    macs = sum(m.in_features * m.out_features for m in head if isinstance(m, nn.Linear))
    return params, macs


channels, height, width, classes = 512, 7, 7, 1000

with torch.device("meta"):  # 只建结构、不分配内存：1.2 亿个参数不必真的初始化
    # VGG-16 的分类头：拉平成 25088 维，再接 4096 -> 4096 -> 1000 三个全连接层
    flatten_head = nn.Sequential(
        nn.Flatten(),
        nn.Linear(channels * height * width, 4096), nn.ReLU(),
        nn.Linear(4096, 4096), nn.ReLU(),
        nn.Linear(4096, classes),
    )  # fmt: skip
# GoogLeNet / ResNet 的做法：每个通道平均成一个数，只剩一个 512 -> 1000 的全连接层
gap_head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, classes))
feature_map = torch.randn(1, channels, height, width)
assert gap_head(feature_map).shape == (1, classes)
assert nn.Flatten()(feature_map).shape[1] == flatten_head[1].in_features == 25088

flatten_params, flatten_macs = head_cost(flatten_head)
gap_params, gap_macs = head_cost(gap_head)
gap_adds = channels * height * width  # 全局平均池化：每个数加一次（另有 512 次除法），没有参数
print(f"拉平 + 3 个全连接层: 参数 {flatten_params:,}，MACs {flatten_macs:,}")
print(
    f"GAP + 1 个全连接层:  参数 {gap_params:,}，MACs {gap_macs:,}（GAP 另需 {gap_adds:,} 次加法）"
)
print(f"参数之比约 {flatten_params / gap_params:.0f} : 1")
assert flatten_params == 102_764_544 + 16_781_312 + 4_097_000  # 25088·4096+4096 等，逐层手算

# 同样一步输出 1000 类：先做 GAP，全连接层的权重只剩 1/(H·W)
with torch.device("meta"):
    direct = nn.Linear(channels * height * width, classes)
assert direct.weight.numel() == height * width * gap_head[-1].weight.numel()
print(f"直接 25088 -> 1000 的权重是 GAP 后 512 -> 1000 的 {height * width} 倍")

# GAP 头不挑输入尺寸；拉平的头只认 7×7（torchvision 的 VGG 因此先用 AdaptiveAvgPool2d(7)）
larger = torch.randn(1, channels, 10, 10)
assert gap_head(larger).shape == (1, classes)
flattened = nn.Flatten()(larger).shape[1]
assert flattened != flatten_head[1].in_features
print(f"10×10 的特征图: GAP 头照常输出 1000 类；拉平后是 {flattened} 维，接不上 25088 维的全连接层")
