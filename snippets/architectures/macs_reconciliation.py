"""同一个 ResNet-50，各家工具数出的“计算量”为什么不一样：按层的种类拆开，再按各工具的规则相加。"""

from collections import Counter

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode
from torchvision import models
from torchvision.models.resnet import Bottleneck


def padded(text: str, width: int) -> str:
    """左对齐到 width 个字符宽（一个汉字或全角括号占两格）。"""
    return text + " " * (width - sum(2 if ord(ch) > 0x2E80 else 1 for ch in text))


# --8<-- [start:parts]
with torch.device("meta"):
    model = models.resnet50().eval()
image = torch.empty(1, 3, 224, 224, device="meta")
parts = Counter()


def record(module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
    x = inputs[0]
    if isinstance(module, nn.Conv2d):
        parts["卷积乘加"] += (
            output.numel() * module.in_channels // module.groups * module.weight[0, 0].numel()
        )
    elif isinstance(module, nn.Linear):
        parts["全连接乘加"] += output.numel() * module.in_features
        parts["全连接偏置"] += output.numel()
    elif isinstance(module, nn.BatchNorm2d):
        parts["BN 元素"] += x.numel()
        parts["BN 参数"] += module.weight.numel() + module.bias.numel()
    elif isinstance(module, nn.ReLU):
        parts["ReLU 元素"] += output.numel()
    elif isinstance(module, nn.MaxPool2d):
        parts["最大池化输入元素"] += x.numel()
    elif isinstance(module, nn.AdaptiveAvgPool2d):
        parts["全局平均池化输入元素"] += x.numel()
    elif isinstance(module, Bottleneck):
        parts["残差相加元素"] += output.numel()  # 每个块末尾 out += identity 一次


hooks = [m.register_forward_hook(record) for m in model.modules()]
model(image)
for hook in hooks:
    hook.remove()
for name, value in parts.items():
    print(f"{padded(name, 22)}{value:>14,}")
# --8<-- [end:parts]

# --8<-- [start:tools]
macs = parts["卷积乘加"] + parts["全连接乘加"]
with FlopCounterMode(display=False) as counter:
    model(image)
rules = {  # 各工具的规则，读自它们的源码（见正文）；单位都换成 G
    "torchvision _ops（GMACs）": macs,
    "FlopCounterMode（FLOPs）": counter.get_total_flops(),
    "fvcore（1 次乘加记 1）": macs + 2 * parts["BN 元素"] + parts["全局平均池化输入元素"],
    "ptflops pytorch 后端（MACs）": macs
    + parts["全连接偏置"]
    + 2 * parts["BN 元素"]
    + parts["ReLU 元素"]
    + parts["最大池化输入元素"]
    + parts["全局平均池化输入元素"],
    "torchinfo（mult-adds）": macs + parts["全连接偏置"] + parts["BN 参数"],
}
for name, value in rules.items():
    print(f"{padded(name, 30)}{value / 1e9:>6.3f} G")
assert counter.get_total_flops() == 2 * macs  # FlopCounterMode 只数卷积与矩阵乘法，每次乘加 2 FLOPs
weights = models.ResNet50_Weights.DEFAULT
assert round(macs / 1e9, 3) == weights.meta["_ops"]
# --8<-- [end:tools]
