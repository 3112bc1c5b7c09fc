"""Xception 与 MobileNet V1 的基本单元都是深度可分离卷积：
深度卷积（每通道一个 3×3）+ 逐点卷积（1×1）。"""

import torch
from torch import nn

# --8<-- [start:fold]
torch.manual_seed(0)
c_in, c_out = 8, 16
depthwise = nn.Conv2d(c_in, c_in, 3, padding=1, groups=c_in, bias=False)
pointwise = nn.Conv2d(c_in, c_out, 1, bias=False)
separable = nn.Sequential(depthwise, pointwise)  # Xception 的 SeparableConv：两者之间没有激活函数

# 中间没有非线性，两层可以合成一个普通 3×3 卷积：W[o, i] = P[o, i] · D[i]
folded = nn.Conv2d(c_in, c_out, 3, padding=1, bias=False)
with torch.no_grad():
    folded.weight.copy_(pointwise.weight[:, :, 0, 0, None, None] * depthwise.weight[:, 0][None])
x = torch.randn(2, c_in, 10, 10)
assert torch.allclose(separable(x), folded(x), atol=1e-5)
standard = c_out * c_in * 9
factored = depthwise.weight.numel() + pointwise.weight.numel()
print(f"合成后的普通卷积与可分离卷积输出一致；参数 {factored} 个，普通卷积 {standard} 个")
# --8<-- [end:fold]


# --8<-- [start:mobilenet]
def mobilenet_v1_block(c_in: int, c_out: int, stride: int = 1) -> nn.Sequential:
    """MobileNet V1：深度卷积与逐点卷积之后各接 BN 与 ReLU。"""
    return nn.Sequential(
        nn.Conv2d(c_in, c_in, 3, stride, 1, groups=c_in, bias=False),
        nn.BatchNorm2d(c_in), nn.ReLU(),
        nn.Conv2d(c_in, c_out, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(),
    )  # fmt: skip


block = mobilenet_v1_block(32, 64)
assert block(torch.zeros(1, 32, 112, 112)).shape == (1, 64, 112, 112)
weights = [m.weight.numel() for m in block if isinstance(m, nn.Conv2d)]
print("MobileNet V1 第一个块 32 → 64：卷积权重", weights, "，同样的普通 3×3 卷积", 32 * 64 * 9)
assert weights == [32 * 9, 32 * 64]
# --8<-- [end:mobilenet]
