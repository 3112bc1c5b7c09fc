"""im2col：把卷积改写成一次矩阵乘法（含步长、填充、空洞与矩形卷积核），并与 PyTorch 对照。"""

import numpy as np
import torch
import torch.nn.functional as F

# --8<-- [start:im2col]
Pair = tuple[int, int]


def check_geometry(**pairs: tuple[int, int]) -> None:
    """kernel、stride、dilation 的两个分量必须是正整数，padding 的必须是非负整数。"""
    for name, values in pairs.items():
        minimum = 0 if name == "padding" else 1
        if len(values) != 2 or any(
            isinstance(v, bool) or not isinstance(v, int) or v < minimum for v in values
        ):
            raise ValueError(f"{name} 必须是两个 >= {minimum} 的整数，收到 {values!r}")


def output_length(size: int, k: int, s: int, p: int, d: int) -> int:
    length = (size + 2 * p - d * (k - 1) - 1) // s + 1
    if length < 1:
        raise ValueError(f"kernel={k}（dilation={d}）大于填充后的输入长度 {size + 2 * p}")
    return length


def im2col(
    x: np.ndarray,
    kernel: Pair,
    stride: Pair = (1, 1),
    padding: Pair = (0, 0),
    dilation: Pair = (1, 1),
) -> np.ndarray:
    """(C, H, W) -> (C·K_h·K_w, H'·W')：第 (i, j) 个窗口拉平成第 i·W' + j 列。

    行按 (c, u, v) 排列，与 F.unfold 相同。不再逐个窗口复制，而是对卷积核的每个位置 (u, v)
    一次取出所有窗口在该位置上的像素：x̃[:, u·D_h + i·S_h, v·D_w + j·S_w]，i、j 取遍输出位置。
    """
    check_geometry(kernel=kernel, stride=stride, padding=padding, dilation=dilation)
    (k_h, k_w), (s_h, s_w), (p_h, p_w), (d_h, d_w) = kernel, stride, padding, dilation
    channels, height, width = x.shape
    out_h = output_length(height, k_h, s_h, p_h, d_h)
    out_w = output_length(width, k_w, s_w, p_w, d_w)
    padded = np.pad(x, ((0, 0), (p_h, p_h), (p_w, p_w)))
    columns = np.empty((channels, k_h, k_w, out_h, out_w), dtype=x.dtype)
    for u in range(k_h):
        for v in range(k_w):
            rows = slice(u * d_h, u * d_h + s_h * (out_h - 1) + 1, s_h)
            cols = slice(v * d_w, v * d_w + s_w * (out_w - 1) + 1, s_w)
            columns[:, u, v] = padded[:, rows, cols]
    return columns.reshape(channels * k_h * k_w, out_h * out_w)


def conv2d_im2col(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray,
    stride: Pair = (1, 1),
    padding: Pair = (0, 0),
    dilation: Pair = (1, 1),
) -> np.ndarray:
    """整层卷积 = (C_out, C_in·K_h·K_w) 的权重矩阵 × (C_in·K_h·K_w, H'·W') 的列矩阵。"""
    c_out, _, k_h, k_w = weight.shape
    columns = im2col(x, (k_h, k_w), stride, padding, dilation)
    out_h = output_length(x.shape[1], k_h, stride[0], padding[0], dilation[0])
    return (weight.reshape(c_out, -1) @ columns + bias[:, None]).reshape(c_out, out_h, -1)


# --8<-- [end:im2col]

# --8<-- [start:check]
rng = np.random.default_rng(0)
x = rng.standard_normal((3, 10, 9)).astype(np.float32)
weight = rng.standard_normal((4, 3, 3, 2)).astype(np.float32)  # K_h=3，K_w=2
bias = rng.standard_normal(4).astype(np.float32)
settings = {"stride": (2, 1), "padding": (1, 2), "dilation": (1, 2)}

columns = im2col(x, (3, 2), **settings)
unfolded = F.unfold(torch.from_numpy(x)[None], (3, 2), **settings)[0].numpy()
print("列矩阵:", columns.shape, " 与 F.unfold 逐元素相同:", np.array_equal(columns, unfolded))
assert np.array_equal(columns, unfolded)

ours = conv2d_im2col(x, weight, bias, **settings)
theirs = F.conv2d(
    torch.from_numpy(x)[None], torch.from_numpy(weight), torch.from_numpy(bias), **settings
)[0].numpy()
assert ours.shape == theirs.shape == (4, 5, 11)  # ⌊(10+2−3)/2⌋+1 = 5，⌊(9+4−3)/1⌋+1 = 11
small_error = float(np.abs(ours - theirs).max()) < 1e-4  # 只是浮点求和顺序不同
assert small_error
print("输出:", ours.shape, " 与 F.conv2d 的最大误差 < 1e-4:", small_error)
# 代价是内存：相邻窗口重叠，同一个像素被复制到多列里
typical = im2col(np.zeros((8, 16, 16), dtype=np.float32), (3, 3), padding=(1, 1))
print(
    f"列矩阵的元素个数是输入的 {columns.size / x.size:.2f} 倍；3×3、步长 1、填充 1 时是 "
    f"{typical.size / (8 * 16 * 16):.2f} 倍"
)
# --8<-- [end:check]
