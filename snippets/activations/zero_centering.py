"""输入全为正时，一个神经元的全部权重梯度同号：dL/dW[i, j] = delta_i * h_j。"""

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)
layer = nn.Linear(8, 4)  # 4 个神经元，各有 8 个权重
pre_activation = torch.randn(16, 8)  # 上一层的 16 个样本
target = torch.randn(16, 4)


def same_sign_rows(weight_grad: torch.Tensor) -> int:
    """有多少个神经元（权重梯度的行）的 8 个梯度分量符号完全相同。"""
    return sum(bool((row > 0).all() or (row < 0).all()) for row in weight_grad)


for name, activation in [("sigmoid", torch.sigmoid), ("tanh", torch.tanh)]:
    h = activation(pre_activation)  # 上一层的输出 = 这一层的输入
    for batch in (1, 16):
        layer.zero_grad()
        F.mse_loss(layer(h[:batch]), target[:batch]).backward()
        if batch == 1:  # 单个样本：梯度矩阵是外积 delta h^T，delta 就是偏置的梯度
            assert torch.allclose(layer.weight.grad, layer.bias.grad[:, None] * h[:1])
        rows = same_sign_rows(layer.weight.grad)
        print(f"{name} 的输出作输入，批大小 {batch:>2}: 权重梯度全部同号的神经元 {rows}/4")
        if name == "sigmoid" and batch == 1:
            assert rows == 4  # h > 0，于是每一行的符号都等于 delta_i 的符号
