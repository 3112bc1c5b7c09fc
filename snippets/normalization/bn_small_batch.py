"""批很小时 BN 的统计量从哪里来：全连接层上批大小为 2 时，每个数只剩下“比另一个大还是小”。"""

import torch
from torch import nn

torch.manual_seed(0)
features = 6

# 全连接层后的 BatchNorm1d：每个特征的均值、方差只由批里的 B 个数算出
bn = nn.BatchNorm1d(features).train()
pair = torch.randn(2, features) * 5 + 3
print("批大小 2 时 BN 的输出（保留 3 位小数）:")
for row in bn(pair).detach().round(decimals=3).tolist():
    print("  ", row)
# 两个数 u、v 标准化后是 ±1/√(1 + 4ε/(u − v)²)：几乎正好是 ±1，原来的大小全部丢失
assert torch.allclose(bn(pair).abs(), torch.ones(2, features), atol=1e-3)

# 批大小 1：方差为 0，训练模式直接报错
try:
    bn(torch.randn(1, features))
except ValueError as error:
    print("批大小 1:", type(error).__name__)

# 卷积层上统计量来自 B·H·W 个数：同样批大小 2，一个 8×8 特征图贡献 64 个数
bn2d = nn.BatchNorm2d(3).train()
print("BatchNorm2d，批大小 2、8×8 特征图：每个统计量来自", 2 * 8 * 8, "个数")
assert bn2d(torch.randn(2, 3, 8, 8)).shape == (2, 3, 8, 8)

# GroupNorm 只在一个样本内部统计：同一个样本单独送入或与别的样本一起送入，输出相同
gn = nn.GroupNorm(2, features)
sample, others = torch.randn(1, features), torch.randn(3, features)
alone, together = gn(sample), gn(torch.cat([sample, others]))[:1]
print("GroupNorm: 样本的输出与同批的其他样本无关:", torch.allclose(alone, together))
assert torch.allclose(alone, together)
