"""第 3 章练习的参考答案：感受野由逐层递推算出，再用梯度实测核对；尺寸与参数由 PyTorch 算出。"""

import torch
from torch import nn


def field(layers: list[tuple[int, int, int, int]]) -> tuple[int, int]:
    """(K, S, P, D) 的列表 -> 最后一层的 (感受野边长 R, 跳距 J)。"""
    size, jump = 1, 1
    for kernel, stride, _, dilation in layers:
        size, jump = size + dilation * (kernel - 1) * jump, jump * stride
    return size, jump


def measured(layers: list[tuple[int, int, int, int]], side: int = 64) -> tuple[int, int]:
    """正权重的卷积栈：中心输出像素的非零梯度区域的 (外接方块边长, 像素个数)。"""
    convs = [nn.Conv2d(1, 1, k, s, p, d, bias=False) for k, s, p, d in layers]
    for conv in convs:
        nn.init.uniform_(conv.weight, 0.5, 1.5)
    net = nn.Sequential(*convs).double()
    image = torch.rand(1, 1, side, side, dtype=torch.float64, requires_grad=True)
    out = net(image)
    out[0, 0, out.shape[2] // 2, out.shape[3] // 2].backward()
    touched = image.grad[0, 0] != 0
    columns = touched.any(dim=0).nonzero()[:, 0]  # 外接方块的第一列与最后一列
    return int(columns[-1] - columns[0] + 1), int(touched.sum())


# --8<-- [start:ex1]
four = [(3, 1, 1, 1)] * 4
print(f"练习 1：四个 3×3 卷积 R = {field(four)[0]}，实测边长 {measured(four)[0]}")
# --8<-- [end:ex1]

# --8<-- [start:ex2]
stem = [(7, 2, 3, 1), (3, 2, 1, 1)]  # ResNet 的 conv1 与 maxpool（最大池化按几何参数相同计）
size, jump = field([*stem, (3, 1, 1, 1), (3, 1, 1, 1)])
print(f"练习 2：stem 之后 R = {field(stem)[0]}，J = {field(stem)[1]}；", end="")
print(f"再加两个 3×3：R = {size}，J = {jump}")
# --8<-- [end:ex2]

# --8<-- [start:ex3]
dilated = [(3, 1, 1, 1), (3, 1, 2, 2), (3, 1, 4, 4)]
dilated_side, dilated_count = measured(dilated)
print(f"练习 3：空洞率 1、2、4 的三个 3×3 卷积 R = {field(dilated)[0]}，", end="")
print(f"实测 {dilated_side}×{dilated_side}，非零像素 {dilated_count} 个")
# --8<-- [end:ex3]

# --8<-- [start:ex4]
downsample = nn.Sequential(*[nn.Conv2d(1, 1, 3, stride=2, padding=1) for _ in range(4)])
for width in (224, 230):
    print(f"练习 4：输入 {width} -> 最后 {downsample(torch.zeros(1, 1, width, width)).shape[-1]}")
# --8<-- [end:ex4]

# --8<-- [start:ex5]
channels = 128
with torch.device("meta"):
    three = nn.Sequential(
        *[nn.Conv2d(channels, channels, 3, padding=1, bias=False) for _ in range(3)]
    )
    one = nn.Conv2d(channels, channels, 7, padding=3, bias=False)
stacked = sum(p.numel() for p in three.parameters())
single = sum(p.numel() for p in one.parameters())
print(f"练习 5：三个 3×3 {stacked:,} 个参数，一个 7×7 {single:,} 个，比值 {stacked / single:.3f}")
# --8<-- [end:ex5]

# --8<-- [start:ex6]
gapped = [(3, 1, 0, 2)]
filled = [(3, 1, 0, 2), (3, 1, 0, 1)]
for name, layers in [("只有空洞卷积", gapped), ("再接一个普通 3×3", filled)]:
    side, count = measured(layers)
    print(f"练习 6：{name}：R = {field(layers)[0]}，外接方块 {side}×{side}，非零像素 {count} 个")
# --8<-- [end:ex6]

assert field(four) == (9, 1) and measured(four) == (9, 81)
assert field(stem) == (11, 4) and (size, jump) == (27, 4)
assert field(dilated)[0] == dilated_side == 15 and dilated_count == 15 * 15
assert [downsample(torch.zeros(1, 1, w, w)).shape[-1] for w in (224, 230)] == [14, 15]
assert stacked == 3 * 9 * channels**2 and single == 49 * channels**2
assert measured(gapped) == (5, 9) and measured(filled) == (7, 49)
