"""转置卷积的两种看法：把每个输入元素乘卷积核“撒”到输出上；或插零、填充后做普通卷积。"""

# --8<-- [start:example]
import torch
import torch.nn.functional as F

x = torch.tensor([[1.0, 2.0], [3.0, -1.0]])  # 2×2 输入
w = torch.tensor([[1.0, 0.0, 2.0], [-1.0, 1.0, 0.0], [0.0, 2.0, 1.0]])  # 3×3 卷积核
stride = 2

# 看法一：输入元素 x[i, j] 把 x[i, j]·w 加到输出左上角 (i·S, j·S) 开始的 3×3 区域
scattered = torch.zeros((2 - 1) * stride + 3, (2 - 1) * stride + 3)  # (W−1)S + K = 5
for i in range(2):
    for j in range(2):
        scattered[i * stride : i * stride + 3, j * stride : j * stride + 3] += x[i, j] * w

by_torch = F.conv_transpose2d(x.view(1, 1, 2, 2), w.view(1, 1, 3, 3), stride=stride)[0, 0]
assert torch.equal(scattered, by_torch)
print(by_torch.int().tolist())
# --8<-- [end:example]


# --8<-- [start:zero_insertion]
def transposed_by_zero_insertion(
    x: torch.Tensor,
    weight: torch.Tensor,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    output_padding: int = 0,
) -> torch.Tensor:
    """F.conv_transpose2d(x, weight, ...)，只用插零、填充和一次 stride=1 的普通卷积实现。

    weight 的形状与 conv_transpose2d 相同：(C_in, C_out, K, K)。
    """
    if stride < 1 or dilation < 1:
        raise ValueError(f"stride 与 dilation 至少为 1，实际为 {stride} 与 {dilation}")
    if padding < 0 or not 0 <= output_padding < max(stride, dilation):
        raise ValueError(
            f"需要 padding >= 0 且 0 <= output_padding < max(stride, dilation)，"
            f"实际为 padding={padding}、output_padding={output_padding}"
        )
    if x.dim() != 4 or weight.dim() != 4 or x.shape[1] != weight.shape[0]:
        raise ValueError(
            f"x (B, C_in, H, W) 与 weight (C_in, C_out, K, K) 的形状对不上："
            f"{tuple(x.shape)} 与 {tuple(weight.shape)}"
        )
    b, c_in, h, w = x.shape
    k = weight.shape[-1]
    # 1. 相邻两个输入元素之间插入 S − 1 个 0
    spread = x.new_zeros(b, c_in, (h - 1) * stride + 1, (w - 1) * stride + 1)
    spread[:, :, ::stride, ::stride] = x
    # 2. 四周各填 D(K − 1) − P 个 0（为负就是裁掉），右侧和下侧再多填 output_padding
    edge = dilation * (k - 1) - padding
    spread = F.pad(spread, (edge, edge + output_padding, edge, edge + output_padding))
    # 3. 卷积核旋转 180°，并交换输入、输出通道两维，做步长为 1、空洞率为 D 的普通卷积
    flipped = weight.flip(-2, -1).transpose(0, 1)  # (C_out, C_in, K, K)
    return F.conv2d(spread, flipped, dilation=dilation)


# --8<-- [end:zero_insertion]


# --8<-- [start:check]
assert torch.equal(
    transposed_by_zero_insertion(x.view(1, 1, 2, 2), w.view(1, 1, 3, 3), stride=2)[0, 0], by_torch
)
generator = torch.Generator().manual_seed(0)
configs = [  # (stride, padding, dilation, output_padding, K)
    (1, 0, 1, 0, 3),
    (2, 1, 1, 1, 3),
    (3, 2, 1, 2, 4),
    (2, 0, 2, 1, 3),
    (2, 5, 1, 0, 3),
]
for stride, padding, dilation, output_padding, k in configs:
    inputs = torch.randn(2, 3, 5, 6, dtype=torch.float64, generator=generator)
    weight = torch.randn(3, 4, k, k, dtype=torch.float64, generator=generator)
    settings = dict(
        stride=stride, padding=padding, dilation=dilation, output_padding=output_padding
    )
    ours = transposed_by_zero_insertion(inputs, weight, **settings)
    theirs = F.conv_transpose2d(inputs, weight, **settings)
    assert ours.shape == theirs.shape and torch.allclose(ours, theirs, atol=1e-12)
    print(
        f"S={stride} P={padding} D={dilation} output_padding={output_padding} K={k}: "
        f"输出 {tuple(theirs.shape)}，插零 + 普通卷积与 F.conv_transpose2d 相同"
    )
# --8<-- [end:check]
