"""全局最大池化（GMP）与全局平均池化（GAP）：一个问“最强的响应有多强”，一个问“平均有多强”。"""

import torch
from torch import nn

gap, gmp = nn.AdaptiveAvgPool2d(1), nn.AdaptiveMaxPool2d(1)

# 全局最大池化 = 输出 1×1 的自适应最大池化 = 每个通道取 H×W 个数的最大值
x = torch.randn(2, 3, 5, 7, generator=torch.Generator().manual_seed(0))
assert torch.equal(gmp(x), x.amax(dim=(2, 3), keepdim=True))
assert torch.equal(gmp(x), nn.MaxPool2d(kernel_size=(5, 7))(x))
print("GMP 输出形状", tuple(gmp(x).shape))

# 两张 8×8 的特征图：一张只有一个很强的点，一张处处有弱响应
spot = torch.zeros(1, 1, 8, 8)
spot[0, 0, 2, 5] = 8.0
spread = torch.ones(1, 1, 8, 8)
for name, feature in [("一个强点", spot), ("处处弱响应", spread)]:
    print(f"{name}：GAP = {gap(feature).item():.3f}，GMP = {gmp(feature).item():.3f}")
assert gap(spread) > gap(spot) and gmp(spot) > gmp(spread)  # 两种池化给出相反的排序

# 两者都不管特征出现在哪里：把强点挪到别处，输出不变
moved = torch.roll(spot, shifts=(3, -4), dims=(2, 3))
assert torch.equal(gap(moved), gap(spot)) and torch.equal(gmp(moved), gmp(spot))
print("强点换个位置，GAP 与 GMP 都不变:", torch.equal(gmp(moved), gmp(spot)))
