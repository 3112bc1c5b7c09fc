"""分组卷积：groups=g 把通道分成 g 组，各组独立卷积；参数量 C_in·C_out·K²/g。"""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


def group_conv_parameters(c_in: int, c_out: int, kernel_size: int, groups: int) -> int:
    """不含偏置的分组卷积参数量：每个滤波器只有 C_in/g 个卷积核。"""
    if groups < 1 or c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} must divide c_in={c_in} and c_out={c_out}")
    if kernel_size < 1:
        raise ValueError(f"kernel_size must be at least 1, got {kernel_size}")
    return c_in * c_out * kernel_size**2 // groups


for groups in (1, 2, 4, 8):
    conv = nn.Conv2d(8, 8, kernel_size=3, groups=groups, bias=False)
    count = conv.weight.numel()
    assert count == group_conv_parameters(8, 8, 3, groups)
    print(f"groups={groups}: 权重形状 {tuple(conv.weight.shape)}，参数 {count}")

# groups=4 等于 4 个互不相干的小卷积：第 g 组输入通道 → 第 g 组输出通道，再拼接
conv = nn.Conv2d(8, 12, kernel_size=3, groups=4, bias=False)  # 每组 2 个输入、3 个输出通道
x = torch.randn(1, 8, 6, 6)
pieces = [F.conv2d(x[:, 2 * g : 2 * g + 2], conv.weight[3 * g : 3 * g + 3]) for g in range(4)]
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
    assert used == [2 * (o // 3), 2 * (o // 3) + 1]
    print(f"输出通道 {o:>2} 依赖的输入通道: {used}")

# groups = C_in（且 C_out = C_in）就是深度卷积：每个通道一个卷积核
depthwise = nn.Conv2d(8, 8, kernel_size=3, groups=8, bias=False)
with torch.no_grad():
    y = depthwise(x)
    per_channel = [F.conv2d(x[:, c : c + 1], depthwise.weight[c : c + 1]) for c in range(8)]
assert torch.allclose(y, torch.cat(per_channel, dim=1), atol=1e-6)
print("groups=8 就是深度卷积:", torch.allclose(y, torch.cat(per_channel, dim=1), atol=1e-6))
