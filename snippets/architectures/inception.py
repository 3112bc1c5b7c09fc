"""Inception 模块：四条并行分支在通道维拼接；1×1 卷积先降维，大卷积核才用得起。
Inception v3 再把大卷积核分解成小的和非对称的。"""

import torch
from torch import nn
from torchvision import models


# --8<-- [start:module]
def conv_bn(in_channels: int, out_channels: int, kernel: int) -> nn.Sequential:
    """卷积（无偏置）+ BN + ReLU，torchvision 的 BasicConv2d 也是这样。"""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel, padding=kernel // 2, bias=False),
        nn.BatchNorm2d(out_channels, eps=0.001),
        nn.ReLU(inplace=True),
    )


class Inception(nn.Module):
    def __init__(self, c_in, c1, c3_reduce, c3, c5_reduce, c5, pool_proj, k5=5):
        super().__init__()
        self.branch1 = conv_bn(c_in, c1, 1)
        self.branch2 = nn.Sequential(conv_bn(c_in, c3_reduce, 1), conv_bn(c3_reduce, c3, 3))
        self.branch3 = nn.Sequential(conv_bn(c_in, c5_reduce, 1), conv_bn(c5_reduce, c5, k5))
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(3, 1, 1, ceil_mode=True), conv_bn(c_in, pool_proj, 1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branches = (self.branch1, self.branch2, self.branch3, self.branch4)
        return torch.cat([branch(x) for branch in branches], dim=1)  # 拼接，不是相加


# --8<-- [end:module]


# --8<-- [start:reduction]
def conv_macs(c_in: int, c_out: int, kernel: int, side: int = 28) -> int:
    return side * side * c_out * c_in * kernel * kernel


# 论文表 1 的 inception (3a)：输入 192×28×28，输出 64 + 128 + 32 + 32 = 256 个通道
with_reduction = (
    conv_macs(192, 64, 1)
    + conv_macs(192, 96, 1) + conv_macs(96, 128, 3)
    + conv_macs(192, 16, 1) + conv_macs(16, 32, 5)
    + conv_macs(192, 32, 1)
)  # fmt: skip
without = conv_macs(192, 64, 1) + conv_macs(192, 128, 3) + conv_macs(192, 32, 5)
print(f"inception (3a) MACs: 有 1×1 降维 {with_reduction / 1e6:.1f} M，没有 {without / 1e6:.1f} M")
assert Inception(192, 64, 96, 128, 16, 32, 32)(torch.zeros(1, 192, 28, 28)).shape == (
    1,
    256,
    28,
    28,
)
# --8<-- [end:reduction]

# --8<-- [start:torchvision]
# torchvision 的 GoogLeNet 里，标着“5×5”的那条分支实际用 3×3 卷积（为与已发布的权重兼容而保留）
torch.manual_seed(0)
reference = models.googlenet(aux_logits=False, init_weights=False).eval().inception3a
mine = Inception(192, 64, 96, 128, 16, 32, 32, k5=3).eval()
for ours, theirs in zip(mine.state_dict().values(), reference.state_dict().values(), strict=True):
    ours.copy_(theirs)
x = torch.randn(1, 192, 28, 28)
assert torch.equal(mine(x), reference(x))
print("torchvision inception3a 的“5×5”分支卷积核:", reference.branch3[1].conv.kernel_size)
# --8<-- [end:torchvision]

# --8<-- [start:factorize]
for name, big, small in [
    ("5×5 → 两层 3×3", 5 * 5, 2 * 3 * 3),
    ("3×3 → 1×3 + 3×1", 3 * 3, 1 * 3 + 3 * 1),
    ("7×7 → 1×7 + 7×1", 7 * 7, 1 * 7 + 7 * 1),
]:
    print(f"{name}: 参数与 MACs 都是原来的 {small}/{big} = {small / big:.3f}")
c = 64  # 用真实的层核对：输入输出都是 c 个通道、不带偏置
five = nn.Conv2d(c, c, 5, padding=2, bias=False)
two_threes = nn.Sequential(
    nn.Conv2d(c, c, 3, padding=1, bias=False), nn.Conv2d(c, c, 3, padding=1, bias=False)
)
asym = nn.Sequential(
    nn.Conv2d(c, c, (1, 7), padding=(0, 3), bias=False),
    nn.Conv2d(c, c, (7, 1), padding=(3, 0), bias=False),
)
x = torch.zeros(1, c, 17, 17)
assert five(x).shape == two_threes(x).shape == asym(x).shape  # 尺寸不变
assert sum(p.numel() for p in two_threes.parameters()) * 25 == five.weight.numel() * 18
assert sum(p.numel() for p in asym.parameters()) == 14 * c * c
# --8<-- [end:factorize]
