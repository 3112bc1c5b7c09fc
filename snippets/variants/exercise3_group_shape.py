"""练习 3：nn.Conv2d(64, 128, 3, groups=4) 的权重形状、参数量，以及输出通道 37 依赖哪些输入通道。"""

import torch
from torch import nn

conv = nn.Conv2d(64, 128, 3, groups=4, bias=False)
print("权重形状", tuple(conv.weight.shape))
print(f"参数 {conv.weight.numel():,}")

x = torch.randn(1, 64, 5, 5, requires_grad=True)
(grad,) = torch.autograd.grad(conv(x)[0, 37].sum(), x)
used = [c for c in range(64) if grad[0, c].abs().sum() > 0]
group = 37 // (conv.out_channels // conv.groups)  # 每组 32 个输出通道
per_group = conv.in_channels // conv.groups  # 每组 16 个输入通道
assert used == list(range(group * per_group, (group + 1) * per_group))
print(f"输出通道 37 在第 {group} 组，依赖输入通道 {used[0]} 到 {used[-1]}，共 {len(used)} 个")
