"""可变形卷积：torchvision.ops.deform_conv2d 的偏移张量、(dy, dx) 顺序与调制掩码。"""

# --8<-- [start:wrapper]
import torch
import torch.nn.functional as F
import torchvision


def deformable_conv(
    x: torch.Tensor,
    weight: torch.Tensor,
    offset: torch.Tensor,
    mask: torch.Tensor | None = None,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> torch.Tensor:
    """检查形状后调用 torchvision.ops.deform_conv2d。

    offset: (B, 2·K·K·offset_groups, H', W')，每个卷积核位置一对 (dy, dx)；
    mask:   (B, K·K·offset_groups, H', W')，每个采样点一个调制系数（可变形卷积 v2）。
    """
    batch, channels, height, width = x.shape
    k_h, k_w = weight.shape[-2:]
    out_h = (height + 2 * padding - dilation * (k_h - 1) - 1) // stride + 1
    out_w = (width + 2 * padding - dilation * (k_w - 1) - 1) // stride + 1
    per_group = 2 * k_h * k_w
    if (
        offset.dim() != 4
        or offset.shape[0] != batch
        or offset.shape[1] % per_group
        or tuple(offset.shape[2:]) != (out_h, out_w)
    ):
        raise ValueError(
            f"offset 的形状必须是 (B, 2·{k_h}·{k_w}·offset_groups, {out_h}, {out_w})，"
            f"B={batch}，实际为 {tuple(offset.shape)}"
        )
    offset_groups = offset.shape[1] // per_group
    if channels % offset_groups:
        raise ValueError(f"offset_groups={offset_groups} 必须整除输入通道数 {channels}")
    expected_mask = (batch, offset_groups * k_h * k_w, out_h, out_w)
    if mask is not None and tuple(mask.shape) != expected_mask:
        raise ValueError(f"mask 的形状必须是 {expected_mask}，实际为 {tuple(mask.shape)}")
    return torchvision.ops.deform_conv2d(
        x, offset, weight, stride=stride, padding=padding, dilation=dilation, mask=mask
    )


# --8<-- [end:wrapper]


# --8<-- [start:shapes]
torch.manual_seed(0)
x = torch.randn(1, 4, 8, 8, dtype=torch.float64)
w = torch.randn(6, 4, 3, 3, dtype=torch.float64)
zero = torch.zeros(1, 2 * 3 * 3, 8, 8, dtype=torch.float64)  # 1 个偏移组：18 个通道
print("offset:", tuple(zero.shape), " 输出:", tuple(deformable_conv(x, w, zero, padding=1).shape))

# 偏移为 0 时，就是普通卷积
same = torch.allclose(deformable_conv(x, w, zero, padding=1), F.conv2d(x, w, padding=1))
assert same
print("偏移全为 0 == 普通卷积:", same)

# 2 个偏移组：前 2 个输入通道、后 2 个输入通道各用一套偏移
two_groups = torch.randn(1, 2 * 2 * 3 * 3, 8, 8, dtype=torch.float64)
mask = torch.rand(1, 2 * 3 * 3, 8, 8, dtype=torch.float64)
print(
    "2 个偏移组: offset",
    tuple(two_groups.shape),
    " mask",
    tuple(mask.shape),
    " 输出",
    tuple(deformable_conv(x, w, two_groups, mask, padding=1).shape),
)
# --8<-- [end:shapes]

# --8<-- [start:order]
# 通道 2k 是第 k 个卷积核位置（按行优先编号）的 dy，通道 2k+1 是它的 dx。
# 用“坐标图”核对：通道 0 的值是行号，通道 1 的值是列号，读出来的就是采样位置
rows, cols = torch.meshgrid(torch.arange(8.0), torch.arange(8.0), indexing="ij")
coords = torch.stack([rows, cols]).unsqueeze(0).double()
read_tap0 = torch.zeros(2, 2, 3, 3, dtype=torch.float64)
read_tap0[0, 0, 0, 0] = read_tap0[1, 1, 0, 0] = 1  # 只读第 0 个位置（左上角）
for channel, name, expected in [(0, "dy", (4, 3)), (1, "dx", (3, 4))]:
    offset = zero.clone()
    offset[0, channel] = 1.0
    sampled = deformable_conv(coords, read_tap0, offset, padding=1)[0, :, 4, 4]
    assert tuple(sampled.tolist()) == expected
    print(f"输出 (4, 4) 的左上角采样点 (3, 3)，{name} = 1 后变为 {tuple(sampled.int().tolist())}")
# --8<-- [end:order]

# --8<-- [start:integer]
# 所有位置都偏移同一个整数 (dy, dx)：等于普通卷积的结果整体平移（越界处按 0 处理）
wide = F.conv2d(F.pad(x, (4, 4, 4, 4)), w)  # 多填 3 圈 0：wide[a, b] 对应输出位置 (a−3, b−3)
for dy, dx in [(1, -2), (-3, 2)]:
    offset = torch.tensor([dy, dx], dtype=torch.float64).repeat(9).view(1, 18, 1, 1)
    moved = deformable_conv(x, w, offset.expand(1, 18, 8, 8), padding=1)
    assert torch.allclose(moved, wide[:, :, 3 + dy : 11 + dy, 3 + dx : 11 + dx])
print("整数偏移 (dy, dx) == 普通卷积结果平移 (dy, dx)")

# 小数偏移用双线性插值：dx = 0.5 正好是左右两个整数位置的平均
half = torch.tensor([0.0, 0.5], dtype=torch.float64).repeat(9).view(1, 18, 1, 1)
between = deformable_conv(x, w, half.expand(1, 18, 8, 8), padding=1)
average = (wide[:, :, 3:11, 3:11] + wide[:, :, 3:11, 4:12]) / 2
assert torch.allclose(between, average)
print("dx = 0.5 == dx = 0 与 dx = 1 的平均")
# --8<-- [end:integer]

# --8<-- [start:mask]
# 调制掩码（v2）：每个采样值先乘上 mask 再与权重相乘
ones = torch.ones(1, 9, 8, 8, dtype=torch.float64)
no_centre = ones.clone()
no_centre[:, 4] = 0  # 第 4 个位置 = 卷积核中心
w_no_centre = w.clone()
w_no_centre[:, :, 1, 1] = 0
assert torch.allclose(deformable_conv(x, w, zero, ones, padding=1), F.conv2d(x, w, padding=1))
assert torch.allclose(
    deformable_conv(x, w, zero, no_centre, padding=1), F.conv2d(x, w_no_centre, padding=1)
)
print("mask 全 1 == 不加 mask；mask 的中心通道为 0 == 卷积核中心置 0")

try:
    deformable_conv(x, w, torch.zeros(1, 17, 8, 8), padding=1)
except ValueError as error:
    print("ValueError:", error)
# --8<-- [end:mask]
