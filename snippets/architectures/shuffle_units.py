"""ShuffleNet 的单元：V1 用分组 1×1 卷积 + 通道混洗；V2 先把通道劈成两半，一半原样保留。"""

import torch
from torch import nn
from torchvision import models


# --8<-- [start:shuffle]
def channel_shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    b, c, h, w = x.shape  # 通道排成 groups 行，转置后按行展平（第 4 章）
    return x.view(b, groups, c // groups, h, w).transpose(1, 2).reshape(b, c, h, w)


# --8<-- [end:shuffle]


# --8<-- [start:v1]
class ShuffleV1Unit(nn.Module):
    """步长 1 的 V1 单元：分组 1×1 → 混洗 → 深度 3×3 → 分组 1×1，再与输入相加。"""

    def __init__(self, channels: int, bottleneck: int, groups: int):
        super().__init__()
        self.groups = groups
        self.reduce = nn.Sequential(
            nn.Conv2d(channels, bottleneck, 1, groups=groups, bias=False),
            nn.BatchNorm2d(bottleneck),
            nn.ReLU(),
        )
        self.depthwise = nn.Sequential(
            nn.Conv2d(bottleneck, bottleneck, 3, padding=1, groups=bottleneck, bias=False),
            nn.BatchNorm2d(bottleneck),
        )
        self.expand = nn.Sequential(
            nn.Conv2d(bottleneck, channels, 1, groups=groups, bias=False), nn.BatchNorm2d(channels)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = channel_shuffle(self.reduce(x), self.groups)
        return torch.relu(x + self.expand(self.depthwise(out)))


unit = ShuffleV1Unit(240, 60, groups=3)
assert unit(torch.zeros(1, 240, 28, 28)).shape == (1, 240, 28, 28)
conv_weights = sum(m.weight.numel() for m in unit.modules() if isinstance(m, nn.Conv2d))
assert conv_weights == 240 * 60 // 3 + 60 * 9 + 60 * 240 // 3  # 分组让 1×1 卷积的权重变为 1/g
print(f"V1 单元（240 通道，g = 3）卷积权重 {conv_weights:,}")
# --8<-- [end:v1]


# --8<-- [start:v2]
class ShuffleV2Unit(nn.Module):
    """步长 1 的 V2 单元：一半通道不动，另一半过 1×1 → 深度 3×3 → 1×1，拼接后混洗。
    两条路通道数相同，没有分组卷积，没有逐元素相加。"""

    def __init__(self, channels: int):
        super().__init__()
        half = channels // 2
        self.branch = nn.Sequential(
            nn.Conv2d(half, half, 1, bias=False), nn.BatchNorm2d(half), nn.ReLU(),
            nn.Conv2d(half, half, 3, padding=1, groups=half, bias=False), nn.BatchNorm2d(half),
            nn.Conv2d(half, half, 1, bias=False), nn.BatchNorm2d(half), nn.ReLU(),
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        kept, processed = x.chunk(2, dim=1)
        return channel_shuffle(torch.cat([kept, self.branch(processed)], dim=1), 2)


torch.manual_seed(0)
reference = models.shufflenet_v2_x1_0().stage2[1].eval()  # 116 个通道，步长 1
mine = ShuffleV2Unit(116).eval()
for ours, theirs in zip(mine.state_dict().values(), reference.state_dict().values(), strict=True):
    ours.copy_(theirs)
x = torch.randn(1, 116, 28, 28)
assert torch.equal(mine(x), reference(x))
print("V2 单元与 torchvision 的 stage2[1] 逐元素相同:", True)
# --8<-- [end:v2]
