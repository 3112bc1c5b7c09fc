"""深度与宽度：数出 VGG-16、ResNet-18 的层数与通道数；MobileNetV2 把通道数取成 8 的倍数。"""

import math

import torch
from torch import nn
from torchvision import models
from torchvision.models._utils import _make_divisible

# --8<-- [start:depth]
with torch.device("meta"):
    vgg, resnet = models.vgg16(), models.resnet18()

for name, net in [("VGG-16", vgg), ("ResNet-18", resnet)]:
    convs = [m for m in net.modules() if isinstance(m, nn.Conv2d)]
    shortcuts = [m for m in convs if m.kernel_size == (1, 1)]  # ResNet 捷径上的 1×1 卷积
    linears = [m for m in net.modules() if isinstance(m, nn.Linear)]
    depth = len(convs) - len(shortcuts) + len(linears)  # 最长路径上带权重的层
    widths = sorted({m.out_channels for m in convs})
    print(
        f"{name}: 卷积 {len(convs)} (其中捷径 1×1 {len(shortcuts)}), 全连接 {len(linears)},"
        f" 深度 {depth}, 通道数 {widths}"
    )
    assert depth == int(name.split("-")[1])
    assert all(width % 8 == 0 for width in widths)
# --8<-- [end:depth]

# --8<-- [start:width]
base = [32, 16, 24, 32, 64, 96, 160, 320]  # MobileNetV2 各级的通道数（宽度系数 1.0）
for multiplier in [0.75, 0.35]:
    raw = [c * multiplier for c in base]
    rounded = [_make_divisible(c, 8) for c in raw]
    print(f"宽度 ×{multiplier}: {[f'{c:g}' for c in raw]}")
    print(f"    取整后 {rounded}")
    assert all(c % 8 == 0 and c >= 0.9 * r for c, r in zip(rounded, raw, strict=True))

    with torch.device("meta"):
        mobilenet = models.mobilenet_v2(width_mult=multiplier)
    channels = {m.out_channels for m in mobilenet.modules() if isinstance(m, nn.Conv2d)}
    assert all(c % 8 == 0 for c in channels)  # torchvision 的每个卷积层都是 8 的倍数
    print(f"    mobilenet_v2(width_mult={multiplier}) 的 {len(channels)} 种通道数都是 8 的倍数")

# 逐步拆开 _make_divisible(v, 8)：先取最接近 v 的 8 的倍数（正好在中间时取大的），至少 8；
# 若它比 v 少了 10% 以上，再加 8
for v in [12, 18, 11.2]:
    nearest = max(8, int(v + 4) // 8 * 8)
    too_small = nearest < 0.9 * v
    result = nearest + 8 if too_small else nearest
    print(
        f"v = {v:g}: 最接近的 8 的倍数 {nearest}，0.9v = {0.9 * v:.2f}，"
        f"{'不够，加 8' if too_small else '够了'} -> {result}"
    )
    assert result == _make_divisible(v, 8)
# --8<-- [end:width]

# --8<-- [start:lanes]
lanes = 8  # 例如 AVX2：一条 256 位指令同时处理 8 个 float32
for c in [12, 16, 20, 24, 36, 40]:
    vectors = math.ceil(c / lanes)
    used = c / (vectors * lanes)
    print(f"C = {c:>2}: {vectors} 次向量运算, 用上 {c}/{vectors * lanes} = {used:.0%} 的通道位")
# --8<-- [end:lanes]
