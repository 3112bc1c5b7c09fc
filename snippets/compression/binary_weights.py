"""二值权重：每个权重只剩符号（±1，1 位），每个输出通道再配一个缩放因子 α。"""

import torch


# --8<-- [start:binarize]
def binarize(w: torch.Tensor) -> torch.Tensor:
    """α · sign(w)，每一行（输出通道）一个 α = mean|w|；sign(0) 取 +1。"""
    alpha = w.abs().mean(dim=1, keepdim=True)
    return torch.where(w >= 0, alpha, -alpha)


# --8<-- [end:binarize]

# --8<-- [start:alpha]
torch.manual_seed(0)
w = torch.randn(6, 25)  # LeNet 的 conv1：6 个滤波器，每个 5 × 5
signs = torch.where(w >= 0, 1.0, -1.0)
# ‖w − α b‖² = ‖w‖² − 2α Σ|w| + α² n，对 α 求导为 0 得 α = Σ|w| / n = mean|w|
errors = {}
for name, alpha in (
    ("mean|w|", w.abs().mean(dim=1, keepdim=True)),
    ("max|w|", w.abs().amax(dim=1, keepdim=True)),
    ("1", torch.ones(6, 1)),
):
    errors[name] = (w - alpha * signs).square().sum().item()
    print(f"α = {name:7s}: 平方误差 {errors[name]:.2f}")
assert min(errors, key=errors.get) == "mean|w|"
candidates = torch.linspace(0, 2, 2001)  # 在 0 到 2 之间每隔 0.001 试一个 α
tried = ((w - candidates[:, None, None] * signs) ** 2).sum(dim=2)  # (2001, 6)
best = candidates[tried.argmin(dim=0)]
assert torch.allclose(best, w.abs().mean(dim=1), atol=1e-3)
assert torch.equal(binarize(w), w.abs().mean(dim=1, keepdim=True) * signs)
# --8<-- [end:alpha]

# --8<-- [start:bits]
# ±1 的点积只需要位运算：把 +1 记作 1、−1 记作 0，相同的位贡献 +1，不同的贡献 −1，
# 所以 a · b = n − 2 · popcount(a XOR b)
n = 64
a, b = torch.randint(0, 2, (2, n), generator=torch.Generator().manual_seed(1))
as_int = [int("".join(map(str, v.tolist())), 2) for v in (a, b)]
different = bin(as_int[0] ^ as_int[1]).count("1")
dot = int(((2 * a - 1) * (2 * b - 1)).sum())
assert dot == n - 2 * different
print(f"{n} 维 ±1 向量的点积: 直接相乘 {dot}，用异或和数 1 的个数 {n - 2 * different}")
bits_float, bits_binary = 32 * w.numel(), w.numel() + 32 * w.shape[0]  # 另存 6 个 float32 的 α
print(
    f"conv1 的权重: float32 {bits_float} 位，二值 {bits_binary} 位，"
    f"小 {bits_float / bits_binary:.1f} 倍"
)
# --8<-- [end:bits]
