"""练习 4：6 个通道、2 组，通道混洗后的顺序。"""

import torch
from torch import nn

channels = torch.arange(6).view(1, 6, 1, 1)  # 每个通道的值就是它的编号
by_hand = channels.view(1, 2, 3, 1, 1).transpose(1, 2).reshape(1, 6, 1, 1)  # 2 行 3 列，转置，展平
assert torch.equal(by_hand, nn.ChannelShuffle(2)(channels))
print("混洗后的通道顺序", by_hand.flatten().tolist())
