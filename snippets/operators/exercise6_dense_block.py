"""练习 6：稠密块输入 64 个通道、6 层、增长率 32：输出多少通道？各层拼接输入共多少通道？"""

import torch
from torchvision import models

with torch.device("meta"):
    block = models.densenet121().features.denseblock1  # 正是这样的一个块
inputs = [layer.norm1.num_features for layer in block.values()]
output = block(torch.empty(1, inputs[0], 56, 56, device="meta"))
print("各层输入的通道数", inputs)
print(f"块的输出通道数 {output.shape[1]}")
print(f"各层拼接输入的通道数之和 {sum(inputs)}")
