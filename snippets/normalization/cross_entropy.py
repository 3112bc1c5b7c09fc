"""交叉熵 = log_softmax + 负对数似然（NLL）；nn.CrossEntropyLoss 接收的是 logits。"""

import math

import torch
from torch import nn
from torch.nn import functional as F

logits = torch.tensor(
    [
        [2.0, 1.0, 0.1],
        [0.5, 2.5, 0.3],
        [1.2, 0.2, 3.0],
        [0.0, 0.0, 0.0],  # 三类分数相同：损失应为 ln 3
    ]
)
targets = torch.tensor([0, 1, 0, 2])  # 每个样本的正确类别


def cross_entropy_by_hand(z: list[float], y: int) -> float:
    """−ln softmax(z)_y = ln Σ_j exp(z_j) − z_y，用 Python 的 math 逐项计算。"""
    return math.log(sum(math.exp(v) for v in z)) - z[y]


per_sample = F.nll_loss(F.log_softmax(logits, dim=1), targets, reduction="none")
by_hand = [
    cross_entropy_by_hand(z, y) for z, y in zip(logits.tolist(), targets.tolist(), strict=True)
]
print("每个样本的损失:", ", ".join(f"{v:.4f}" for v in per_sample.tolist()))
assert torch.allclose(per_sample, torch.tensor(by_hand), atol=1e-6)
assert abs(per_sample[3].item() - math.log(3)) < 1e-6

loss = nn.CrossEntropyLoss()(logits, targets)  # 默认 reduction="mean"：对批取平均
assert torch.allclose(loss, per_sample.mean()) and torch.allclose(
    loss, F.cross_entropy(logits, targets)
)
print(f"nn.CrossEntropyLoss = log_softmax + nll_loss 的平均 = {loss.item():.4f}")

# 常见错误：先做 softmax 再交给 CrossEntropyLoss，等于做了两次 softmax；
# 概率都在 [0, 1] 里，第二次 softmax 几乎是均匀分布，损失被挤向 ln 3 ≈ 1.0986
wrong = nn.CrossEntropyLoss()(logits.softmax(dim=1), targets)
print(f"误把概率当 logits 传入: {wrong.item():.4f}（错误）")
assert not torch.allclose(wrong, loss)
