"""F.conv2d 计算的是互相关；把卷积核翻转 180° 之后，它算出的才是数学定义的卷积。"""

import numpy as np
import torch
import torch.nn.functional as F

x = torch.tensor([[1, 2, 0, 3], [4, 1, 2, 1], [0, 3, 1, 2], [2, 1, 4, 0]], dtype=torch.float32)
w = torch.tensor([[1, 2, 0], [0, -1, 3]], dtype=torch.float32)  # 2×3，不对称，翻转后不同
kh, kw = w.shape


def cross_correlation(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """y[i, j] = Σ_u Σ_v x[i+u, j+v] · w[u, v]：窗口与卷积核按原样对齐（只算 valid 区域）。"""
    out = torch.zeros(x.shape[0] - kh + 1, x.shape[1] - kw + 1)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = (x[i : i + kh, j : j + kw] * w).sum()
    return out


def convolution_full(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """y[i, j] = Σ_m Σ_n x[m, n] · w[i−m, j−n]：定义式，所有 w 的下标合法的 (i, j) 都算（full）。"""
    out = torch.zeros(x.shape[0] + kh - 1, x.shape[1] + kw - 1)
    for m in range(x.shape[0]):
        for n in range(x.shape[1]):
            out[m : m + kh, n : n + kw] += x[m, n] * w  # x[m, n] 贡献给 i = m+u, j = n+v
    return out


def to_4d(t: torch.Tensor) -> torch.Tensor:
    return t[None, None]  # (H, W) -> (B=1, C=1, H, W)


torch_result = F.conv2d(to_4d(x), to_4d(w))[0, 0]
print("F.conv2d(x, w):", torch_result.int().tolist())
print("互相关（不翻转）:", cross_correlation(x, w).int().tolist())
assert torch.equal(torch_result, cross_correlation(x, w))

# 卷积的 valid 部分：去掉 full 结果四周各 (K−1) 行/列
convolution_valid = convolution_full(x, w)[kh - 1 : x.shape[0], kw - 1 : x.shape[1]]
print("卷积（翻转）:  ", convolution_valid.int().tolist())
assert not torch.equal(torch_result, convolution_valid)

flipped = torch.flip(w, dims=(0, 1))  # 旋转 180° = 上下翻转 + 左右翻转
assert torch.equal(F.conv2d(to_4d(x), to_4d(flipped))[0, 0], convolution_valid)
full = F.conv2d(to_4d(x), to_4d(flipped), padding=(kh - 1, kw - 1))[0, 0]
assert torch.equal(full, convolution_full(x, w))
print("F.conv2d(x, 翻转的 w) 等于卷积（valid 与 full 两种范围）: True")

# 与 NumPy 的独立实现对照（一维）：np.convolve 翻转，np.correlate 不翻转
a, b = np.array([1.0, 2, 0, 3, 1]), np.array([1.0, 0, -2])
a1, b1 = torch.tensor(a)[None, None], torch.tensor(b)[None, None]
assert np.array_equal(F.conv1d(a1, b1)[0, 0].numpy(), np.correlate(a, b, mode="valid"))
flipped_b = torch.flip(b1, dims=(2,))
assert np.array_equal(F.conv1d(a1, flipped_b, padding=2)[0, 0].numpy(), np.convolve(a, b))
print("F.conv1d == np.correlate；翻转后 F.conv1d == np.convolve: True")

# 翻转带来的好处：卷积满足交换律，互相关不满足（交换两个序列，结果前后颠倒）
assert np.array_equal(np.convolve(a, b), np.convolve(b, a))
assert not np.array_equal(np.correlate(a, b, "full"), np.correlate(b, a, "full"))
assert np.array_equal(np.correlate(a, b, "full"), np.correlate(b, a, "full")[::-1])
print("卷积满足交换律: True；互相关交换后前后颠倒: True")
