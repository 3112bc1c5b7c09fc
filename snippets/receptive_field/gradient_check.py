"""用梯度实测感受野：权重全为正的卷积/池化栈，一个输出像素的非零梯度区域就是算出的感受野。"""

import math

import torch
from torch import nn

torch.manual_seed(0)

# --8<-- [start:stack]
# 每层：(种类, (K, S, P, D))，即卷积核、步长、每侧填充、空洞率
stack = [
    ("conv", (3, 1, 1, 1)),
    ("avgpool", (2, 2, 0, 1)),
    ("conv", (3, 1, 2, 2)),  # 空洞卷积
    ("conv", (3, 2, 1, 1)),
    ("conv", (3, 1, 0, 1)),
]


def field(layers: list[tuple[int, int, int, int]]) -> tuple[int, int, int]:
    """闭式解：(R, J, a)。"""
    strides = [s for _, s, _, _ in layers]
    before = [math.prod(strides[:i]) for i in range(len(layers))]
    size = 1 + sum(d * (k - 1) * j for (k, _, _, d), j in zip(layers, before, strict=True))
    start = -sum(p * j for (_, _, p, _), j in zip(layers, before, strict=True))
    return size, math.prod(strides), start


def build(stack: list, max_pool: bool = False) -> nn.Sequential:
    modules = []
    for kind, (k, s, p, d) in stack:
        if kind == "conv":
            conv = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d, bias=False)
            nn.init.uniform_(conv.weight, 0.5, 1.5)  # 全为正：各条路径的梯度只会相加，不会抵消
            modules.append(conv)
        elif max_pool:
            modules.append(nn.MaxPool2d(k, stride=s, padding=p, dilation=d))
        else:
            modules.append(nn.AvgPool2d(k, stride=s, padding=p))
    return nn.Sequential(*modules).double()


# --8<-- [end:stack]


# --8<-- [start:measure]
def gradient_mask(net: nn.Module, height: int, width: int, row: int, col: int) -> torch.Tensor:
    """输出像素 (row, col) 对输入每个像素的梯度是否非零。"""
    image = (torch.rand(1, 1, height, width, dtype=torch.float64) + 0.5).requires_grad_()
    net(image)[0, 0, row, col].backward()
    return image.grad[0, 0] != 0


def box(mask: torch.Tensor) -> tuple[tuple[int, int], tuple[int, int]]:
    """非零区域的外接矩形：((首行, 末行), (首列, 末列))。"""
    rows, cols = mask.any(dim=1).nonzero()[:, 0], mask.any(dim=0).nonzero()[:, 0]
    return (rows[0].item(), rows[-1].item()), (cols[0].item(), cols[-1].item())


# --8<-- [end:measure]

# --8<-- [start:check]
size, jump, start = field([layer for _, layer in stack])
print(f"计算: R = {size}, J = {jump}, a = {start}")
net, height, width = build(stack), 48, 40
out_h, out_w = net(torch.zeros(1, 1, height, width, dtype=torch.float64)).shape[2:]
print("输入", (height, width), "-> 输出", (out_h, out_w))

row, col = 3, 2  # 一个感受野完全落在图像内部的输出像素
first_row, first_col = start + row * jump, start + col * jump
expected = ((first_row, first_row + size - 1), (first_col, first_col + size - 1))
mask = gradient_mask(net, height, width, row, col)
(r0, r1), (c0, c1) = box(mask)
print(
    f"输出 ({row}, {col}): 非零梯度 {int(mask.sum())} 个像素, 外接矩形 行 {r0}..{r1} 列 {c0}..{c1}"
)
assert box(mask) == expected
assert mask[r0 : r1 + 1, c0 : c1 + 1].all() and int(mask.sum()) == size * size  # 整块实心

corner = gradient_mask(net, height, width, 0, 0)  # 感受野伸进了填充：实测 = 截到图像内
clipped = min(start + size - 1, height - 1) - max(start, 0) + 1
print(f"输出 (0, 0): 感受野 {start}..{start + size - 1}, 实测 {box(corner)}, 边长 {clipped}")
assert box(corner) == ((0, start + size - 1), (0, start + size - 1))
assert int(corner.sum()) == clipped * clipped
# --8<-- [end:check]

# --8<-- [start:max_pool]
with_max = gradient_mask(build(stack, max_pool=True), height, width, row, col)
inside = bool(mask[with_max].all())
print(f"换成最大池化: 非零梯度只有 {int(with_max.sum())} 个像素, 都在感受野内: {inside}")
assert int(with_max.sum()) < size * size and mask[with_max].all()
# --8<-- [end:max_pool]
