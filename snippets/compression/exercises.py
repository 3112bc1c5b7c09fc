"""第 10 章练习的答案：每一个都由代码算出（与 PyTorch 或直接的计数核对）。"""

import heapq
import itertools
import math
import warnings
from collections import Counter

import torch
from torch import nn


# --8<-- [start:e1]
# 练习 1：conv1 留 4 个滤波器、conv2 留 8 个。conv2 的 MACs 是原来的几分之几？
def conv_macs(c_in: int, c_out: int, out_side: int, k: int = 5) -> int:
    return c_out * out_side * out_side * c_in * k * k


before, after = conv_macs(6, 16, 8), conv_macs(4, 8, 8)
conv = nn.Conv2d(4, 8, 5)
assert after == conv(torch.zeros(1, 4, 12, 12)).numel() * 4 * 25  # 每个输出 C_in·K² 次乘加
assert before == 3 * after
print(
    f"练习 1: conv2 的 MACs {before:,} → {after:,}，是原来的 1/{before // after}；"
    f"conv1 保留 4/6 = {4 / 6:.0%} 的滤波器"
)
# --8<-- [end:e1]

# --8<-- [start:e2]
# 练习 2：fc1（120 × 256）换成秩 r 的两个矩阵，r 最大取多少时权重还更少？r = 16 省下多少个？
n_out, n_in = 120, 256
largest = max(r for r in range(1, n_out + 1) if r * (n_in + n_out) < n_out * n_in)
saved = n_out * n_in - 16 * (n_in + n_out)
print(f"练习 2: r 最大为 {largest}；r = 16 时省下 {saved:,} 个权重")
# --8<-- [end:e2]

# --8<-- [start:e3]
# 练习 3：对称 8 位量化一个 max|x| = 2.54 的张量，x = 1.013 存成哪个整数、代表多少？
scale = 2.54 / 127
q = round(1.013 / scale)
x_hat = q * scale
assert abs(1.013 - x_hat) <= scale / 2
print(
    f"练习 3: s = {scale:.3f}，q = {q}，x̂ = {x_hat:.3f}，"
    f"误差 {abs(1.013 - x_hat):.3f} ≤ s/2 = {scale / 2:.3f}"
)
# --8<-- [end:e3]

# --8<-- [start:e4]
# 练习 4：ReLU 输出的范围是 [0, 6]。8 位非对称与对称量化的 s 各是多少？
asymmetric, symmetric = 6 / 255, 6 / 127
print(
    f"练习 4: 非对称 s = {asymmetric:.4f}（z = 0），对称 s = {symmetric:.4f}，"
    f"刻度粗 {symmetric / asymmetric:.2f} 倍"
)
# --8<-- [end:e4]

# --8<-- [start:e5]
# 练习 5：fc1 存成 CSR（int32 下标），非零元素最多多少个时文件才比稠密 float32 小？
dense = 4 * n_out * n_in
most = max(nnz for nnz in range(n_out * n_in + 1) if 8 * nnz + 4 * (n_out + 1) < dense)
weight = torch.zeros(n_out, n_in)
weight.view(-1)[:most] = 1.0
with warnings.catch_warnings():  # “稀疏 CSR 仍是 beta”的提示
    warnings.simplefilter("ignore")
    csr = weight.to_sparse_csr()
stored = csr.values().numel() * 4 + (csr.col_indices().numel() + csr.crow_indices().numel()) * 4
assert stored < dense and stored + 8 >= dense
print(f"练习 5: 最多 {most:,} 个非零元素，即稀疏度至少 {1 - most / (n_out * n_in):.1%}")
# --8<-- [end:e5]

# --8<-- [start:e6]
# 练习 6：四个符号出现 50、25、15、10 次。霍夫曼码长、平均位数与熵各是多少？
counts = Counter({"a": 50, "b": 25, "c": 15, "d": 10})
tie = itertools.count()
heap = [(n, next(tie), [s]) for s, n in counts.items()]
heapq.heapify(heap)
lengths = dict.fromkeys(counts, 0)
while len(heap) > 1:
    n1, _, g1 = heapq.heappop(heap)
    n2, _, g2 = heapq.heappop(heap)
    for s in g1 + g2:
        lengths[s] += 1
    heapq.heappush(heap, (n1 + n2, next(tie), g1 + g2))
total = sum(counts.values())
average = sum(counts[s] * lengths[s] for s in counts) / total
entropy = -sum(n / total * math.log2(n / total) for n in counts.values())
print(f"练习 6: 码长 {lengths}，平均 {average:.2f} 位（定长要 2 位），熵 {entropy:.3f} 位")
# --8<-- [end:e6]

# --8<-- [start:e7]
# 练习 7：5 个种子上“方法 B − 方法 A”的准确率差（个百分点），配对 t 检验的 t 与双侧 p 值
differences = [0.12, 0.30, -0.05, 0.21, 0.08]
n = len(differences)
mean = sum(differences) / n
sd = math.sqrt(sum((d - mean) ** 2 for d in differences) / (n - 1))
t = mean / (sd / math.sqrt(n))
theta = math.atan(abs(t) / math.sqrt(n - 1))  # 自由度 4：P(|T| ≤ t) = sin θ (1 + cos²θ / 2)
p = 1 - math.sin(theta) * (1 + math.cos(theta) ** 2 / 2)
grid = torch.linspace(abs(t), 2_000, 2_000_001, dtype=torch.float64)  # 数值积分核对：p = 2∫f(x)dx
density = torch.distributions.StudentT(n - 1).log_prob(grid).exp()
assert abs(2 * torch.trapezoid(density, grid).item() - p) < 1e-4
print(f"练习 7: 平均差 {mean:.3f}，标准差 {sd:.3f}，t = {t:.2f}，p = {p:.3f}")
# --8<-- [end:e7]

# --8<-- [start:e8]
# 练习 8：LeNet 的 44,190 个权重全部二值化（1 位），每个输出通道再存一个 float32 的 α
lenet_layers = [(6, 25), (16, 150), (120, 256), (84, 120), (10, 84)]  # (输出通道, 每个通道的权重)
weights = sum(c * k for c, k in lenet_layers)
channels = sum(c for c, _ in lenet_layers)
binary_bytes = math.ceil(weights / 8) + 4 * channels
print(
    f"练习 8: {weights:,} 个权重 → {binary_bytes:,} 字节"
    f"（float32 要 {4 * weights:,} 字节，小 {4 * weights / binary_bytes:.1f} 倍）"
)
# --8<-- [end:e8]
