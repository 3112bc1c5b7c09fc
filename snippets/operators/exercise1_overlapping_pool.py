"""练习 1：13×13 的特征图做 3×3、步长 2 的最大池化（AlexNet 的最后一次池化）。"""

import torch
from torch import nn
from torch.nn import functional as F

alexnet_pool = nn.MaxPool2d(3, stride=2)
x = torch.randn(1, 256, 13, 13)
print("输出形状", tuple(alexnet_pool(x).shape))  # ⌊(13 − 3) / 2⌋ + 1 = 6

# 每个位置属于几个窗口：用 unfold/fold 数一数
windows = F.unfold(torch.ones(1, 1, 13, 13), kernel_size=3, stride=2)
coverage = F.fold(windows, (13, 13), kernel_size=3, stride=2)[0, 0].int()
print(f"一个位置最多属于 {coverage.max()} 个窗口，最少属于 {coverage.min()} 个")
