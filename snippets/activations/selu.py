"""SELU 的两个常数从哪里来：让标准正态输入的输出均值仍为 0、方差仍为 1。"""

import math

import torch
from torch import nn
from torch.nn import functional as F

torch.set_default_dtype(torch.float64)


def normal_cdf(t: float) -> float:
    return 0.5 * math.erfc(-t / math.sqrt(2))  # Φ(t)


# z ~ N(0, 1) 时的几个期望（E[·; z > 0] 表示只在 z > 0 的部分上积分），都有闭式：
positive_mean = 1 / math.sqrt(2 * math.pi)  # E[z; z > 0]
exp_below = math.exp(0.5) * normal_cdf(-1)  # E[e^z; z < 0]
exp2_below = math.exp(2) * normal_cdf(-2)  # E[e^(2z); z < 0]
# 均值为 0：E[z; z > 0] + α·E[e^z − 1; z < 0] = 0
alpha = positive_mean / (0.5 - exp_below)
# 二阶矩为 1：λ²·(E[z²; z > 0] + α²·E[(e^z − 1)²; z < 0]) = 1
second_moment = 0.5 + alpha**2 * (exp2_below - 2 * exp_below + 0.5)
scale = 1 / math.sqrt(second_moment)  # λ

# torch 里的常数：SELU(1) = λ，x → −∞ 时 SELU(x) → −λα
torch_scale = F.selu(torch.tensor(1.0)).item()
torch_alpha = -F.selu(torch.tensor(-100.0)).item() / torch_scale
print(f"由两个条件解出: α = {alpha:.6f}，λ = {scale:.6f}")
print(f"torch 使用的:   α = {torch_alpha:.6f}，λ = {torch_scale:.6f}")
assert math.isclose(alpha, torch_alpha, rel_tol=1e-12) and math.isclose(
    scale, torch_scale, rel_tol=1e-12
)

# 数值积分核对：SELU(z) 的均值 0、方差 1
z = torch.linspace(-12, 12, 240_001)
density = torch.exp(-(z**2) / 2) / math.sqrt(2 * math.pi)
y = nn.SELU()(z)
mean = torch.trapezoid(y * density, z).item()
variance = torch.trapezoid((y - mean) ** 2 * density, z).item()
assert abs(mean) < 1e-8 and abs(variance - 1) < 1e-8
print(f"z ~ N(0, 1) 时 SELU(z) 的均值 {round(mean, 6) + 0.0:.6f}，方差 {variance:.6f}")

# 自归一化：32 层全连接，权重按 LeCun 正态初始化（标准差 1/√fan_in），看各层输出的统计量
torch.manual_seed(0)
width, depth = 256, 32
weights = [torch.randn(width, width) / math.sqrt(width) for _ in range(depth)]
inputs = torch.randn(1000, width)
activations = {"SELU": F.selu, "ReLU": F.relu, "tanh": torch.tanh}
stats = {name: [] for name in activations}  # 每层输出的（均值, 标准差）
for name, activation in activations.items():
    h = inputs
    for weight in weights:
        h = activation(h @ weight.T)
        stats[name].append((h.mean().item(), h.std().item()))
print("各层输出的（均值, 标准差）")
print("层  " + "".join(f"{name:<15}" for name in activations).rstrip())
for layer in (1, 8, 32):
    cells = [f"{m:+.2f}, {s:.2f}" for m, s in (stats[name][layer - 1] for name in activations)]
    print(f"{layer:>2}  " + "".join(f"{cell:<15}" for cell in cells).rstrip())
assert all(abs(m) < 0.1 and abs(s - 1) < 0.1 for m, s in stats["SELU"])  # 始终接近 (0, 1)
for name in ("ReLU", "tanh"):
    assert stats[name][-1][1] < 0.5 * stats[name][0][1]  # 越传越小
