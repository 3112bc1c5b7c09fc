"""Dropout2d：以整个通道为单位置零，适合相邻像素高度相关的卷积特征图。"""

import torch
from torch import nn

torch.manual_seed(0)
p = 0.5
x = torch.ones(32, 64, 4, 4)  # 32 个样本 × 64 个通道，共 2048 张特征图
y = nn.Dropout2d(p).train()(x)

channel_max = y.amax(dim=(2, 3))
channel_min = y.amin(dim=(2, 3))
whole_channels = torch.equal(channel_max, channel_min)  # 每张特征图内部的值都相同
assert whole_channels and set(channel_max.unique().tolist()) == {0.0, 2.0}
print("每张特征图要么整张为 0，要么整张为 1/(1 − p) = 2:", whole_channels)

dropped = (channel_max == 0).float().mean().item()
print("被置零的特征图比例与 p 之差 < 0.05:", abs(dropped - p) < 0.05)  # 标准误约 0.011
assert abs(dropped - p) < 0.05
# 对比：逐元素的 Dropout 几乎不会恰好把一整张 4×4 特征图清零
elementwise = nn.Dropout(p).train()(x)
assert (elementwise.amax(dim=(2, 3)) != elementwise.amin(dim=(2, 3))).any()
