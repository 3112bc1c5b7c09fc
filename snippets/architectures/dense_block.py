"""DenseNet 的稠密块：第 l 层的输入是块输入与前面所有层输出的拼接，
每层只新增 k 个通道（增长率）。"""

import itertools

import torch
from torch import nn
from torchvision import models


# --8<-- [start:block]
def dense_layer(c_in: int, growth: int, bottleneck: int = 4) -> nn.Sequential:
    """BN-ReLU-1×1 卷积（输出 4k 个通道）-BN-ReLU-3×3 卷积（输出 k 个通道）。"""
    return nn.Sequential(
        nn.BatchNorm2d(c_in), nn.ReLU(),
        nn.Conv2d(c_in, bottleneck * growth, 1, bias=False),
        nn.BatchNorm2d(bottleneck * growth), nn.ReLU(),
        nn.Conv2d(bottleneck * growth, growth, 3, padding=1, bias=False),
    )  # fmt: skip


class DenseBlock(nn.Module):
    def __init__(self, layers: int, c_in: int, growth: int):
        super().__init__()
        self.layers = nn.ModuleList(dense_layer(c_in + i * growth, growth) for i in range(layers))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = [x]
        for layer in self.layers:
            features.append(layer(torch.cat(features, dim=1)))  # 每层都读全部已有的特征图
        return torch.cat(features, dim=1)


# --8<-- [end:block]

# --8<-- [start:check]
torch.manual_seed(0)
reference = models.densenet121().features.denseblock1.eval()  # 6 层，k = 32，输入 64 个通道
mine = DenseBlock(6, 64, 32).eval()
for ours, theirs in zip(mine.state_dict().values(), reference.state_dict().values(), strict=True):
    ours.copy_(theirs)
x = torch.randn(1, 64, 56, 56)
assert torch.equal(mine(x), reference(x))
print("输出通道:", mine(x).shape[1], "= 64 + 6 × 32；与 torchvision 的 denseblock1 逐元素相同")
# --8<-- [end:check]

# --8<-- [start:growth]
first_convs = [layer[2] for layer in mine.layers]  # 每层的 1×1 卷积：输入通道线性增长
print("各层 1×1 卷积的输入通道:", [conv.in_channels for conv in first_convs])
macs = [56 * 56 * conv.out_channels * conv.in_channels for conv in first_convs]
assert all(b - a == 56 * 56 * 128 * 32 for a, b in itertools.pairwise(macs))  # 每层多 k·4k·H·W
# --8<-- [end:growth]
