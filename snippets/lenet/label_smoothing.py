"""Label smoothing: cross-entropy against a softened target, checked against PyTorch."""

import math

import torch
from torch.nn import functional as F

torch.manual_seed(0)
logits = torch.randn(4, 10)  # a batch of 4 samples, 10 classes
labels = torch.tensor([3, 0, 9, 3])
eps, classes = 0.1, 10

# the target keeps 1 - eps on the true class and spreads eps evenly over all classes
target = torch.full((4, classes), eps / classes)
target[torch.arange(4), labels] += 1 - eps
print("标签为 3 的目标分布:", [round(v, 2) for v in target[0].tolist()])

by_hand = -(target * F.log_softmax(logits, dim=1)).sum(dim=1).mean()
by_torch = F.cross_entropy(logits, labels, label_smoothing=eps)
print(f"按公式 {by_hand:.4f}，F.cross_entropy(label_smoothing=0.1) {by_torch:.4f}")
assert torch.allclose(by_hand, by_torch, atol=1e-6)

# The loss cannot fall below the entropy of the target; logits equal to log(target) reach it.
true_share, other_share = 1 - eps + eps / classes, eps / classes  # 0.91 and 0.01
floor = -(true_share * math.log(true_share) + (classes - 1) * other_share * math.log(other_share))
reached = F.cross_entropy(target.log(), labels, label_smoothing=eps).item()
print(f"损失的下限: {floor:.4f}（logits 取 log(目标分布) 时达到: {reached:.4f}）")
assert abs(reached - floor) < 1e-6
