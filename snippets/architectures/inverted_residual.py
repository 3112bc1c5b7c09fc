"""MobileNet V2 的倒置残差块（先扩张、再深度卷积、最后线性投影）
与 MobileNet V3 的版本（h-swish、SE）。"""

import torch
from torch import nn
from torchvision import models


# --8<-- [start:v2]
def conv_bn_act(c_in, c_out, kernel, stride=1, groups=1, act=nn.ReLU6, eps=1e-5) -> list[nn.Module]:
    layers = [
        nn.Conv2d(c_in, c_out, kernel, stride, kernel // 2, groups=groups, bias=False),
        nn.BatchNorm2d(c_out, eps=eps),
    ]
    return layers + ([act()] if act else [])


class InvertedResidual(nn.Module):
    """窄 → 宽（1×1 扩张 t 倍）→ 深度卷积 → 窄（1×1 投影，之后没有激活函数：线性瓶颈）。"""

    def __init__(self, body: list[nn.Module], c_in: int, c_out: int, stride: int):
        super().__init__()
        self.body = nn.Sequential(*body)
        self.residual = stride == 1 and c_in == c_out  # 捷径连在两端的窄张量之间

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x) if self.residual else self.body(x)


def v2_block(c_in: int, c_out: int, stride: int, expand: int = 6) -> InvertedResidual:
    hidden = c_in * expand
    body = [
        *conv_bn_act(c_in, hidden, 1),
        *conv_bn_act(hidden, hidden, 3, stride, groups=hidden),
        *conv_bn_act(hidden, c_out, 1, act=None),  # 线性瓶颈
    ]
    return InvertedResidual(body, c_in, c_out, stride)


# --8<-- [end:v2]


# --8<-- [start:v3]
class SqueezeExcite(nn.Module):
    """SE：全局平均池化 → 1×1 卷积降到 1/4 → ReLU → 1×1 卷积升回 → hard-sigmoid，按通道加权。"""

    def __init__(self, channels: int, squeezed: int):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, squeezed, 1)
        self.fc2 = nn.Conv2d(squeezed, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weights = self.fc2(torch.relu(self.fc1(x.mean(dim=(2, 3), keepdim=True))))
        return x * nn.functional.hardsigmoid(weights)


def v3_block(c_in, hidden, c_out, kernel, stride) -> InvertedResidual:
    """MobileNet V3 的块：激活函数是 h-swish，深度卷积之后插入 SE；BN 的 eps 取 0.001。"""
    body = [
        *conv_bn_act(c_in, hidden, 1, act=nn.Hardswish, eps=1e-3),
        *conv_bn_act(hidden, hidden, kernel, stride, groups=hidden, act=nn.Hardswish, eps=1e-3),
        SqueezeExcite(hidden, hidden // 4),
        *conv_bn_act(hidden, c_out, 1, act=None, eps=1e-3),
    ]
    return InvertedResidual(body, c_in, c_out, stride)


# --8<-- [end:v3]


# --8<-- [start:check]
def same_as(mine: nn.Module, theirs: nn.Module, x: torch.Tensor) -> bool:
    mine.eval(), theirs.eval()
    for ours, reference in zip(
        mine.state_dict().values(), theirs.state_dict().values(), strict=True
    ):
        ours.copy_(reference)
    return torch.allclose(mine(x), theirs(x), atol=1e-6)


torch.manual_seed(0)
v2 = models.mobilenet_v2().features
assert same_as(v2_block(24, 24, 1), v2[3], torch.randn(1, 24, 56, 56))  # 24 → 144 → 24，有捷径
assert same_as(v2_block(24, 32, 2), v2[4], torch.randn(1, 24, 56, 56))  # 步长 2，没有捷径
v3 = models.mobilenet_v3_large().features
assert same_as(v3_block(112, 672, 112, 3, 1), v3[12], torch.randn(1, 112, 14, 14))
print("V2 的两个块、V3 的一个块（h-swish + SE）与 torchvision 一致:", True)
block = v2_block(24, 24, 1)
widths = [m.out_channels for m in block.body if isinstance(m, nn.Conv2d)]
print("V2 块内各层输出通道:", widths, "（两端窄、中间宽）")
# --8<-- [end:check]
