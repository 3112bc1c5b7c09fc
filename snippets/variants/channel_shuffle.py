"""通道混洗（channel shuffle）：reshape → transpose → flatten，与 nn.ChannelShuffle 相同。"""

import torch
from torch import nn


# --8<-- [start:shuffle]
def channel_shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    """(B, C, H, W)：把 C 看成 groups 行 × C/groups 列，转置后再按行展平。"""
    if x.dim() != 4:
        raise ValueError(f"x 的形状必须是 (B, C, H, W)，实际为 {tuple(x.shape)}")
    b, c, h, w = x.shape
    if groups < 1 or c % groups:
        raise ValueError(f"groups={groups} 必须整除通道数 {c}")
    return x.reshape(b, groups, c // groups, h, w).transpose(1, 2).reshape(b, c, h, w)


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


# --8<-- [start:depends]
def connected_pairs(shuffle: bool, channels: int = 12, groups: int = 3) -> torch.Tensor:
    """两层分组卷积：第二层的输出通道 o 是否依赖第一层的输入通道 c（autograd 求雅可比矩阵）。"""
    torch.manual_seed(0)
    first = nn.Conv2d(channels, channels, 1, groups=groups, bias=False)
    second = nn.Conv2d(channels, channels, 1, groups=groups, bias=False)
    middle = nn.ChannelShuffle(groups) if shuffle else nn.Identity()
    network = nn.Sequential(first, middle, second)
    x = torch.randn(1, channels, 1, 1)
    jacobian = torch.autograd.functional.jacobian(lambda t: network(t).flatten(), x)
    return jacobian.reshape(channels, channels) != 0  # [o, c]


without, with_shuffle = connected_pairs(shuffle=False), connected_pairs(shuffle=True)
assert int(without.sum()) == without.numel() // 3 and bool(with_shuffle.all())
print(f"不混洗：{without.numel()} 对（输出通道，输入通道）中 {int(without.sum())} 对相连")
print(f"混洗后：{with_shuffle.numel()} 对（输出通道，输入通道）中 {int(with_shuffle.sum())} 对相连")
# --8<-- [end:depends]
