"""交叉熵对 logits 的梯度就是 softmax(z) − onehot(y)；reduction="mean" 时再除以批大小。"""

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)
B, K = 4, 5  # 批大小、类别数
logits = torch.randn(B, K, dtype=torch.float64, requires_grad=True)
targets = torch.tensor([0, 3, 1, 4])

formula = F.softmax(logits.detach(), dim=1) - F.one_hot(targets, K)  # softmax(z) − onehot(y)
for reduction, expected in [("sum", formula), ("mean", formula / B)]:
    loss = nn.CrossEntropyLoss(reduction=reduction)(logits, targets)
    (grad,) = torch.autograd.grad(loss, logits)
    same = torch.allclose(grad, expected, rtol=0, atol=1e-15)
    assert same
    label = "softmax − onehot" if reduction == "sum" else "(softmax − onehot) / B"
    print(f'reduction="{reduction}": autograd 的梯度 == {label}: {same}')

# 每个样本的梯度各分量之和为 0；正确类别那一项为负（把 z_y 往上推），其余为正
row = formula[0]
print("第 0 个样本的梯度:", [round(v, 4) for v in row.tolist()])
assert abs(row.sum().item()) < 1e-15 and row[targets[0]] < 0 and (row[1:] > 0).all()

# 梯度的大小有界：每个分量都在 (−1, 1) 内，与 logits 多大无关
huge = torch.tensor([[500.0, -500.0, 0.0]], dtype=torch.float64, requires_grad=True)
(grad,) = torch.autograd.grad(F.cross_entropy(huge, torch.tensor([1])), huge)
print("logits 为 [500, −500, 0]、正确类别为 1 时的梯度:", [round(v, 4) for v in grad[0].tolist()])
assert grad.abs().max() <= 1
