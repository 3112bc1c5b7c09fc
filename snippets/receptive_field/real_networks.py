"""真实网络的感受野：层的参数从 torchvision 的模块对象里读出（meta 设备，不分配内存）。"""

import math

import torch
from torch import nn
from torchvision import models

Layer = tuple[int, int, int, int]  # (K, S, P, D)


# --8<-- [start:read]
def geometry(module: nn.Module) -> Layer:
    """从 Conv2d / MaxPool2d / AvgPool2d 读出 (K, S, P, D)。"""
    values = []
    for name in ("kernel_size", "stride", "padding", "dilation"):
        value = getattr(module, name, 1)  # AvgPool2d 没有 dilation，等于 1
        pair = value if isinstance(value, tuple) else (value, value)
        assert isinstance(pair[0], int) and pair[0] == pair[1], (module, name)  # 正方形
        values.append(pair[0])
    assert not getattr(module, "ceil_mode", False)  # 输出边长按向下取整
    return tuple(values)


def spatial_layers(modules) -> list[Layer]:
    """按顺序取出改变空间几何的层；ReLU、BN、Dropout 不影响感受野。"""
    kinds = (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)
    return [geometry(m) for m in modules if isinstance(m, kinds)]


def field(layers: list[Layer], input_size: int) -> tuple[int, int, int, int]:
    """(R, J, a, 输出边长)，逐层递推。"""
    size, jump, start, length = 1, 1, 0, input_size
    for k, s, p, d in layers:
        span = d * (k - 1) + 1
        length = (length + 2 * p - span) // s + 1
        size, start, jump = size + (span - 1) * jump, start - p * jump, jump * s
    return size, jump, start, length


# --8<-- [end:read]


# --8<-- [start:networks]
def lenet5() -> nn.Sequential:
    """原始 LeNet-5 的卷积部分：C5 是 5×5 卷积，在 5×5 的 S4 上输出 1×1。"""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5),  # C1
        nn.Tanh(),
        nn.AvgPool2d(2),  # S2
        nn.Conv2d(6, 16, 5),  # C3
        nn.Tanh(),
        nn.AvgPool2d(2),  # S4
        nn.Conv2d(16, 120, 5),  # C5
        nn.Tanh(),
    )


with torch.device("meta"):
    lenet, vgg, resnet = lenet5(), models.vgg16(), models.resnet18()

rows = {"LeNet-5 C5": (spatial_layers(lenet), 32)}

vgg_layers, block, conv = [], 1, 0  # VGG 的命名：conv{block}_{conv}、pool{block}
for module in vgg.features:
    vgg_layers += spatial_layers([module])
    if isinstance(module, nn.Conv2d):
        conv += 1
        if (block, conv) == (5, 3):
            rows["VGG-16 conv5_3"] = (list(vgg_layers), 224)
    elif isinstance(module, nn.MaxPool2d):
        rows[f"VGG-16 pool{block}"] = (list(vgg_layers), 224)
        block, conv = block + 1, 0

resnet_layers = spatial_layers([resnet.conv1, resnet.maxpool])
rows["ResNet-18 stem"] = (list(resnet_layers), 224)
for stage in ["layer1", "layer2", "layer3", "layer4"]:
    for block in getattr(resnet, stage):
        main_path = spatial_layers([block.conv1, block.conv2])
        shortcut = spatial_layers(block.downsample or [])  # 恒等捷径：空列表
        # 捷径上的 1×1 卷积看到的区域包含在主路径的感受野内，整个块的感受野由主路径决定
        r_main, _, start_main, _ = field(main_path, 64)
        if shortcut:
            r_short, _, start_short, _ = field(shortcut, 64)
            assert start_main <= start_short and start_short + r_short <= start_main + r_main
        resnet_layers += main_path
    rows[f"ResNet-18 {stage}"] = (list(resnet_layers), 224)
# --8<-- [end:networks]

# --8<-- [start:table]
print("位置              层数  输入  输出   J     R    起点   中心")
table = {}
for name, (layers, input_size) in rows.items():
    size, jump, start, out = field(layers, input_size)
    table[name] = (size, jump, start, out)
    centre = start + (size - 1) / 2
    print(
        f"{name:<17} {len(layers):>4} {input_size:>5} {out:>5} {jump:>3} {size:>5} {start:>7}"
        f" {centre:>6g}"
    )

# 闭式解核对：R = 1 + Σ (K̂_l - 1)·J_{l-1}
for name, (layers, _) in rows.items():
    before = [math.prod(s for _, s, _, _ in layers[:i]) for i in range(len(layers))]
    closed = 1 + sum(d * (k - 1) * j for (k, _, _, d), j in zip(layers, before, strict=True))
    assert closed == table[name][0], name
assert table["LeNet-5 C5"][:2] == (32, 4) and table["LeNet-5 C5"][3] == 1  # C5 看到整张 32×32
assert table["VGG-16 pool5"][3] == table["ResNet-18 layer4"][3] == 7
# --8<-- [end:table]
