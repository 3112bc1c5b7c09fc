"""参数共享与局部连接：同样的输入和输出大小，卷积层与全连接层差多少参数？"""

import torch
from torch import nn

torch.manual_seed(0)


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


conv = nn.Conv2d(1, 6, kernel_size=5)  # 1×28×28 -> 6×24×24
dense = nn.Linear(1 * 28 * 28, 6 * 24 * 24)  # 输入、输出的元素个数与 conv 相同

n_conv, n_dense = count_parameters(conv), count_parameters(dense)
assert n_conv == 6 * (1 * 5 * 5) + 6  # 每个滤波器 25 个权重 + 1 个偏置
assert n_dense == (28 * 28) * (6 * 24 * 24) + 6 * 24 * 24
print(f"卷积层参数:   {n_conv:>9,}")
print(f"全连接层参数: {n_dense:>9,}  (是卷积层的 {n_dense / n_conv:,.0f} 倍)")

# 局部连接：对输出的一个元素求梯度，看它依赖输入里的多少个像素
image = torch.randn(1, 1, 28, 28, requires_grad=True)
conv(image)[0, 0, 10, 10].backward()
conv_inputs = int((image.grad != 0).sum())

image.grad = None
dense(image.flatten(1))[0, 0].backward()
dense_inputs = int((image.grad != 0).sum())

assert (conv_inputs, dense_inputs) == (25, 784)
print(f"一个卷积输出依赖 {conv_inputs} 个输入像素，一个全连接输出依赖 {dense_inputs} 个")
