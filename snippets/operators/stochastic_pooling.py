"""随机池化（stochastic pooling）：训练时按概率抽取一个值，推理时取概率加权平均。"""

from fractions import Fraction

import torch


# --8<-- [start:helper]
def stochastic_pool2d(
    x: torch.Tensor,
    kernel_size: int,
    stride: int | None = None,
    *,
    training: bool,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """对非负输入 (B, C, H, W) 做随机池化，不填充。"""
    stride = kernel_size if stride is None else stride
    if x.dim() != 4:
        raise ValueError(f"输入必须是四维的 (B, C, H, W)，实际形状为 {tuple(x.shape)}")
    if kernel_size < 1 or stride < 1:
        raise ValueError(f"kernel_size 与 stride 至少为 1，实际为 {kernel_size} 与 {stride}")
    h, w = x.shape[-2:]
    if kernel_size > min(h, w):
        raise ValueError(f"kernel_size={kernel_size} 大于输入（{h}×{w}）")
    if (x < 0).any():
        raise ValueError("输入必须非负（随机池化放在 ReLU 之后）")
    # windows[b, c, i, j] 是输出位置 (i, j) 的窗口，拉平成 K*K 个值；每个通道各自取窗口
    windows = x.unfold(2, kernel_size, stride).unfold(3, kernel_size, stride).flatten(-2)
    totals = windows.sum(dim=-1, keepdim=True)
    # 概率与激活值成正比；全零窗口里抽到哪个都是 0，用均匀分布代替
    probs = torch.where(totals > 0, windows / totals, 1.0 / windows.shape[-1])
    if not training:
        return (probs * windows).sum(dim=-1)  # 期望值 Σ p_i a_i
    flat_probs = probs.reshape(-1, probs.shape[-1])
    picked = torch.multinomial(flat_probs, 1, generator=generator)  # 每个窗口抽一个位置
    return windows.reshape(-1, windows.shape[-1]).gather(1, picked).reshape(totals.shape[:-1])
    # --8<-- [end:helper]


# --8<-- [start:window]
window = [[1, 0, 2], [0, 4, 0], [3, 0, 0]]  # 一个 3×3 窗口（ReLU 之后，没有负数）
values = [v for row in window for v in row]
total = sum(values)
probabilities = [Fraction(v, total) for v in values]  # p_i = a_i / Σ a_j
expected = sum(
    p * v for p, v in zip(probabilities, values, strict=True)
)  # Σ p_i a_i = Σ a_i² / Σ a_j
print("概率 p_i:", [str(p) for p in probabilities])
squares = sum(v * v for v in values)
print(f"推理输出 Σ p_i a_i = Σ a_i² / Σ a_j = {squares}/{total} = {expected}")

x = torch.tensor(window, dtype=torch.float32).reshape(1, 1, 3, 3)
inference = stochastic_pool2d(x, 3, training=False)
assert abs(inference.item() - float(expected)) < 1e-6
# --8<-- [end:window]

# --8<-- [start:check]
# 训练模式抽样 10 万次：样本均值应接近推理输出，各值被抽中的频率应接近 p_i
draws = 100_000
generator = torch.Generator().manual_seed(0)
samples = stochastic_pool2d(x.expand(draws, 1, 3, 3), 3, training=True, generator=generator)
samples = samples.flatten()
assert set(samples.tolist()) <= set(values) - {0}  # 只会抽到窗口里的正值
mean = samples.mean().item()
print(f"训练模式 {draws:,} 次抽样的均值: {mean:.2f}（容差 0.02）")
# 单次抽样的方差 Σ p_i a_i² − 3² = 10 − 9 = 1，均值的标准误 1/√100000 ≈ 0.003，容差约为它的 6 倍
assert abs(mean - float(expected)) < 0.02
for value in sorted(set(values) - {0}):  # 窗口里的正值互不相同
    frequency = (samples == value).float().mean().item()
    p = probabilities[values.index(value)]
    print(f"  抽到 {value} 的频率 {frequency:.2f}，概率 p = {float(p):.1f}")
    assert abs(frequency - float(p)) < 0.01  # 标准误不超过 √(0.25/100000) ≈ 0.0016

# 整张特征图同样成立：2×2/S2 的随机池化，训练模式 2000 次的平均 ≈ 推理输出
torch.manual_seed(0)
feature_map = torch.relu(torch.randn(1, 2, 6, 6))
repeated = feature_map.expand(2000, 2, 6, 6)  # 同一张图复制 2000 份，一次抽完
average = stochastic_pool2d(repeated, 2, training=True, generator=generator).mean(dim=0)
inference_map = stochastic_pool2d(feature_map, 2, training=False)
assert inference_map.shape == (1, 2, 3, 3)
print(
    "整图: 训练模式平均与推理输出之差 < 0.05:", (average - inference_map).abs().max().item() < 0.05
)
# --8<-- [end:check]
