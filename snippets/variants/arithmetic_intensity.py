"""算术强度 = FLOPs / 搬运的字节数：深度卷积每读一个字节只做两次多一点的运算。"""

BYTES_PER_FLOAT32 = 4


def conv_cost(c_in: int, c_out: int, k: int, size: int, groups: int = 1) -> tuple[int, int]:
    """stride 1、same 填充、不含偏置的卷积：(FLOPs, 最少搬运字节数)。

    最少字节数 = 输入、权重各读一次，输出写一次（float32）；实际实现只会更多。
    """
    if groups < 1 or c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} 必须整除 c_in={c_in} 与 c_out={c_out}")
    weights = c_out * (c_in // groups) * k * k
    macs = weights * size * size  # 每个输出像素用到每个权重一次
    moved = (c_in * size * size + c_out * size * size + weights) * BYTES_PER_FLOAT32
    return 2 * macs, moved  # 本书约定 1 MAC = 2 FLOPs


def layers(channels: int, size: int) -> dict[str, tuple[int, int]]:
    standard = conv_cost(channels, channels, 3, size)
    depthwise = conv_cost(channels, channels, 3, size, groups=channels)
    pointwise = conv_cost(channels, channels, 1, size)
    separable = tuple(a + b for a, b in zip(depthwise, pointwise, strict=True))
    return {
        "标准 3×3": standard,
        "深度 3×3": depthwise,
        "逐点 1×1": pointwise,
        "深度可分离": separable,
    }


SHAPES = [(32, 112), (128, 56), (512, 14)]  # (通道数, 特征图边长)
for channels, size in SHAPES:
    print(f"C={channels}, {size}×{size}, float32:")
    for name, (flops, moved) in layers(channels, size).items():
        intensity = flops / moved
        print(
            f"  {flops / 1e6:6.1f} MFLOPs {moved / 1e6:6.2f} MB {intensity:6.1f} FLOPs/字节  {name}"
        )

# 深度卷积：每个输出元素 9 次乘加（18 FLOPs），却要读一个输入元素、写一个输出元素（8 字节）
depthwise = {f"{layers(c, s)['深度 3×3'][0] / layers(c, s)['深度 3×3'][1]:.1f}" for c, s in SHAPES}
assert len(depthwise) == 1
print(f"深度 3×3 的算术强度在三种形状下都是 {depthwise.pop()} FLOPs/字节")
