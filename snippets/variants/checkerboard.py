"""棋盘格伪影：把常数图像放大 2 倍，转置卷积的输出却忽高忽低；先插值再卷积则不会。"""

import torch
import torch.nn as nn
import torch.nn.functional as F

constant = torch.ones(1, 1, 4, 4)  # 常数输入：理想的放大结果也应当处处相同


def upsample(method: str, weight: torch.Tensor) -> torch.Tensor:
    """把 4×4 放大到 8×8 的三种做法。"""
    if method == "k3s2":  # 卷积核 3、步长 2：3 不能被 2 整除
        return F.conv_transpose2d(constant, weight, stride=2, padding=1, output_padding=1)
    if method == "k4s2":  # 卷积核 4、步长 2：4 能被 2 整除
        return F.conv_transpose2d(constant, weight, stride=2, padding=1)
    if method == "resize_conv":  # 先最近邻插值放大，再做 3×3 普通卷积
        resized = F.interpolate(constant, scale_factor=2, mode="nearest")
        return F.conv2d(F.pad(resized, (1, 1, 1, 1), mode="replicate"), weight)
    raise ValueError(f"method 必须是 'k3s2'、'k4s2' 或 'resize_conv'，实际为 {method!r}")


KERNEL_SIZES = {"k3s2": 3, "k4s2": 4, "resize_conv": 3}

# 1. 权重全为 1：输出的每个值就是“有几个输入元素的卷积核覆盖了这里”
overlaps = {m: upsample(m, torch.ones(1, 1, k, k))[0, 0] for m, k in KERNEL_SIZES.items()}
for method, counts in overlaps.items():
    assert counts.shape == (8, 8)
    print(f"{method:<11} 第 3 行的覆盖次数: {counts[3].int().tolist()}")


def distinct_values(values: torch.Tensor, tolerance: float = 1e-6) -> int:
    ordered = values.flatten().sort().values
    return 1 + int((ordered.diff() > tolerance).sum())


# 2. 随机权重（相当于“学到的”卷积核）：只看去掉最外一圈后的 6×6 内部
generator = torch.Generator().manual_seed(0)
learned = {
    m: upsample(m, torch.randn(1, 1, k, k, generator=generator))[0, 0, 1:-1, 1:-1]
    for m, k in KERNEL_SIZES.items()
}
counts = {method: distinct_values(values) for method, values in learned.items()}
assert counts == {"k3s2": 4, "k4s2": 4, "resize_conv": 1}
for method, count in counts.items():
    print(f"{method:<11} 随机权重，内部 6×6 中不同取值的个数: {count}")

# nn.Upsample + nn.Conv2d 是 resize_conv 的常见写法
layer = nn.Sequential(
    nn.Upsample(scale_factor=2, mode="nearest"),
    nn.Conv2d(1, 1, 3, padding=1, padding_mode="replicate", bias=False),
)
with torch.no_grad():
    flat = layer(constant)
assert distinct_values(flat) == 1
print("nn.Upsample + nn.Conv2d 放大常数图像，输出处处相同:", distinct_values(flat) == 1)
