"""DenseNet 的拼接：每一层的输入都是前面所有输出的拼接，张量越拼越大。"""

import torch
from torchvision import models

with torch.device("meta"):  # 只建结构，不分配内存
    densenet121 = models.densenet121()
block = densenet121.features.denseblock1  # 6 层，每层新增 32 个通道（增长率），特征图 56×56
in_channels = [layer.norm1.num_features for layer in block.values()]
print("各层输入（拼接后）的通道数:", in_channels)
assert in_channels == [64 + 32 * i for i in range(6)]

height = width = 56
bytes_per_value = 4  # float32
concatenated = sum(c * height * width * bytes_per_value for c in in_channels)
block_output = (in_channels[-1] + 32) * height * width * bytes_per_value
print(f"6 层各自的拼接输入合计 {concatenated / 1e6:.2f} MB（批大小 1）")
print(f"而这个块的输出只有 {block_output / 1e6:.2f} MB")

# 拼接的张量在训练时要留到反向传播；torchvision 的 memory_efficient=True 改为反向时重算它们
with torch.device("meta"):
    frugal = models.densenet121(memory_efficient=True)
assert frugal.features.denseblock1.denselayer1.memory_efficient
