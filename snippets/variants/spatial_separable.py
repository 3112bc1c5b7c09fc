"""空间可分离卷积：秩 1 的 3×3 卷积核，等于先做 3×1 卷积、再做 1×3 卷积。"""

import torch
from torch.nn.functional import conv2d
from torch.utils.flop_counter import FlopCounterMode

torch.manual_seed(0)

# Sobel 卷积核 = 列向量（竖直方向平滑）与行向量（水平方向差分）的外积
smooth = torch.tensor([1.0, 2.0, 1.0])
difference = torch.tensor([1.0, 0.0, -1.0])
sobel = torch.outer(smooth, difference)
print(sobel.int().tolist())

image = torch.randn(1, 1, 32, 32)
once = conv2d(image, sobel.view(1, 1, 3, 3), padding=1)
tall = conv2d(image, smooth.view(1, 1, 3, 1), padding=(1, 0))  # 3×1：只沿高度方向
twice = conv2d(tall, difference.view(1, 1, 1, 3), padding=(0, 1))  # 1×3：只沿宽度方向
assert once.shape == twice.shape == (1, 1, 32, 32)
assert torch.allclose(once, twice, atol=1e-5)
print("3×3 一次 与 3×1 再 1×3 结果相同:", torch.allclose(once, twice, atol=1e-5))


def count_macs(fn) -> int:
    """让 PyTorch 自己数乘加次数：FlopCounterMode 按 1 次乘加 = 2 FLOPs 计数。"""
    with FlopCounterMode(display=False) as counter:
        fn()
    return counter.get_total_flops() // 2


macs_once = count_macs(lambda: conv2d(image, sobel.view(1, 1, 3, 3), padding=1))
macs_twice = count_macs(
    lambda: conv2d(
        conv2d(image, smooth.view(1, 1, 3, 1), padding=(1, 0)),
        difference.view(1, 1, 1, 3),
        padding=(0, 1),
    )
)
pixels = 32 * 32
assert (macs_once, macs_twice) == (9 * pixels, (3 + 3) * pixels)
print(f"32×32 图上的乘加次数: 3×3 一次 {macs_once:,}，分两次 {macs_twice:,}")

# 每个卷积核的参数量，以及每个输出像素的乘加次数：K² 对 2K
for k in (3, 5, 7, 11):
    print(f"K={k}：K² = {k * k}，2K = {2 * k}，比值 2K/K² = {2 * k / (k * k):.3f}")
