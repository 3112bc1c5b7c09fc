"""练习 2：3×3、空洞率 3 的卷积，步长 1，作用在 32×32 的输入上。"""

import torch
import torch.nn.functional as F

image = torch.zeros(1, 1, 32, 32)
kernel = torch.zeros(1, 1, 3, 3)
effective = 3 * (3 - 1) + 1  # D(K − 1) + 1
valid = F.conv2d(image, kernel, dilation=3)
same = F.conv2d(image, kernel, dilation=3, padding=3)  # P = D(K − 1) / 2
assert valid.shape[-1] == 32 - effective + 1 and same.shape[-2:] == image.shape[-2:]
print(f"等效卷积核 {effective}×{effective}")
print(f"不填充时输出 {valid.shape[-2]}×{valid.shape[-1]}")
print(f"padding=3 时输出 {same.shape[-2]}×{same.shape[-1]}")
