"""批量归一化（训练模式）：每个通道在 B、H、W 上求均值和有偏方差，再做缩放和平移。"""

import torch
from torch import nn

torch.manual_seed(0)
# (B, C, H, W)，4 个通道；故意取偏斜的指数分布（对均匀分布取 −ln 得到），而不是正态分布
x = 3 * -torch.rand(8, 4, 5, 5).log() + 2

bn = nn.BatchNorm2d(num_features=4)  # 默认 eps=1e-5、momentum=0.1
with torch.no_grad():  # 换成随机的 γ、β，免得它们恰好是 1 和 0
    bn.weight.uniform_(0.5, 1.5)
    bn.bias.uniform_(-1, 1)
bn.train()
y = bn(x)

mean = x.mean(dim=(0, 2, 3), keepdim=True)  # 每个通道一个均值，对 B·H·W = 200 个数
var = x.var(dim=(0, 2, 3), unbiased=False, keepdim=True)  # 有偏方差：除以 200
gamma, beta = bn.weight.view(1, -1, 1, 1), bn.bias.view(1, -1, 1, 1)
by_hand = gamma * (x - mean) / torch.sqrt(var + bn.eps) + beta
print("与 nn.BatchNorm2d 一致（误差 < 1e-5）:", (y - by_hand).abs().max().item() < 1e-5)
assert (y - by_hand).abs().max() < 1e-5

# 若误用无偏方差（除以 199），结果就对不上了
unbiased = x.var(dim=(0, 2, 3), unbiased=True, keepdim=True)
wrong = gamma * (x - mean) / torch.sqrt(unbiased + bn.eps) + beta
assert (y - wrong).abs().max() > 1e-3


def skewness(t: torch.Tensor) -> torch.Tensor:
    """每个通道的偏度：正态分布为 0，指数分布为 2。"""
    centred = t - t.mean(dim=(0, 2, 3), keepdim=True)
    return centred.pow(3).mean(dim=(0, 2, 3)) / centred.pow(2).mean(dim=(0, 2, 3)).pow(1.5)


# 缩放之前：每个通道均值为 0、方差为 1；但这只是平移和缩放，分布的形状（偏度）丝毫未变
normalized = (y - beta) / gamma
print("各通道均值:", [round(v, 4) + 0.0 for v in normalized.mean(dim=(0, 2, 3)).tolist()])
print("各通道方差:", [round(v, 4) for v in normalized.var(dim=(0, 2, 3), unbiased=False).tolist()])
print("偏度 归一化前:", [round(v, 2) for v in skewness(x).tolist()])
print("偏度 归一化后:", [round(v, 2) for v in skewness(y).tolist()])
assert torch.allclose(skewness(x), skewness(y), atol=1e-4)
