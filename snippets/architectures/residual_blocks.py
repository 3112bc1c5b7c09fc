"""ResNet 的两种块：基本块（两个 3×3）与瓶颈块（1×1 降维、3×3、1×1 升维），输出 relu(F(x) + x)。"""

import torch
from torch import nn
from torchvision.models import resnet


# --8<-- [start:blocks]
def conv_bn(c_in: int, c_out: int, kernel: int, stride: int = 1) -> list[nn.Module]:
    conv = nn.Conv2d(c_in, c_out, kernel, stride, padding=kernel // 2, bias=False)
    return [conv, nn.BatchNorm2d(c_out)]


class Residual(nn.Module):
    """y = relu(F(x) + shortcut(x))；形状不变时 shortcut 是恒等映射，否则是 1×1 卷积 + BN。"""

    def __init__(self, body: list[nn.Module], c_in: int, c_out: int, stride: int):
        super().__init__()
        self.body = nn.Sequential(*body)
        self.shortcut = nn.Identity()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(*conv_bn(c_in, c_out, 1, stride))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.body(x) + self.shortcut(x))


def basic_block(c_in: int, c_out: int, stride: int = 1) -> Residual:
    body = [*conv_bn(c_in, c_out, 3, stride), nn.ReLU(), *conv_bn(c_out, c_out, 3)]
    return Residual(body, c_in, c_out, stride)


def bottleneck(c_in: int, width: int, stride: int = 1) -> Residual:
    """width 是中间 3×3 卷积的通道数，输出 4·width 个通道（ResNet-50 的扩张系数 4）。"""
    body = [
        *conv_bn(c_in, width, 1), nn.ReLU(),
        *conv_bn(width, width, 3, stride), nn.ReLU(),  # torchvision（v1.5）把步长放在 3×3 上
        *conv_bn(width, 4 * width, 1),
    ]  # fmt: skip
    return Residual(body, c_in, 4 * width, stride)


# --8<-- [end:blocks]


# --8<-- [start:check]
def same_as(mine: nn.Module, theirs: nn.Module, x: torch.Tensor) -> bool:
    """按注册顺序复制全部参数与缓冲区，再比较输出。"""
    mine.eval(), theirs.eval()
    for ours, reference in zip(
        mine.state_dict().values(), theirs.state_dict().values(), strict=True
    ):
        ours.copy_(reference)
    return torch.equal(mine(x), theirs(x))


torch.manual_seed(0)
resnet18, resnet50 = resnet.resnet18(), resnet.resnet50()
x = torch.randn(1, 64, 56, 56)
assert same_as(basic_block(64, 64), resnet18.layer1[0], x)
assert same_as(basic_block(64, 128, stride=2), resnet18.layer2[0], x)
assert same_as(bottleneck(64, 64), resnet50.layer1[0], x)  # 64 → 256，投影捷径
x = torch.randn(1, 256, 56, 56)
assert same_as(bottleneck(256, 64), resnet50.layer1[1], x)  # 256 → 256，恒等捷径
print("四个块与 torchvision 的实现逐元素相同:", True)
# --8<-- [end:check]


# --8<-- [start:cost]
def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


two_threes = basic_block(256, 256)  # 假如在 256 个通道上直接用基本块
narrow = bottleneck(256, 64)
print(f"256 通道上的基本块参数 {count(two_threes):,}，瓶颈块 {count(narrow):,}")
assert count(narrow) < count(two_threes) / 8
# --8<-- [end:cost]
