"""练习 5：把 VGG-16 的第一个全连接层 nn.Linear(512·7·7, 4096) 改写成卷积层。"""

import torch
from torch import nn

conv = nn.Conv2d(512, 4096, kernel_size=7, device="meta")
print("卷积层: Conv2d(512, 4096, kernel_size=7)，权重形状", tuple(conv.weight.shape))
fc = nn.Linear(512 * 7 * 7, 4096, device="meta")
assert conv.weight.numel() == fc.weight.numel()  # 同样多的权重，只是排成了四维

# 输入变成 14×14：卷积版的分类头输出一张 8×8 的“分数图”，每个位置对应一个 7×7 窗口
scores = conv(torch.empty(1, 512, 14, 14, device="meta"))
print("14×14 的输入得到", tuple(scores.shape))
