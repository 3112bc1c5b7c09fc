"""分组卷积：groups=G 把通道分成 G 组，各组独立卷积；参数量 K²·C_in·C_out / G。"""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


def group_conv_parameters(c_in: int, c_out: int, kernel_size: int, groups: int) -> int:
    """不含偏置的分组卷积参数量：每个滤波器只有 C_in / G 个卷积核。"""
    if groups < 1 or c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} 必须整除 c_in={c_in} 与 c_out={c_out}")
    if kernel_size < 1:
        raise ValueError(f"kernel_size 至少为 1，实际为 {kernel_size}")
    return c_in * c_out * kernel_size**2 // groups


for groups in (1, 2, 4, 8):
    conv = nn.Conv2d(8, 8, kernel_size=3, groups=groups, bias=False)
    count = conv.weight.numel()
    assert count == group_conv_parameters(8, 8, 3, groups)
    print(f"8 → 8 通道，groups={groups}：参数 {count}，权重形状 {tuple(conv.weight.shape)}")

# 换一个输出通道数与输入不同的层：8 → 12 通道，groups=4，每组 2 个输入通道、3 个输出通道
conv = nn.Conv2d(8, 12, kernel_size=3, groups=4, bias=False)
per_in, per_out = conv.in_channels // conv.groups, conv.out_channels // conv.groups
print(
    f"{conv.in_channels} → {conv.out_channels} 通道，groups={conv.groups}："
    f"每组 {per_in} 个输入通道、{per_out} 个输出通道"
)
# 它等于 4 个互不相干的小卷积：第 g 组输入通道 → 第 g 组输出通道，再拼接
x = torch.randn(1, 8, 6, 6)
pieces = [
    F.conv2d(x[:, per_in * g : per_in * (g + 1)], conv.weight[per_out * g : per_out * (g + 1)])
    for g in range(conv.groups)
]
assert torch.allclose(conv(x), torch.cat(pieces, dim=1), atol=1e-6)
print(
    "groups=4 与 4 个小卷积拼接的结果相同:",
    torch.allclose(conv(x), torch.cat(pieces, 1), atol=1e-6),
)

# 用梯度看依赖关系：输出通道 o 只依赖它所在组的输入通道
x.requires_grad_(True)
for o in (0, 5, 11):
    (grad,) = torch.autograd.grad(conv(x)[0, o].sum(), x)
    used = [c for c in range(8) if grad[0, c].abs().sum() > 0]
    group = o // per_out
    assert used == list(range(per_in * group, per_in * (group + 1)))
    print(f"输出通道 {o:>2}（第 {group} 组）依赖的输入通道: {used}")

# groups = C_in（且 C_out = C_in）就是深度卷积：每个通道一个卷积核
depthwise = nn.Conv2d(8, 8, kernel_size=3, groups=8, bias=False)
with torch.no_grad():
    y = depthwise(x)
    per_channel = [F.conv2d(x[:, c : c + 1], depthwise.weight[c : c + 1]) for c in range(8)]
assert torch.allclose(y, torch.cat(per_channel, dim=1), atol=1e-6)
print("groups=8 就是深度卷积:", torch.allclose(y, torch.cat(per_channel, dim=1), atol=1e-6))
