"""BN 层里哪些是可学习参数，哪些只是缓冲区（buffer）。"""

import torch
from torch import nn

channels = 64
bn = nn.BatchNorm2d(channels)

print("可学习参数:")
for name, p in bn.named_parameters():
    print(f"  {name:<20} {tuple(p.shape)}  requires_grad={p.requires_grad}")
print("缓冲区:")
for name, b in bn.named_buffers():
    print(f"  {name:<20} {tuple(b.shape)}  {b.dtype}")

n_params = sum(p.numel() for p in bn.parameters())  # γ (weight) 与 β (bias)
n_buffers = sum(b.numel() for b in bn.buffers())  # 滑动均值、滑动方差，外加一个计数器
assert n_params == 2 * channels and n_buffers == 2 * channels + 1
print(f"参数 {n_params} = 2·{channels}，缓冲区 {n_buffers} = 2·{channels} + 1")

# 优化器只看得见参数；缓冲区不求梯度，但和参数一起存进 state_dict
optimizer = torch.optim.SGD(bn.parameters(), lr=0.1)
assert sum(p.numel() for g in optimizer.param_groups for p in g["params"]) == n_params
print("state_dict 的键:", list(bn.state_dict()))

# affine=False 去掉 γ、β；track_running_stats=False 去掉缓冲区（推理时也用批统计量）
plain = nn.BatchNorm2d(channels, affine=False, track_running_stats=False)
assert list(plain.parameters()) == [] and list(plain.buffers()) == []
