"""nn.Conv2d 的张量形状：滤波器、卷积核、特征图分别是权重和输出的哪一部分。"""

import torch
import torch.nn.functional as F

torch.manual_seed(0)

conv = torch.nn.Conv2d(in_channels=3, out_channels=4, kernel_size=3, padding=1)
x = torch.randn(2, 3, 32, 32)  # 2 张 RGB 图像：(B, C_in, H, W)
y = conv(x)

print(f"weight: {tuple(conv.weight.shape)!s:<16} # (C_out, C_in, K, K)")
print(f"bias:   {tuple(conv.bias.shape)!s:<16} # (C_out,)")
print(f"output: {tuple(y.shape)!s:<16} # (B, C_out, H', W')")
assert conv.weight.shape == (4, 3, 3, 3)
assert conv.bias.shape == (4,)
assert y.shape == (2, 4, 32, 32)

filter_0 = conv.weight[0]  # 第 0 个滤波器：每个输入通道一个卷积核
kernel_0_2 = conv.weight[0, 2]  # 它作用在第 2 个（B）通道上的卷积核
feature_map_0 = y[0, 0]  # 第 0 张图经第 0 个滤波器得到的特征图
print("一个滤波器:", tuple(filter_0.shape), " 一个卷积核:", tuple(kernel_0_2.shape))
print("一张特征图:", tuple(feature_map_0.shape))
assert filter_0.shape == (3, 3, 3) and kernel_0_2.shape == (3, 3)

# 一张特征图 = 各输入通道分别与对应卷积核做二维卷积，再相加，再加偏置
per_channel = [F.conv2d(x[:, c : c + 1], conv.weight[0:1, c : c + 1], padding=1) for c in range(3)]
rebuilt = sum(per_channel) + conv.bias[0]
same = torch.allclose(rebuilt[:, 0], y[:, 0], atol=1e-5)
assert same
print("逐通道卷积再求和 == 第 0 个输出通道:", same)
