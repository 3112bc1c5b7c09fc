"""第 2 章练习的参考答案：尺寸由真实的 PyTorch 层算出，参数量、乘加次数与字节数由 PyTorch 数出。"""

import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.flop_counter import FlopCounterMode


def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def macs(module: nn.Module, x: torch.Tensor) -> int:
    with FlopCounterMode(display=False) as counter:
        module(x)
    return counter.get_total_flops() // 2  # 1 MAC = 2 FLOPs


# --8<-- [start:ex1]
alexnet_conv1 = nn.Conv2d(3, 96, kernel_size=11, stride=4)
padded_conv1 = nn.Conv2d(3, 96, kernel_size=11, stride=4, padding=2)  # torchvision 的写法
for name, conv, side in [("不填充", alexnet_conv1, 227), ("不填充", alexnet_conv1, 224),
                         ("每侧填充 2", padded_conv1, 224)]:  # fmt: skip
    out = conv(torch.zeros(1, 3, side, side)).shape[-1]
    print(f"练习 1：输入 {side}，{name} -> 输出 {out}")
# --8<-- [end:ex1]

# --8<-- [start:ex2]
x = torch.zeros(1, 1, 20, 20)
same = F.conv2d(x, torch.zeros(1, 1, 7, 7), padding="same", dilation=2)
by_hand = F.conv2d(F.pad(x, (6, 6, 6, 6)), torch.zeros(1, 1, 7, 7), dilation=2)
print(f"练习 2：总填充 {2 * (7 - 1)}，每侧 6；", end="")
print(f"输出 {same.shape[-1]}（手动每侧补 6：{by_hand.shape[-1]}）")
# --8<-- [end:ex2]

# --8<-- [start:ex3]
with torch.device("meta"):
    layer = nn.Conv2d(64, 128, kernel_size=3, padding=1)
    feature = torch.empty(1, 64, 56, 56)
layer_macs = macs(layer, feature)
print(f"练习 3：参数 {count(layer):,} 个，MACs {layer_macs:,}（{2 * layer_macs:,} FLOPs）")
# --8<-- [end:ex3]

# --8<-- [start:ex4]
grouped = nn.Conv2d(64, 128, kernel_size=3, padding=1, groups=4)
print(f"练习 4：groups=4 时参数 {count(grouped):,} 个，权重形状 {tuple(grouped.weight.shape)}")
# --8<-- [end:ex4]

# --8<-- [start:ex5]
row = torch.zeros(1, 1, 1, 6)
floor_size = F.max_pool2d(row, (1, 3), (1, 2)).shape[-1]
ceil_size = F.max_pool2d(row, (1, 3), (1, 2), ceil_mode=True).shape[-1]
print(f"练习 5：向下取整 {floor_size} 个窗口，ceil_mode=True 时 {ceil_size} 个")
# --8<-- [end:ex5]

# --8<-- [start:ex6]
image = torch.zeros(1, 64, 56, 56)
columns = F.unfold(image, kernel_size=3, padding=1)  # (1, C_in·K·K, H'·W')
print(f"练习 6：列矩阵 {tuple(columns.shape[1:])}，{4 * columns.numel():,} 字节；", end="")
print(f"输入 {4 * image.numel():,} 字节，是它的 {columns.numel() / image.numel():.0f} 倍")
# --8<-- [end:ex6]

# --8<-- [start:ex7]
for c_in, c_out in [(128, 128), (64, 256)]:
    with torch.device("meta"):
        conv = nn.Conv2d(c_in, c_out, kernel_size=1, bias=False)
        inputs = torch.empty(1, c_in, 56, 56)
    memory = inputs.numel() + conv(inputs).numel() + conv.weight.numel()
    print(f"练习 7：{c_in} -> {c_out}：MACs {macs(conv, inputs):,}，访存量 {memory:,} 个元素")
# --8<-- [end:ex7]

assert alexnet_conv1(torch.zeros(1, 3, 227, 227)).shape[-1] == (227 - 11) // 4 + 1 == 55
assert same.shape == by_hand.shape == x.shape
assert padded_conv1(torch.zeros(1, 3, 224, 224)).shape[-1] == 55
assert count(layer) == 64 * 128 * 9 + 128 and layer_macs == 128 * 56 * 56 * 64 * 9
assert count(grouped) == 128 * (64 // 4) * 9 + 128
assert (floor_size, ceil_size) == (2, 3)
assert columns.shape[1:] == (64 * 9, 56 * 56)
