"""Dropout 的两种解释，用一个小例子算清楚：子网络的集成，以及乘性噪声。"""

import itertools

import torch
from torch import nn

torch.manual_seed(0)
n_inputs, n_classes, p = 10, 3, 0.5
layer = nn.Linear(n_inputs, n_classes).double()
x = torch.randn(1, n_inputs, dtype=torch.float64)

# 1. 集成：输入上的每一种置零方式（掩码）对应一个共享权重的子网络，共 2^10 = 1024 个
masks = torch.tensor(list(itertools.product([0.0, 1.0], repeat=n_inputs)), dtype=torch.float64)
with torch.no_grad():
    sub_logits = layer(masks * x / (1 - p))  # 每个子网络的 logits（倒置 Dropout 的缩放）
    sub_probs = sub_logits.softmax(dim=1)
    # p = 0.5 时每个掩码的概率相同；对所有子网络的预测求几何平均，再归一化
    geometric = sub_probs.log().mean(dim=0).exp()
    geometric = geometric / geometric.sum()
    arithmetic = sub_probs.mean(dim=0)  # 算术平均
    inference = nn.Sequential(nn.Dropout(p), layer).eval()(x).softmax(dim=1)[0]  # 推理时的一次前向
print(f"子网络个数: {len(masks)}")
print("推理输出            ", [round(v, 4) for v in inference.tolist()])
print("子网络预测的几何平均", [round(v, 4) for v in geometric.tolist()])
print("子网络预测的算术平均", [round(v, 4) for v in arithmetic.tolist()])
# 单层 softmax 时，归一化几何平均恰好等于推理输出；多层时这只是近似
assert torch.allclose(geometric, inference, rtol=0, atol=1e-12)
assert not torch.allclose(arithmetic, inference, atol=1e-4)

# 2. 乘性噪声：Dropout 等于给每个元素乘一个均值为 1、方差为 p/(1 − p) 的随机数
q = 0.3
noise = nn.Dropout(q).train()(torch.ones(1_000_000))
mean, variance = noise.mean().item(), noise.var().item()
print(f"p = {q}: 噪声均值 {mean:.2f}，方差 {variance:.2f}（理论值 {q / (1 - q):.4f}）")
assert abs(mean - 1) < 0.01 and abs(variance - q / (1 - q)) < 0.01
