"""输入边长 W = W_L·2^m：ResNet-18 各级特征图的边长；输入不是 32 的倍数时会发生什么。"""

import math

import torch
from torch.nn import functional as F  # 只用到 F.interpolate
from torchvision import models

with torch.device("meta"):  # meta 张量只有形状，不做计算
    resnet = models.resnet18()
STAGES = ["conv1", "maxpool", "layer1", "layer2", "layer3", "layer4"]


def feature_sizes(input_size: int) -> dict[str, int]:
    sizes = {}
    hooks = [
        getattr(resnet, name).register_forward_hook(
            lambda module, args, out, name=name: sizes.__setitem__(name, out.shape[-1])
        )
        for name in STAGES
    ]
    resnet(torch.empty(1, 3, input_size, input_size, device="meta"))
    for hook in hooks:
        hook.remove()
    return sizes


print("输入  " + "".join(f"{name:>8}" for name in STAGES))
for n in [224, 225, 230]:
    sizes = feature_sizes(n)
    print(f"{n:>5} " + "".join(f"{sizes[name]:>8}" for name in STAGES))
    assert sizes["layer4"] == math.ceil(n / 32)  # 每个步长 2 的层都是 ⌈x/2⌉

assert feature_sizes(224)["layer4"] * 2**5 == 224  # 224 = 7·2⁵，每一级都整除
sevens = [n for n in range(160, 260) if feature_sizes(n)["layer4"] == 7]
print(f"layer4 是 7×7 的输入边长：{sevens[0]} 到 {sevens[-1]}")
assert sevens == list(range(sevens[0], sevens[-1] + 1)) and sevens[-1] == 224

# 编码器-解码器（U-Net、FPN）把深层特征放大 2 倍后与浅层特征相加或拼接
for n in [224, 225]:
    sizes = feature_sizes(n)
    deep, shallow = sizes["layer4"], sizes["layer3"]
    upsampled = F.interpolate(torch.zeros(1, 1, deep, deep), scale_factor=2).shape[-1]
    fits = upsampled == shallow
    print(f"输入 {n}: layer4 {deep} 放大 2 倍 -> {upsampled}, layer3 是 {shallow}, 能相加: {fits}")
    assert fits == (n % 32 == 0)
