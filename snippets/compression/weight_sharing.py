"""Deep Compression 的后两步：k-means 权重共享（每个权重只存它所属簇的编号），再做霍夫曼编码。"""

import heapq
import itertools
import math
from collections import Counter

import torch


# --8<-- [start:kmeans]
def kmeans_1d(values: torch.Tensor, k: int, iterations: int = 50) -> torch.Tensor:
    """一维 k-means：从最小值到最大值均匀放 k 个中心（线性初始化），反复“分簇、取均值”。"""
    centroids = torch.linspace(values.min().item(), values.max().item(), k, dtype=torch.float64)
    for _ in range(iterations):
        cluster = (values[:, None] - centroids[None, :]).abs().argmin(dim=1)
        for j in range(k):
            if (cluster == j).any():
                centroids[j] = values[cluster == j].mean()
    return centroids


# --8<-- [end:kmeans]


# --8<-- [start:huffman]
def huffman_lengths(counts: Counter) -> dict:
    """霍夫曼编码：反复合并出现次数最少的两组，每合并一次，组里每个符号的码长加 1。"""
    tie = itertools.count()  # 次数相同时按固定顺序合并
    heap = [(n, next(tie), [symbol]) for symbol, n in sorted(counts.items())]
    heapq.heapify(heap)
    lengths = dict.fromkeys(counts, 0)
    while len(heap) > 1:
        n1, _, group1 = heapq.heappop(heap)
        n2, _, group2 = heapq.heappop(heap)
        for symbol in group1 + group2:
            lengths[symbol] += 1
        heapq.heappush(heap, (n1 + n2, next(tie), group1 + group2))
    return lengths


# --8<-- [end:huffman]

# --8<-- [start:use]
torch.manual_seed(0)
# 剪枝后留下的权重：拉普拉斯分布去掉了绝对值最小的那些（训练好的权重大致如此）
weights = torch.distributions.Laplace(0.0, 0.05).sample((4_000,)).double()
weights = weights[weights.abs() > 0.04]
centroids = kmeans_1d(weights, 16)  # 4 位的编号
cluster = (weights[:, None] - centroids[None, :]).abs().argmin(dim=1)
shared = centroids[cluster]
relative = ((weights - shared).square().mean() / weights.square().mean()).sqrt().item()
print(f"{len(weights):,} 个非零权重共享 16 个值，相对均方根误差 {relative:.1%}")

counts = Counter(cluster.tolist())
lengths = huffman_lengths(counts)
total = len(weights)
average = sum(counts[s] * lengths[s] for s in counts) / total
entropy = -sum(n / total * math.log2(n / total) for n in counts.values())
assert entropy <= average < entropy + 1  # 霍夫曼编码离熵不到 1 位
assert sum(2.0**-length for length in lengths.values()) <= 1  # 前缀码的 Kraft 不等式
print(f"每个编号: 定长 4 位，霍夫曼平均 {average:.2f} 位，熵 {entropy:.2f} 位")
print(f"最常见的编号用 {min(lengths.values())} 位，最少见的用 {max(lengths.values())} 位")
# --8<-- [end:use]
