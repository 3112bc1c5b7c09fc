"""转置卷积的输出尺寸 (W−1)S − 2P + D(K−1) + output_padding + 1，及它与卷积输出尺寸的关系。"""

import torch
from torch import nn


def check_integer(name: str, value: object, minimum: int) -> int:
    """value 必须是不小于 minimum 的整数（bool 不算整数），否则报出参数名。"""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} 必须是整数，收到 {value!r}")
    if value < minimum:
        raise ValueError(f"{name} 必须 >= {minimum}，收到 {value}")
    return value


def conv_output_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """普通卷积的输出长度（参数已检查过）。"""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


# --8<-- [start:formula]
def conv_transpose_output_size(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> int:
    """nn.ConvTranspose2d 在一个空间维度上的输出长度。"""
    check_integer("input_size", input_size, minimum=1)
    check_integer("kernel_size", kernel_size, minimum=1)
    check_integer("stride", stride, minimum=1)
    check_integer("padding", padding, minimum=0)
    check_integer("output_padding", output_padding, minimum=0)
    check_integer("dilation", dilation, minimum=1)
    if output_padding >= max(stride, dilation):
        raise ValueError(
            f"output_padding={output_padding} 必须小于 stride={stride} 或 dilation={dilation}"
        )
    size = (input_size - 1) * stride - 2 * padding + dilation * (kernel_size - 1)
    size += output_padding + 1
    if size < 1:
        raise ValueError(f"padding={padding} 太大：输出长度为 {size}")
    return size


# --8<-- [end:formula]

# --8<-- [start:inverse]
cases = [  # (W, K, S, P, output_padding)：解码器里常见的两种“放大 2 倍”
    (4, 3, 2, 1, 1),
    (7, 4, 2, 1, 0),
]
for w, k, s, p, op in cases:
    ours = conv_transpose_output_size(w, k, s, p, op)
    layer = nn.ConvTranspose2d(1, 1, k, s, p, op)
    assert layer(torch.zeros(1, 1, w, w)).shape[-1] == ours == 2 * w
    print(f"W={w}, K={k}, S={s}, P={p}, output_padding={op}: {w} -> {ours}")

# 一般地：卷积(转置卷积(W)) = W + ⌊output_padding / S⌋，所以 output_padding < S 时恰好回到 W
checked = 0
for w in range(1, 9):
    for k in range(1, 5):
        for s in range(1, 4):
            for d in range(1, 3):
                for p in range(3):
                    for op in range(max(s, d)):
                        try:
                            out = conv_transpose_output_size(w, k, s, p, op, d)
                        except ValueError:
                            continue  # padding 太大，输出为空
                        assert conv_output_size(out, k, s, p, d) == w + op // s
                        checked += 1
print(f"{checked} 个合法组合都满足 卷积(转置卷积(W)) == W + output_padding // S")
# --8<-- [end:inverse]
