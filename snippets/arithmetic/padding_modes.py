"""填充是“每一侧”的宽度；四种 padding_mode 各补什么值；nn.Conv2d 的填充等于先 F.pad 再卷积。"""

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)

# --8<-- [start:modes]
row = torch.tensor([[[1.0, 2, 3, 4]]])  # (B=1, C=1, W=4)
modes = {
    "zeros": "constant",
    "reflect": "reflect",
    "replicate": "replicate",
    "circular": "circular",
}
for conv_mode, pad_mode in modes.items():  # nn.Conv2d 的名字 -> F.pad 的名字
    padded = F.pad(row, (2, 2), mode=pad_mode)  # 左边 2 个、右边 2 个
    print(f"{conv_mode:<9}", padded[0, 0].int().tolist())
# --8<-- [end:modes]

# --8<-- [start:per-side]
x = torch.randn(1, 3, 6, 7)
for conv_mode, pad_mode in modes.items():
    conv = nn.Conv2d(3, 2, kernel_size=3, padding=(1, 2), padding_mode=conv_mode)
    # padding=(1, 2)：上、下各 1 行，左、右各 2 列；F.pad 的顺序是 (左, 右, 上, 下)
    by_hand = F.conv2d(F.pad(x, (2, 2, 1, 1), mode=pad_mode), conv.weight, conv.bias)
    assert torch.allclose(conv(x), by_hand, atol=1e-6)
    assert conv(x).shape == (1, 2, 6 + 2 * 1 - 3 + 1, 7 + 2 * 2 - 3 + 1)  # (1, 2, 6, 9)
print("四种 padding_mode 都等于 F.pad 后不填充的卷积；输出形状:", tuple(conv(x).shape))
# --8<-- [end:per-side]

# --8<-- [start:reflect-limit]
print("reflect, P=3, W=4:", F.pad(row, (3, 3), mode="reflect")[0, 0].int().tolist())
try:  # reflect 从边界往回取值（不重复边界本身），所以每侧填充必须小于该维的长度
    F.pad(row, (4, 4), mode="reflect")
    refused = False
except RuntimeError as error:
    refused = True
    print("reflect, P=4, W=4:", str(error).split(",")[0])
assert refused
# --8<-- [end:reflect-limit]
