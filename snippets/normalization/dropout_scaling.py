"""倒置（inverted）Dropout：训练时以概率 p 置零、其余除以 1 − p；推理时什么也不做。"""

import torch
from torch import nn


# --8<-- [start:helper]
def inverted_dropout(
    x: torch.Tensor, p: float, *, training: bool, generator: torch.Generator | None = None
) -> torch.Tensor:
    """每个元素独立地以概率 p 置零，保留的元素乘 1/(1 − p)，使期望不变。"""
    if not 0 <= p < 1:
        raise ValueError(f"p 必须满足 0 <= p < 1，收到 {p}")
    if not training or p == 0:
        return x
    keep = torch.rand(x.shape, generator=generator) >= p  # 保留的概率是 1 − p
    return x * keep / (1 - p)
    # --8<-- [end:helper]


# --8<-- [start:check]
p = 0.3
x = torch.full((1000, 1000), 2.0)  # 一百万个 2
generator = torch.Generator().manual_seed(0)
torch.manual_seed(0)
results = {
    "手写": inverted_dropout(x, p, training=True, generator=generator),
    "nn.Dropout": nn.Dropout(p).train()(x),
}
for name, y in results.items():
    kept = y != 0
    assert torch.allclose(y[kept], x[kept] / (1 - p))  # 保留下来的正是 x / (1 − p)
    zero_fraction = 1 - kept.float().mean().item()
    print(f"{name}: 置零比例 {zero_fraction:.2f}，均值 {y.mean().item():.2f}（原来 2.00）")
    assert abs(zero_fraction - p) < 0.005  # 标准误 √(0.3·0.7/10⁶) ≈ 0.0005
    assert abs(y.mean().item() - 2.0) < 0.01

# 推理模式：原样输出，连同一块内存都不换
dropout = nn.Dropout(p).eval()
assert dropout(x) is x and inverted_dropout(x, p, training=False) is x
print("推理模式: 输出就是输入本身")
# --8<-- [end:check]
