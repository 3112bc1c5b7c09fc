"""卷积的一般定义：步长、每侧填充、空洞与矩形卷积核，逐个输出位置计算，并与 F.conv2d 对照。"""

import numpy as np
import torch
import torch.nn.functional as F


# --8<-- [start:loops]
def check_geometry(**pairs: tuple[int, int]) -> None:
    """kernel、stride、dilation 的两个分量必须是正整数，padding 的必须是非负整数。"""
    for name, values in pairs.items():
        minimum = 0 if name == "padding" else 1
        if len(values) != 2 or any(
            isinstance(v, bool) or not isinstance(v, int) or v < minimum for v in values
        ):
            raise ValueError(f"{name} 必须是两个 >= {minimum} 的整数，收到 {values!r}")


def conv2d_loops(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray,
    stride: tuple[int, int] = (1, 1),
    padding: tuple[int, int] = (0, 0),
    dilation: tuple[int, int] = (1, 1),
) -> np.ndarray:
    """x: (C_in, H, W)，weight: (C_out, C_in, K_h, K_w)，返回 (C_out, H', W')。

    y[o, i, j] = b[o] + Σ_c Σ_u Σ_v  x̃[c, i·S_h + u·D_h, j·S_w + v·D_w] · w[o, c, u, v]，
    x̃ 是上下各补 P_h 行、左右各补 P_w 列 0 的输入。对 (c, u, v) 的求和交给 NumPy 一次算完。
    """
    check_geometry(stride=stride, padding=padding, dilation=dilation)
    (s_h, s_w), (p_h, p_w), (d_h, d_w) = stride, padding, dilation
    c_out, _, k_h, k_w = weight.shape
    padded = np.pad(x, ((0, 0), (p_h, p_h), (p_w, p_w)))  # 每一侧各补 P 个 0
    span_h, span_w = d_h * (k_h - 1) + 1, d_w * (k_w - 1) + 1  # 空洞卷积核实际跨越的范围
    if span_h > padded.shape[1] or span_w > padded.shape[2]:
        raise ValueError(
            f"weight 的卷积核跨越 {(span_h, span_w)}，大于填充后的输入 {padded.shape[1:]}"
        )
    out_h = (padded.shape[1] - span_h) // s_h + 1
    out_w = (padded.shape[2] - span_w) // s_w + 1
    out = np.empty((c_out, out_h, out_w), dtype=x.dtype)
    for o in range(c_out):
        for i in range(out_h):
            for j in range(out_w):
                top, left = i * s_h, j * s_w  # 窗口左上角在 x̃ 中的位置
                window = padded[:, top : top + span_h : d_h, left : left + span_w : d_w]
                out[o, i, j] = bias[o] + np.sum(window * weight[o])
    return out


# --8<-- [end:loops]

# --8<-- [start:example]
# 动图里的例子：5×5 输入，3×3 卷积核，每侧填充 1，步长 2
image = np.array(
    [
        [2, 0, 1, 3, 1],
        [1, 3, 0, 2, 2],
        [0, 2, 4, 1, 0],
        [3, 1, 2, 0, 1],
        [1, 0, 1, 2, 3],
    ],
    dtype=np.float32,
)
kernel = np.array([[1, 0, -1], [2, 1, 0], [0, -1, 1]], dtype=np.float32)
by_loops = conv2d_loops(image[None], kernel[None, None], np.zeros(1), (2, 2), (1, 1))[0]
by_torch = F.conv2d(
    torch.from_numpy(image)[None, None], torch.from_numpy(kernel)[None, None], stride=2, padding=1
)[0, 0]
print(by_loops.astype(int).tolist())
assert by_loops.shape == (3, 3)  # ⌊(5 + 2·1 − 3) / 2⌋ + 1 = 3
assert np.array_equal(by_loops, by_torch.numpy())  # 小整数，精确相等
# --8<-- [end:example]

# --8<-- [start:general]
rng = np.random.default_rng(0)
x = rng.standard_normal((3, 9, 11)).astype(np.float32)
weight = rng.standard_normal((4, 3, 3, 2)).astype(np.float32)  # 矩形卷积核：K_h=3，K_w=2
bias = rng.standard_normal(4).astype(np.float32)
settings = {"stride": (2, 1), "padding": (1, 2), "dilation": (2, 3)}
ours = conv2d_loops(x, weight, bias, **settings)
theirs = F.conv2d(
    torch.from_numpy(x)[None], torch.from_numpy(weight), torch.from_numpy(bias), **settings
)[0].numpy()
print(f"输出形状: {ours.shape}，与 F.conv2d 一致: {np.allclose(ours, theirs, atol=1e-5)}")
assert ours.shape == theirs.shape == (4, 4, 12)  # ⌊(9+2−5)/2⌋+1 = 4，⌊(11+4−4)/1⌋+1 = 12
assert np.allclose(ours, theirs, atol=1e-5)
# --8<-- [end:general]

# --8<-- [start:dilation]
# 空洞 D 等于在卷积核相邻元素之间插入 D−1 个 0：3×3、D=2 的卷积核就是一个 5×5 的稀疏卷积核
small = torch.from_numpy(kernel)[None, None]
sparse = torch.zeros(1, 1, 5, 5)
sparse[..., ::2, ::2] = small
picture = torch.from_numpy(rng.standard_normal((1, 1, 8, 8)).astype(np.float32))
same = torch.allclose(F.conv2d(picture, small, dilation=2), F.conv2d(picture, sparse), atol=1e-6)
print(f"dilation=2 的 3×3 卷积 == 插 0 后的 5×5 卷积: {same}；参数仍只有 {small.numel()} 个")
assert same
# --8<-- [end:dilation]
