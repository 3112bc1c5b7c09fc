"""自适应池化：指定输出大小，窗口由 PyTorch 按公式算出；全局池化就是输出大小为 1 的自适应池化。"""

import math

import torch
from torch import nn
from torch.nn import functional as F


# --8<-- [start:windows]
def adaptive_windows(size: int, output_size: int) -> list[tuple[int, int]]:
    """沿一个轴，第 i 个输出的窗口是 [floor(i·W/W'), ceil((i+1)·W/W'))，半开区间。"""
    if size < 1 or output_size < 1:
        raise ValueError(f"size 与 output_size 至少为 1，实际为 {size} 与 {output_size}")
    return [
        (i * size // output_size, math.ceil((i + 1) * size / output_size))
        for i in range(output_size)
    ]


def adaptive_pool(x: torch.Tensor, output_size: tuple[int, int], mode: str) -> torch.Tensor:
    """(B, C, H, W) → (B, C, H', W')：每个输出是它那个窗口的平均值（"avg"）或最大值（"max"）。"""
    if mode not in ("avg", "max"):
        raise ValueError(f"mode 必须是 'avg' 或 'max'，实际为 {mode!r}")
    rows = adaptive_windows(x.shape[-2], output_size[0])
    cols = adaptive_windows(x.shape[-1], output_size[1])
    out = x.new_empty(*x.shape[:-2], *output_size)
    for i, (r0, r1) in enumerate(rows):
        for j, (c0, c1) in enumerate(cols):
            window = x[..., r0:r1, c0:c1]
            out[..., i, j] = window.mean((-2, -1)) if mode == "avg" else window.amax((-2, -1))
    return out


# --8<-- [end:windows]

# --8<-- [start:check]
for size, output_size in [(5, 3), (10, 4), (8, 4)]:
    windows = adaptive_windows(size, output_size)
    lengths = [end - start for start, end in windows]
    print(f"W={size} → W'={output_size}：窗口 {windows}，长度 {lengths}")

# 与 PyTorch 逐个核对：各种输入、输出大小，平均池化与最大池化都用同一组窗口
generator = torch.Generator().manual_seed(0)
checked = 0
for height in range(1, 8):
    for width in range(1, 8):
        x = torch.randn(2, 3, height, width, dtype=torch.float64, generator=generator)
        for out_h in range(1, height + 2):  # 输出比输入大也可以：窗口长度为 1，会重复
            size = (out_h, max(1, width // 2))
            averaged = adaptive_pool(x, size, "avg")
            assert torch.allclose(averaged, F.adaptive_avg_pool2d(x, size), atol=1e-12)
            assert torch.equal(adaptive_pool(x, size, "max"), F.adaptive_max_pool2d(x, size))
            checked += 1
print(f"与 F.adaptive_avg_pool2d / F.adaptive_max_pool2d 核对了 {checked} 种输入、输出大小")

# 能整除时，它就是窗口 = 步长 = W / W' 的普通池化
x = torch.randn(1, 2, 8, 8, generator=generator)
assert torch.equal(nn.AdaptiveAvgPool2d(4)(x), nn.AvgPool2d(2)(x))
# 输出大小为 1：窗口是整张特征图，这就是全局平均池化
assert torch.allclose(nn.AdaptiveAvgPool2d(1)(x), x.mean(dim=(2, 3), keepdim=True))
print("8×8 → 4×4 等于 2×2/S2 的平均池化；输出 1×1 等于全局平均池化")
# --8<-- [end:check]
