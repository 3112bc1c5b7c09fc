"""NiN（Network in Network）：每个“mlpconv”块是一个普通卷积后接两个 1×1 卷积；
最后一块为每个类别输出一张特征图，全局平均池化后直接就是类别分数，没有全连接层。"""

import torch
from torch import nn


# --8<-- [start:block]
def mlpconv(in_channels: int, out_channels: int, kernel: int, stride: int, padding: int):
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel, stride, padding), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, 1), nn.ReLU(),  # 1×1 卷积：每个像素上的一层全连接
        nn.Conv2d(out_channels, out_channels, 1), nn.ReLU(),
    )  # fmt: skip


def nin(classes: int = 1000) -> nn.Sequential:
    return nn.Sequential(
        mlpconv(3, 96, 11, 4, 0), nn.MaxPool2d(3, 2),
        mlpconv(96, 256, 5, 1, 2), nn.MaxPool2d(3, 2),
        mlpconv(256, 384, 3, 1, 1), nn.MaxPool2d(3, 2), nn.Dropout(0.5),
        mlpconv(384, classes, 3, 1, 1),  # 每个类别一张特征图
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),  # 全局平均池化 = 类别分数
    )  # fmt: skip


# --8<-- [end:block]

# --8<-- [start:check]
model = nin().eval()
scores = model(torch.randn(2, 3, 224, 224))
total = sum(p.numel() for p in model.parameters())
print("输出形状:", tuple(scores.shape), f"参数: {total:,}")
assert scores.shape == (2, 1000)
assert not any(isinstance(m, nn.Linear) for m in model.modules())
# 同一个网络也接受别的输入尺寸：GAP 的输出长度只取决于通道数
assert model(torch.randn(1, 3, 256, 256)).shape == (1, 1000)
# --8<-- [end:check]
