"""BN 的滑动统计量：训练时按 momentum 更新，推理时拿来代替批统计量。"""

import torch
from torch import nn

torch.manual_seed(0)
true_mean = torch.tensor([-1.0, 0.0, 2.0])
true_std = torch.tensor([0.5, 1.0, 2.0])


def sample_batch(batch_size: int = 16) -> torch.Tensor:
    """从“总体”里抽一批 (B, 3, 4, 4) 的特征图，三个通道的均值和标准差各不相同。"""
    noise = torch.randn(batch_size, 3, 4, 4)
    return noise * true_std.view(1, 3, 1, 1) + true_mean.view(1, 3, 1, 1)


# --8<-- [start:update]
bn = nn.BatchNorm2d(3)  # momentum=0.1；running_mean 从 0 开始，running_var 从 1 开始
assert bn.momentum == 0.1
batch = sample_batch()
bn.train()
bn(batch)

batch_mean = batch.mean(dim=(0, 2, 3))
unbiased_var = batch.var(dim=(0, 2, 3), unbiased=True)  # 除以 B·H·W − 1 = 255
biased_var = batch.var(dim=(0, 2, 3), unbiased=False)
assert torch.allclose(bn.running_mean, 0.9 * 0 + 0.1 * batch_mean)
assert torch.allclose(bn.running_var, 0.9 * 1 + 0.1 * unbiased_var)  # 滑动方差用无偏估计
assert not torch.allclose(bn.running_var, 0.9 * 1 + 0.1 * biased_var)
print("running = 0.9·running + 0.1·batch 成立；滑动方差用的是无偏方差")
print("num_batches_tracked =", bn.num_batches_tracked.item())
# --8<-- [end:update]

# --8<-- [start:converge]
# 再训练 59 批：滑动均值逐渐接近总体均值，初值 0 的权重只剩 0.9^60 ≈ 0.002
history = [bn.running_mean.clone()]  # 每一步之后的滑动均值
batch_means = [batch_mean]  # 每一批自己的均值
for _ in range(59):
    batch = sample_batch()
    bn(batch)
    history.append(bn.running_mean.clone())
    batch_means.append(batch.mean(dim=(0, 2, 3)))
print("60 批之后 running_mean:", [round(v, 2) for v in bn.running_mean.tolist()])
print("60 批之后 running_var: ", [round(v, 2) for v in bn.running_var.tolist()])
print("总体的均值与方差:       ", true_mean.tolist(), true_std.pow(2).tolist())
assert torch.allclose(bn.running_mean, true_mean, atol=0.15)
assert bn.num_batches_tracked == 60
# --8<-- [end:converge]

# --8<-- [start:eval]
# 推理模式只用滑动统计量：一个样本的输出不再取决于同一批里的其他样本
sample, others = sample_batch(1), sample_batch(7)
bn.eval()
alone = bn(sample)
together = bn(torch.cat([sample, others]))[:1]
scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
by_hand = (sample - bn.running_mean.view(1, 3, 1, 1)) * scale.view(1, 3, 1, 1)
by_hand = by_hand + bn.bias.view(1, 3, 1, 1)
assert torch.allclose(alone, together) and torch.allclose(alone, by_hand, atol=1e-6)
bn.train()
assert not torch.allclose(bn(torch.cat([sample, others]))[:1], bn(torch.cat([sample, -others]))[:1])
print("推理模式: 同一样本单独送入与成批送入，输出相同")
print("训练模式: 换掉同一批里的其他样本，这个样本的输出也跟着变")
# --8<-- [end:eval]

# --8<-- [start:cumulative]
# momentum=None：滑动均值变成所有批均值的简单平均
cumulative = nn.BatchNorm2d(3, momentum=None)
batches = [sample_batch() for _ in range(5)]
for b in batches:
    cumulative(b)
average_of_means = torch.stack([b.mean(dim=(0, 2, 3)) for b in batches]).mean(dim=0)
assert torch.allclose(cumulative.running_mean, average_of_means, atol=1e-6)
print("momentum=None: running_mean 等于 5 个批均值的平均")
# --8<-- [end:cumulative]
