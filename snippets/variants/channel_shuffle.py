"""通道混洗（channel shuffle）：reshape → transpose → flatten，与 nn.ChannelShuffle 相同。"""

import torch
from torch import nn


# --8<-- [start:shuffle]
def channel_shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    """(N, C, H, W)：把 C 看成 groups 行 × C/groups 列，转置后再按行展平。"""
    if x.dim() != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got {tuple(x.shape)}")
    n, c, h, w = x.shape
    if groups < 1 or c % groups:
        raise ValueError(f"groups={groups} must divide the {c} channels")
    return x.reshape(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)


# --8<-- [end:shuffle]


# --8<-- [start:check]
channels = torch.arange(12).view(1, 12, 1, 1)  # 每个通道的值就是它原来的编号
order = channel_shuffle(channels, groups=3).flatten().tolist()
print("混洗后的通道顺序:", order)

x = torch.randn(2, 12, 5, 5, generator=torch.Generator().manual_seed(0))
assert torch.equal(channel_shuffle(x, 3), nn.ChannelShuffle(3)(x))  # 只是换位置，逐元素相等
print("与 nn.ChannelShuffle(3) 相同:", torch.equal(channel_shuffle(x, 3), nn.ChannelShuffle(3)(x)))

# 下一层分组卷积（3 组、每组 4 个通道）的每一组，现在都收到了原来 3 个组的通道
for g in range(3):
    received = order[4 * g : 4 * g + 4]
    assert sorted({c // 4 for c in received}) == [0, 1, 2]
    print(f"下一层第 {g} 组收到通道 {received}，来自原来的组 {[c // 4 for c in received]}")
# --8<-- [end:check]
