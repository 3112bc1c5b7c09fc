"""全连接层就是一次矩阵乘法加偏置：y = x Wᵀ + b。"""

import torch
from torch import nn

torch.manual_seed(0)
batch, in_features, out_features = 4, 6, 3
fc = nn.Linear(in_features, out_features)
x = torch.randn(batch, in_features)

# weight 的形状是 (输出数, 输入数)，所以要转置
assert fc.weight.shape == (out_features, in_features) and fc.bias.shape == (out_features,)
by_hand = x @ fc.weight.T + fc.bias
assert torch.allclose(fc(x), by_hand, atol=1e-6)
print("nn.Linear 与 x @ W.T + b 一致:", torch.allclose(fc(x), by_hand, atol=1e-6))

params = sum(p.numel() for p in fc.parameters())
assert params == in_features * out_features + out_features
macs_per_sample = in_features * out_features  # 每个输出做 in_features 次乘加
print(f"参数量 {in_features}×{out_features} + {out_features} = {params}")
print(f"每个样本的 MACs = {macs_per_sample}，FLOPs = {2 * macs_per_sample}")

# 多出来的维度原样保留：(B, L, in) -> (B, L, out)，只对最后一维做矩阵乘法
tokens = torch.randn(batch, 5, in_features)
assert fc(tokens).shape == (batch, 5, out_features)
print("输入", tuple(tokens.shape), "-> 输出", tuple(fc(tokens).shape))
