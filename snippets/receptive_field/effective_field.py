"""有效感受野：L 层 3×3 均值卷积，梯度集中在理论感受野的中央，宽度只按 √L 增长。"""

import math

import torch
from torch.nn import functional as F

average = torch.full((1, 1, 3, 3), 1 / 9, dtype=torch.float64)  # 3×3 均值滤波器

print("层数 L  感受野 R  标准差 σ  95% 方块边长  边长 / R")
for layers in [1, 2, 4, 8, 16, 32]:
    size = 2 * layers + 1  # 理论感受野 R = 2L + 1：每层加 2
    image = torch.ones(1, 1, size, size, dtype=torch.float64, requires_grad=True)
    out = image
    for _ in range(layers):
        out = F.conv2d(out, average)
    out[0, 0, 0, 0].backward()  # 输出恰好 1×1
    weight = image.grad[0, 0]  # 每个输入像素对输出的影响，总和为 1
    assert out.shape == (1, 1, 1, 1) and (weight > 0).all()

    offsets = torch.arange(size, dtype=torch.float64) - layers
    sigma = math.sqrt((weight.sum(dim=1) * offsets**2).sum().item())  # 一个方向的标准差
    assert abs(sigma - math.sqrt(2 * layers / 3)) < 1e-9  # n 个 {-1, 0, 1} 上均匀分布之和

    half = 0  # 最小的居中方块，装下 95% 的梯度
    while weight[layers - half : layers + half + 1, layers - half : layers + half + 1].sum() < 0.95:
        half += 1
    side = 2 * half + 1
    print(f"{layers:>6} {size:>9} {sigma:>9.2f} {side:>13} {side / size:>9.2f}")
