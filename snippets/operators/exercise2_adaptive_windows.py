"""练习 2：nn.AdaptiveAvgPool2d(3) 作用在 7×7 的特征图上，每个输出的窗口是哪几行？"""

import math

import torch
from torch import nn

size, output_size = 7, 3
windows = [(i * size // output_size, math.ceil((i + 1) * size / output_size)) for i in range(3)]
print("窗口（半开区间）", windows)

# 核对：第 i 行输出等于这些行（与对应列）的平均值
x = torch.randn(1, 1, size, size)
y = nn.AdaptiveAvgPool2d(output_size)(x)
for i, (r0, r1) in enumerate(windows):
    for j, (c0, c1) in enumerate(windows):
        assert torch.allclose(y[0, 0, i, j], x[0, 0, r0:r1, c0:c1].mean())
print("相邻窗口重叠的行数", [windows[i][1] - windows[i + 1][0] for i in range(2)])
