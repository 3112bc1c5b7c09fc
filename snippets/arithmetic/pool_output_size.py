"""池化输出尺寸：与卷积同一个公式；ceil_mode 向上取整，但最后一个窗口必须从输入或左填充里开始。"""

import torch
from torch.nn import functional as F


def check_integer(name: str, value: object, minimum: int) -> int:
    """value 必须是不小于 minimum 的整数（bool 不算整数），否则报出参数名。"""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} 必须是整数，收到 {value!r}")
    if value < minimum:
        raise ValueError(f"{name} 必须 >= {minimum}，收到 {value}")
    return value


# --8<-- [start:formula]
def pool_output_size(
    input_size: int,
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """MaxPool/AvgPool 在一个空间维度上的输出长度；stride 缺省时等于 kernel_size。"""
    stride = kernel_size if stride is None else stride
    check_integer("input_size", input_size, minimum=1)
    check_integer("kernel_size", kernel_size, minimum=1)
    check_integer("stride", stride, minimum=1)
    check_integer("padding", padding, minimum=0)
    check_integer("dilation", dilation, minimum=1)
    if padding > kernel_size // 2:
        raise ValueError(f"padding={padding} 不能超过 kernel_size 的一半（{kernel_size // 2}）")
    span = dilation * (kernel_size - 1) + 1
    room = input_size + 2 * padding - span  # 第一个窗口之后还能移动的距离
    if not ceil_mode:
        size = room // stride + 1
    else:
        size = -(-room // stride) + 1  # 向上取整
        if (size - 1) * stride >= input_size + padding:  # 最后一个窗口落在右侧填充里：丢掉
            size -= 1
    if size < 1:
        raise ValueError(
            f"input_size={input_size} 太小：kernel_size={kernel_size}、padding={padding} 时输出为空"
        )
    return size


# --8<-- [end:formula]

# --8<-- [start:examples]
cases = [  # (W, K, S, P, D, ceil_mode)
    (32, 2, 2, 0, 1, False),
    (7, 2, 2, 0, 1, False),
    (7, 2, 2, 0, 1, True),
    (112, 3, 2, 1, 1, False),
    (5, 2, 2, 1, 1, True),  # 向上取整得 4，但第 4 个窗口从右填充开始，被丢掉
    (10, 3, 2, 1, 2, True),
]
print("  W  K  S  P  D  ceil  -> 输出  (向下取整 / 向上取整)")
for w, k, s, p, d, ceil in cases:
    ours = pool_output_size(w, k, s, p, d, ceil)
    x = torch.zeros(1, 1, 1, w)
    theirs = F.max_pool2d(x, (1, k), (1, s), (0, p), (1, d), ceil_mode=ceil).shape[-1]
    assert ours == theirs
    room = w + 2 * p - d * (k - 1) - 1
    floor_size, ceil_size = room // s + 1, -(-room // s) + 1
    settings = f"{w:>3}{k:>3}{s:>3}{p:>3}{d:>3}  {ceil!s:<5}"
    print(f"{settings} -> {ours:>3}   ({floor_size} / {ceil_size})")
# --8<-- [end:examples]

# --8<-- [start:partial]
image = torch.tensor(
    [
        [1, 3, 2, 0, 4],
        [5, 2, 1, 6, 2],
        [0, 4, 3, 1, 5],
        [2, 1, 7, 2, 0],
        [3, 6, 1, 4, 8],
    ],
    dtype=torch.float32,
)[None, None]  # (B=1, C=1, 5, 5)
max_out = F.max_pool2d(image, kernel_size=2, stride=2, ceil_mode=True)
avg_out = F.avg_pool2d(image, kernel_size=2, stride=2, ceil_mode=True)
assert max_out.shape[-2:] == (pool_output_size(5, 2, ceil_mode=True),) * 2 == (3, 3)
print("最大池化:", max_out[0, 0].int().tolist())
print("平均池化:", [[round(v, 2) for v in row] for row in avg_out[0, 0].tolist()])
# 右下角的窗口只盖住 1 个像素（8），平均池化就只除以 1，而不是 4
assert avg_out[0, 0, 2, 2] == image[0, 0, 4, 4] == 8
assert avg_out[0, 0, 0, 2] == image[0, 0, 0:2, 4].mean()  # 最右一列的窗口盖住 2 个像素
# --8<-- [end:partial]

# --8<-- [start:include-pad]
# 显式的填充不一样：每侧填充 1 时，左上角的窗口盖住 3 个填充的 0 和像素 1
counted = F.avg_pool2d(image, kernel_size=2, stride=2, padding=1)  # 默认 count_include_pad=True
ignored = F.avg_pool2d(image, kernel_size=2, stride=2, padding=1, count_include_pad=False)
print(f"每侧填充 1，左上角的平均值：填充的 0 也算 {counted[0, 0, 0, 0].item()}，", end="")
print(f"count_include_pad=False 时 {ignored[0, 0, 0, 0].item()}")
assert counted[0, 0, 0, 0] == image[0, 0, 0, 0] / 4 and ignored[0, 0, 0, 0] == image[0, 0, 0, 0]
# --8<-- [end:include-pad]
