"""四种基本层依次作用在一张 28×28 的灰度图上，逐层打印输出形状。"""

import torch
from torch import nn

torch.manual_seed(0)

model = nn.Sequential(
    nn.Conv2d(1, 6, kernel_size=5),  # 卷积层：1 个输入通道，6 个滤波器
    nn.ReLU(),  # 激活层
    nn.MaxPool2d(kernel_size=2),  # 池化层
    nn.Flatten(),  # 把 (6, 12, 12) 拉平成 864 维向量，不是独立的一类层
    nn.Linear(in_features=6 * 12 * 12, out_features=10),  # 全连接层
)

x = torch.randn(1, 1, 28, 28)  # (批大小 B, 通道数 C, 高 H, 宽 W)
shapes = []
for layer in model:
    x = layer(x)
    shapes.append(tuple(x.shape))
    print(f"{type(layer).__name__:<10} -> {tuple(x.shape)}")

assert shapes == [(1, 6, 24, 24), (1, 6, 24, 24), (1, 6, 12, 12), (1, 864), (1, 10)]
