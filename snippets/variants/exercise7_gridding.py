"""练习 7：两层 3×3 空洞卷积（步长 1），一个输出像素用到感受野里的多少个像素？"""

import torch
import torch.nn.functional as F


def used_pixels(dilations: list[int]) -> tuple[int, int]:
    size = 1 + sum(2 * d for d in dilations)  # 感受野边长 R = 1 + Σ D_l (K − 1)
    x = torch.zeros(1, 1, size, size, requires_grad=True)
    y = x
    for d in dilations:
        y = F.conv2d(y, torch.ones(1, 1, 3, 3), dilation=d)  # 权重全为 1：梯度不会相互抵消
    (grad,) = torch.autograd.grad(y.sum(), x)
    return int((grad > 0).sum()), size


for dilations in ([2, 4], [1, 3]):
    used, size = used_pixels(dilations)
    print(f"空洞率 {dilations}：感受野 {size}×{size}，用到其中 {used} / {size * size} 个像素")
