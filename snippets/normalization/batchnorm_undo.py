"""γ、β 能撤销标准化吗？对固定的统计量能；训练时统计量随批而变，就只能撤销某一批。"""

import torch
from torch import nn

torch.manual_seed(0)
first, second = torch.randn(16, 3, 4, 4) * 3 + 1, torch.randn(16, 3, 4, 4) * 3 + 1

bn = nn.BatchNorm2d(3)
mean = first.mean(dim=(0, 2, 3))
var = first.var(dim=(0, 2, 3), unbiased=False)
with torch.no_grad():
    bn.weight.copy_(torch.sqrt(var + bn.eps))  # γ = √(σ² + ε)
    bn.bias.copy_(mean)  # β = μ，两者都取自第一批

    bn.train()  # 训练模式：用当前这一批的统计量
    same_batch = (bn(first) - first).abs().max().item()
    other_batch = (bn(second) - second).abs().max().item()
    bn.running_mean.copy_(mean)  # 推理模式：统计量固定为滑动统计量，这里设成第一批的
    bn.running_var.copy_(var)
    bn.eval()
    fixed = (bn(second) - second).abs().max().item()

print(f"训练模式，统计量所来自的那一批: 还原 {same_batch < 1e-4}")
print(f"训练模式，换一批:             还原 {other_batch < 1e-4}（最大偏差 {other_batch:.2f}）")
print(f"推理模式（统计量固定）:        还原 {fixed < 1e-4}")
assert same_batch < 1e-4 and other_batch > 0.1 and fixed < 1e-4
