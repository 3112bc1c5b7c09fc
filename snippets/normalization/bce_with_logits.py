"""二分类：BCEWithLogitsLoss 直接接收 logit；先 sigmoid 再 BCELoss 在 logit 很大时出错。"""

import math

import torch
from torch import nn


def exact_bce(z: float, y: float) -> float:
    """−[y ln σ(z) + (1 − y) ln(1 − σ(z))] 的稳定写法：max(z, 0) − z·y + ln(1 + e^(−|z|))。"""
    return max(z, 0.0) - z * y + math.log1p(math.exp(-abs(z)))


def loss_and_slope(loss_of_logit, z: float, y: float) -> tuple[float, float]:
    logit = torch.tensor([z], requires_grad=True)  # float32，与网络里一样
    loss = loss_of_logit(logit, torch.tensor([y]))
    (slope,) = torch.autograd.grad(loss, logit)
    return loss.item(), slope.item()


def two_steps(logit: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return nn.BCELoss()(torch.sigmoid(logit), target)  # 先算概率，再取对数


with_logits = nn.BCEWithLogitsLoss()

print("  logit  目标   精确值   BCEWithLogits（梯度）   sigmoid + BCELoss（梯度）")
for z, y in [(2.0, 1.0), (-20.0, 1.0), (20.0, 0.0), (-120.0, 1.0)]:
    exact = exact_bce(z, y)
    good, good_slope = loss_and_slope(with_logits, z, y)
    bad, bad_slope = loss_and_slope(two_steps, z, y)
    bad_slope += 0.0  # 把 -0.0 显示为 +0.0
    print(
        f"{z:7g}{y:6g}{exact:10.4f}{good:12.4f}（{good_slope:+.4f}）{bad:14.4f}（{bad_slope:+.4f}）"
    )
    assert math.isclose(good, exact, rel_tol=1e-6)
    # 梯度恒为 σ(z) − y：不会消失
    assert math.isclose(good_slope, 1 / (1 + math.exp(-z)) - y, abs_tol=1e-6)

# float32 里 σ(20) 舍入成 1，ln(1 − 1) = −∞；BCELoss 把对数截断在 −100，梯度变成 0
assert torch.sigmoid(torch.tensor(20.0)).item() == 1.0
assert loss_and_slope(two_steps, 20.0, 0.0) == (100.0, 0.0)
