"""低秩分解：用截断 SVD 把全连接层的权重 W（n_out × n_in）换成两个细长矩阵的乘积 W_2 W_1。"""

import torch
from torch import nn


# --8<-- [start:factorize]
def factorize(linear: nn.Linear, rank: int) -> nn.Sequential:
    """W ≈ (U_r Σ_r^½)(Σ_r^½ V_rᵀ)：先乘 W_1（rank × n_in，无偏置），
    再乘 W_2（n_out × rank，带原来的偏置）。"""
    u, s, vh = torch.linalg.svd(linear.weight.detach().double(), full_matrices=False)
    root = s[:rank].sqrt()
    first = nn.Linear(linear.in_features, rank, bias=False)
    second = nn.Linear(rank, linear.out_features)
    with torch.no_grad():
        first.weight.copy_(root[:, None] * vh[:rank])
        second.weight.copy_(u[:, :rank] * root)
        second.bias.copy_(linear.bias)
    return nn.Sequential(first, second)  # 两层之间没有激活函数


def weight_count(module: nn.Module) -> int:
    """权重的个数（不算偏置）。"""
    return sum(m.weight.numel() for m in module.modules() if isinstance(m, nn.Linear))


# --8<-- [end:factorize]

# --8<-- [start:check]
torch.manual_seed(0)
n_out, n_in = 120, 256  # LeNet 的 fc1
# 造一个奇异值逐渐衰减的权重（训练好的全连接层常常如此）：σ_k ∝ 1 / k
u, _ = torch.linalg.qr(torch.randn(n_out, n_out, dtype=torch.float64))
v, _ = torch.linalg.qr(torch.randn(n_in, n_out, dtype=torch.float64))
sigma = 1.0 / torch.arange(1, n_out + 1, dtype=torch.float64)
fc1 = nn.Linear(n_in, n_out)
with torch.no_grad():
    fc1.weight.copy_(u @ torch.diag(sigma) @ v.T)

x = torch.randn(8, n_in)
print("秩 r | 权重个数 | 相对误差 ‖W − W_r‖_F / ‖W‖_F | 谱范数误差 = σ_(r+1)")
for rank in (4, 16, 32, 64):
    low = factorize(fc1, rank)
    w_r = low[1].weight.double() @ low[0].weight.double()
    error = torch.linalg.matrix_norm(fc1.weight.double() - w_r)
    tail = sigma[rank:].square().sum().sqrt()  # Eckart–Young：误差恰好是舍去的奇异值
    assert torch.isclose(error, tail, rtol=1e-4)
    spectral = torch.linalg.matrix_norm(fc1.weight.double() - w_r, ord=2)
    assert torch.isclose(spectral, sigma[rank], rtol=1e-4)
    with torch.no_grad():  # 两层的输出 = 用 W_r 的一层
        direct = x.double() @ w_r.T + fc1.bias.double()
        assert torch.allclose(low(x).double(), direct, atol=1e-5)
    count = weight_count(low)
    assert count == rank * (n_in + n_out)
    relative = error / torch.linalg.matrix_norm(fc1.weight.double())
    print(f"{rank:4d} | {count:8,} | {relative:.4f} | {spectral:.4f}")

break_even = n_out * n_in / (n_in + n_out)
print(f"原来的权重个数: {n_out * n_in:,}；秩低于 {break_even:.1f} 时分解才更省")
# --8<-- [end:check]
