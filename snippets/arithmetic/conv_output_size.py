"""卷积输出尺寸计算器：逐个空间维度套用公式，拒绝 PyTorch 也会拒绝的配置。"""

import torch
from torch import nn


# --8<-- [start:checks]
def check_integer(name: str, value: object, minimum: int) -> int:
    """value 必须是不小于 minimum 的整数（bool 不算整数），否则报出参数名。"""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} 必须是整数，收到 {value!r}")
    if value < minimum:
        raise ValueError(f"{name} 必须 >= {minimum}，收到 {value}")
    return value


# --8<-- [end:checks]


# --8<-- [start:formula]
def conv_output_size(
    input_size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """一个空间维度上的输出长度 ⌊(W + 2P − D(K−1) − 1) / S⌋ + 1；padding 是每一侧的宽度。"""
    check_integer("input_size", input_size, minimum=1)
    check_integer("kernel_size", kernel_size, minimum=1)
    check_integer("stride", stride, minimum=1)
    check_integer("padding", padding, minimum=0)
    check_integer("dilation", dilation, minimum=1)
    span = dilation * (kernel_size - 1) + 1  # 空洞卷积核在输入上实际跨越的长度
    padded = input_size + 2 * padding
    if span > padded:
        raise ValueError(
            f"kernel_size={kernel_size}（dilation={dilation}，跨越 {span} 格）"
            f"大于填充后的输入长度 {padded}"
        )
    return (padded - span) // stride + 1  # Python 的 // 是向下取整


# --8<-- [end:formula]


# --8<-- [start:shape]
def pair(name: str, value: int | tuple[int, int]) -> tuple[int, int]:
    """PyTorch 的写法：一个整数表示高、宽相同，一个二元组依次给出高、宽。"""
    if isinstance(value, tuple) and len(value) == 2:
        return value
    if isinstance(value, tuple):
        raise ValueError(f"{name} 必须是整数或 (高, 宽) 二元组，收到 {value!r}")
    return value, value


def conv2d_output_shape(
    input_shape: tuple[int, int, int],
    out_channels: int,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> tuple[int, int, int]:
    """nn.Conv2d 把 (C_in, H, W) 变成 (C_out, H', W')：高、宽各用一次公式。"""
    in_channels, height, width = input_shape
    check_integer("in_channels", in_channels, minimum=1)
    check_integer("out_channels", out_channels, minimum=1)
    check_integer("groups", groups, minimum=1)
    if in_channels % groups or out_channels % groups:
        raise ValueError(
            f"groups={groups} 必须同时整除 in_channels={in_channels} 与 out_channels={out_channels}"
        )
    per_axis = zip(
        (height, width),
        pair("kernel_size", kernel_size),
        pair("stride", stride),
        pair("padding", padding),
        pair("dilation", dilation),
        strict=True,
    )
    out_h, out_w = (conv_output_size(*axis) for axis in per_axis)
    return out_channels, out_h, out_w


# --8<-- [end:shape]

# --8<-- [start:examples]
examples = [  # (输入 (C, H, W), nn.Conv2d 的参数)
    ((3, 32, 32), {"out_channels": 10, "kernel_size": 5, "padding": 2}),
    ((3, 224, 224), {"out_channels": 64, "kernel_size": 7, "stride": 2, "padding": 3}),
    ((8, 7, 10), {"out_channels": 4, "kernel_size": (3, 2), "stride": (2, 3), "dilation": 2}),
    ((6, 5, 5), {"out_channels": 6, "kernel_size": 3, "padding": (0, 1), "groups": 3}),
]
for input_shape, arguments in examples:
    ours = conv2d_output_shape(input_shape, **arguments)
    layer = nn.Conv2d(input_shape[0], **arguments)
    theirs = tuple(layer(torch.zeros(1, *input_shape)).shape[1:])
    assert ours == theirs
    print(f"{input_shape!s:<14} {arguments} -> {ours}")

for bad in [{"stride": 0}, {"padding": -1}, {"kernel_size": 9}, {"groups": 4}]:
    try:
        conv2d_output_shape((6, 5, 5), **{"out_channels": 6, "kernel_size": 3, **bad})
    except ValueError as error:
        print(f"{bad} -> ValueError: {error}")
# --8<-- [end:examples]
