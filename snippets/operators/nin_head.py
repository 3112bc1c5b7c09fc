"""NiN 的分类头：最后一层卷积为每个类别输出一张特征图，全局平均池化后就是类别分数，没有全连接层。"""

import torch
from torch import nn

classes = 1000
# NiN 的最后一个 mlpconv 块：一个 3×3 卷积接两个 1×1 卷积，最后一个 1×1 卷积的输出通道数 = 类别数
head = nn.Sequential(
    nn.Conv2d(384, 1024, kernel_size=3, padding=1), nn.ReLU(),
    nn.Conv2d(1024, 1024, kernel_size=1), nn.ReLU(),
    nn.Conv2d(1024, classes, kernel_size=1), nn.ReLU(),
    nn.AdaptiveAvgPool2d(1),  # 每个类别的特征图平均成一个数
    nn.Flatten(),  # (B, 1000, 1, 1) → (B, 1000)：这就是类别分数
)  # fmt: skip

linear_layers = [m for m in head.modules() if isinstance(m, nn.Linear)]
assert linear_layers == []
print("分类头里的 nn.Linear 个数:", len(linear_layers))

feature_map = torch.randn(2, 384, 5, 5)
maps = head[:6](feature_map)  # GAP 之前：每个类别一张 5×5 的特征图
scores = head(feature_map)
print("GAP 之前", tuple(maps.shape), "→ 类别分数", tuple(scores.shape))
# 第 c 类的分数就是第 c 张特征图的平均值
assert torch.allclose(scores, maps.mean(dim=(2, 3)))
