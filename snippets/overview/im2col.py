"""im2col：把卷积改写成一次矩阵乘法（NumPy 实现，步长 1、不填充），并与 F.conv2d 对比。"""

import numpy as np
import torch
import torch.nn.functional as F


def im2col(x: np.ndarray, k: int) -> np.ndarray:
    """(C, H, W) -> (C·k·k, H'·W')：每一列是一个 k×k 窗口里全部通道的像素。"""
    c, h, w = x.shape
    out_h, out_w = h - k + 1, w - k + 1
    columns = np.empty((c * k * k, out_h * out_w), dtype=x.dtype)
    for i in range(out_h):
        for j in range(out_w):
            columns[:, i * out_w + j] = x[:, i : i + k, j : j + k].reshape(-1)
    return columns


rng = np.random.default_rng(0)
x = rng.standard_normal((3, 6, 6)).astype(np.float32)  # C_in=3, 6×6
weight = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)  # 4 个滤波器
bias = rng.standard_normal(4).astype(np.float32)

columns = im2col(x, k=3)  # (27, 16)：27 = 3·3·3，16 = 4·4 个输出位置
rows = weight.reshape(4, -1)  # (4, 27)：每一行是一个拉平的滤波器
out = (rows @ columns + bias[:, None]).reshape(4, 4, 4)  # (C_out, H', W')
print("列矩阵:", columns.shape, " 权重矩阵:", rows.shape, " 输出:", out.shape)

reference = F.conv2d(torch.from_numpy(x)[None], torch.from_numpy(weight), torch.from_numpy(bias))
max_error = np.abs(out - reference[0].numpy()).max()
assert max_error < 1e-5  # float32 的舍入误差：两边的求和顺序不同
print("与 F.conv2d 的最大误差小于 1e-5:", max_error < 1e-5)

# PyTorch 自带同样的展开操作：F.unfold
assert np.array_equal(columns, F.unfold(torch.from_numpy(x)[None], kernel_size=3)[0].numpy())
print("im2col 与 F.unfold 的结果逐元素相同")
