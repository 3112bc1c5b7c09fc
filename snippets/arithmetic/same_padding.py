"""“same”填充：总共要补 D(K−1) 个；奇数时多出的一个补在哪一侧；步长大于 1 时 PyTorch 拒绝。"""

import warnings

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)
x = torch.randn(1, 1, 8, 8)

# --8<-- [start:table]
notes = []  # PyTorch 在偶数卷积核时发出的提示
print(" K  D  总填充  上/左  下/右  | 改用 padding=K//2: 8 ->")
for k, d in [(1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (2, 3), (3, 2), (4, 2)]:
    w = torch.randn(1, 1, k, k)
    total = d * (k - 1)
    before, after = total // 2, total - total // 2  # 多出的一个补在右侧/下侧
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        same = F.conv2d(x, w, padding="same", dilation=d)
    by_hand = F.conv2d(F.pad(x, (before, after, before, after)), w, dilation=d)
    assert same.shape == x.shape and torch.allclose(same, by_hand, atol=1e-6)
    if before != after:  # 把多出的一个放在左侧/上侧，结果就不同了
        mirrored = F.conv2d(F.pad(x, (after, before, after, before)), w, dilation=d)
        assert not torch.allclose(same, mirrored, atol=1e-6)
    floor_half = F.conv2d(x, w, padding=k // 2, dilation=d).shape[-1]
    print(f"{k:>2}{d:>3}{total:>8}{before:>7}{after:>7}  | {floor_half:>3}")
    notes += [str(warning.message).split(" (Triggered")[0] for warning in caught]
print("PyTorch 的提示:", notes[0])  # 不对称的填充要先复制出一个补零后的输入
# --8<-- [end:table]

# --8<-- [start:strided]
try:
    nn.Conv2d(1, 1, kernel_size=3, stride=2, padding="same")
    refused = False
except ValueError as error:
    refused = True
    print("stride=2, padding='same':", error)
assert refused
# --8<-- [end:strided]
