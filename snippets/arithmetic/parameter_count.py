"""参数量：C_out · (C_in / groups) · K_h · K_w 个权重，加 C_out 个偏置；与全连接层对比。"""

import torch
from torch import nn


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# --8<-- [start:formula]
def conv_parameters(
    c_in: int, c_out: int, k_h: int, k_w: int, groups: int = 1, bias: bool = True
) -> int:
    """每个滤波器只连接本组的 C_in / groups 个输入通道。"""
    for name, value in {
        "c_in": c_in,
        "c_out": c_out,
        "k_h": k_h,
        "k_w": k_w,
        "groups": groups,
    }.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} 必须是正整数，收到 {value!r}")
    if c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} 必须同时整除 c_in={c_in} 与 c_out={c_out}")
    return c_out * (c_in // groups) * k_h * k_w + (c_out if bias else 0)


for c_in, c_out, k_h, k_w, groups, bias in [
    (3, 10, 5, 5, 1, True),
    (64, 128, 3, 3, 1, False),
    (64, 128, 3, 1, 4, True),
    (32, 32, 3, 3, 32, True),  # groups = C_in：每个滤波器只有一个卷积核
]:
    layer = nn.Conv2d(c_in, c_out, (k_h, k_w), groups=groups, bias=bias)
    assert count_parameters(layer) == conv_parameters(c_in, c_out, k_h, k_w, groups, bias)
    print(
        f"Conv2d({c_in}, {c_out}, {(k_h, k_w)}, groups={groups}, bias={bias}): "
        f"{count_parameters(layer):,} 个参数"
    )
# --8<-- [end:formula]

# --8<-- [start:versus-dense]
# 32×32×3 的输入，10 个 5×5 滤波器，步长 1，每侧填充 2 -> 输出 32×32×10
conv = nn.Conv2d(3, 10, kernel_size=5, stride=1, padding=2)
out_shape = conv(torch.zeros(1, 3, 32, 32)).shape[1:]
assert tuple(out_shape) == (10, 32, 32)
# 把同样的输入映射到同样大小的输出的全连接层；在 meta 设备上创建，不占内存
with torch.device("meta"):
    dense = nn.Linear(3 * 32 * 32, out_shape.numel())
n_conv, n_dense = count_parameters(conv), count_parameters(dense)
assert n_conv == 10 * 3 * 5 * 5 + 10
assert n_dense == (3 * 32 * 32) * (10 * 32 * 32) + 10 * 32 * 32
print(f"卷积层: {n_conv:,} 个参数")
print(f"全连接层: {n_dense:,} 个参数，是卷积层的 {n_dense / n_conv:,.0f} 倍")
print(f"全连接层的 float32 权重占 {n_dense * 4 / 1e6:.1f} MB（{n_dense * 4 / 2**20:.1f} MiB）")
# --8<-- [end:versus-dense]
