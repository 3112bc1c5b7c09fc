"""VGG-16 由同一种块搭成：若干个 3×3 卷积（填充 1）+ ReLU，再接 2×2 最大池化。"""

import torch
from torch import nn
from torchvision import models


# --8<-- [start:block]
def vgg_block(convs: int, in_channels: int, out_channels: int) -> list[nn.Module]:
    layers: list[nn.Module] = []
    for index in range(convs):
        layers += [
            nn.Conv2d(in_channels if index == 0 else out_channels, out_channels, 3, padding=1)
        ]
        layers += [nn.ReLU(inplace=True)]
    return [*layers, nn.MaxPool2d(2)]


VGG16 = [(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)]  # 每块 (卷积层数, 输出通道)


def vgg16_features() -> nn.Sequential:
    layers, channels = [], 3
    for convs, out_channels in VGG16:
        layers += vgg_block(convs, channels, out_channels)
        channels = out_channels
    return nn.Sequential(*layers)


# --8<-- [end:block]

# --8<-- [start:check]
torch.manual_seed(0)
mine, theirs = vgg16_features(), models.vgg16().features
for ours, reference in zip(mine.parameters(), theirs.parameters(), strict=True):
    ours.data.copy_(reference.data)  # 逐个复制参数：形状必须一一对应
x = torch.randn(2, 3, 32, 32)
assert torch.equal(mine(x), theirs(x))  # 同样的参数、同样的输出：结构与 torchvision 相同
print("与 torchvision 的 vgg16().features 逐元素相同:", True)
# --8<-- [end:check]

# --8<-- [start:macs]
x = torch.empty(1, 3, 224, 224, device="meta")
with torch.device("meta"):
    meta_features = vgg16_features()
macs = []
for layer in meta_features:
    y = layer(x)
    if isinstance(layer, nn.Conv2d):
        macs.append(y.numel() * layer.in_channels * 9)
    x = y
print("13 个卷积层的 MACs（G）:", " ".join(f"{m / 1e9:.2f}" for m in macs))
same = 224 * 224 * 64 * 64 * 9  # 边长减半、通道加倍：H·W·C² 不变
assert macs.count(same) == 6 and max(macs) == same
# --8<-- [end:macs]
