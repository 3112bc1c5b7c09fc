"""转置卷积的输出尺寸：(W−1)S − 2P + D(K−1) + output_padding + 1，逐一与 PyTorch 核对。"""

import itertools

import torch
import torch.nn.functional as F


def transposed_output_size(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    output_padding: int = 0,
) -> int:
    """沿一个轴的输出长度；参数的合法范围与 PyTorch 相同。"""
    for name, value in [
        ("size", size),
        ("kernel_size", kernel_size),
        ("stride", stride),
        ("dilation", dilation),
    ]:
        if value < 1:
            raise ValueError(f"{name} 至少为 1，实际为 {value}")
    if padding < 0:
        raise ValueError(f"padding 不能为负，实际为 {padding}")
    if not 0 <= output_padding < max(stride, dilation):
        raise ValueError(
            f"output_padding 必须在 [0, max(stride, dilation)) = [0, {max(stride, dilation)}) 内，"
            f"实际为 {output_padding}"
        )
    out = (size - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1
    if out < 1:
        raise ValueError(f"padding={padding} 太大：输出长度将是 {out}")
    return out


checked = too_small = 0
for w, k, s, p, d in itertools.product(
    range(1, 6), range(1, 5), range(1, 4), range(3), range(1, 3)
):
    for op in range(max(s, d)):
        try:
            expected = transposed_output_size(w, k, s, p, d, op)
        except ValueError:  # 输出长度不足 1：公式函数拒绝（PyTorch 也报错）
            too_small += 1
            continue
        y = F.conv_transpose2d(
            torch.zeros(1, 1, 1, w),
            torch.zeros(1, 1, 1, k),
            stride=(1, s),
            padding=(0, p),
            dilation=(1, d),
            output_padding=(0, op),
        )
        assert y.shape[-1] == expected, (w, k, s, p, d, op)
        checked += 1
print(
    f"公式与 F.conv_transpose2d 在 {checked} 种参数组合下一致；"
    f"另有 {too_small} 种组合输出长度不足 1，被公式函数拒绝"
)


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0) -> int:
    return (size + 2 * padding - kernel_size) // stride + 1


# 步长为 2 的卷积把长度 7 和 8 都变成 4；同参数的转置卷积只能从 4 回到其中一个，
# output_padding 用来选：0 → 7，1 → 8
for w in (7, 8):
    down = conv_output_size(w, kernel_size=3, stride=2, padding=1)
    up = transposed_output_size(down, kernel_size=3, stride=2, padding=1, output_padding=w - 7)
    assert up == w
    print(f"卷积 {w} → {down}，转置卷积 (output_padding={w - 7}) {down} → {up}")
