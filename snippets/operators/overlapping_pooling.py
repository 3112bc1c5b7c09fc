"""AlexNet 的重叠池化：3×3 窗口、步长 2，相邻窗口共享一行或一列。"""

import torch
from torch import nn
from torch.nn import functional as F


def coverage(size: int, kernel_size: int, stride: int) -> torch.Tensor:
    """size×size 输入的每个位置被多少个池化窗口覆盖。"""
    ones = torch.ones(1, 1, size, size)
    windows = F.unfold(ones, kernel_size, stride=stride)  # 每列是一个窗口
    return F.fold(windows, (size, size), kernel_size, stride=stride)[0, 0].int()


# 7×7 的输入：3×3/S2 的窗口互相重叠，2×2/S2 的窗口互不重叠
overlapping = coverage(7, kernel_size=3, stride=2)
disjoint = coverage(7, kernel_size=2, stride=2)
print("3×3/S2 每个位置被覆盖的次数:")
for row in overlapping.tolist():
    print("  ", row)
print("2×2/S2 每个位置被覆盖的次数:")
for row in disjoint.tolist():
    print("  ", row)
assert overlapping.max() == 4 and disjoint.max() == 1
assert disjoint[-1].sum() == 0  # 7 是奇数：最后一行（和最后一列）不属于任何窗口

# AlexNet 的第一个卷积（11×11、步长 4、填充 2）把 224×224 变成 55×55，之后三次 3×3/S2 池化；
# 中间的卷积都用“same”填充、不改变尺寸，所以这里只把池化依次作用上去
conv1 = nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2)
alexnet_pool = nn.MaxPool2d(3, stride=2)
x = conv1(torch.randn(1, 3, 224, 224))
sizes = [x.shape[-1]]
for _ in range(3):
    x = alexnet_pool(x)
    sizes.append(x.shape[-1])
print("AlexNet 的特征图边长:", " -> ".join(map(str, sizes)))
assert sizes == [55, 27, 13, 6]
assert coverage(55, kernel_size=3, stride=2).min() == 1  # 27 个窗口覆盖了全部 55 行、55 列
