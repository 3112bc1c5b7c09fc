"""堆叠空洞卷积：感受野 1 + Σ D_l(K − 1)，以及同一空洞率反复堆叠时的网格效应。"""

import torch
import torch.nn.functional as F


def receptive_field(dilations: list[int], kernel_size: int = 3) -> int:
    """步长都为 1 时，第 l 层把感受野加宽 D_l·(K − 1)。"""
    if kernel_size < 1:
        raise ValueError(f"kernel_size 至少为 1，实际为 {kernel_size}")
    if not dilations or any(d < 1 for d in dilations):
        raise ValueError(f"dilations 必须是非空的正整数列表，实际为 {dilations}")
    return 1 + sum(d * (kernel_size - 1) for d in dilations)


def touched_pixels(dilations: list[int], kernel_size: int = 3) -> torch.Tensor:
    """一个输出像素到底用到了感受野里的哪些输入像素：对输入求梯度，非零处即用到的像素。

    权重全取 1，梯度的值就是从该输入像素走到输出的路径条数，不会相互抵消。
    """
    size = receptive_field(dilations, kernel_size)
    x = torch.zeros(1, 1, size, size, dtype=torch.float64, requires_grad=True)
    ones = torch.ones(1, 1, kernel_size, kernel_size, dtype=torch.float64)
    y = x
    for d in dilations:
        y = F.conv2d(y, ones, dilation=d)  # 不填充：最后正好剩 1×1
    (grad,) = torch.autograd.grad(y.sum(), x)
    return grad[0, 0]


for dilations in ([1, 1, 1], [1, 2, 4], [2, 2, 2], [1, 2, 3], [1, 2, 5], [1, 5]):
    paths = touched_pixels(dilations)
    size = receptive_field(dilations)
    used = int((paths > 0).sum())
    assert paths.shape == (size, size)
    print(f"空洞率 {dilations}：感受野 {size}×{size}，用到其中 {used} / {size * size} 个像素")

# 网格效应：三层 dilation=2 只用到行、列都是偶数的像素，像素之间漏掉一格
gridded = touched_pixels([2, 2, 2]) > 0
assert gridded[::2, ::2].all() and not gridded[1::2].any() and not gridded[:, 1::2].any()
for row in gridded[:5]:
    print(" ".join("#" if used else "." for used in row.tolist()) + " ...")
