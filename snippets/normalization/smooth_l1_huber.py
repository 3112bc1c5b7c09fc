"""Smooth L1 与 Huber：小误差时像 L2，大误差时像 L1；两者只差一个系数。"""

import torch
from torch import nn


# --8<-- [start:formulas]
def smooth_l1(e: torch.Tensor, beta: float) -> torch.Tensor:
    """|e| < β 时为 0.5 e² / β，否则为 |e| − 0.5 β。"""
    return torch.where(e.abs() < beta, 0.5 * e**2 / beta, e.abs() - 0.5 * beta)


def huber(e: torch.Tensor, delta: float) -> torch.Tensor:
    """|e| ≤ δ 时为 0.5 e²，否则为 δ (|e| − 0.5 δ)。"""
    return torch.where(e.abs() <= delta, 0.5 * e**2, delta * (e.abs() - 0.5 * delta))
    # --8<-- [end:formulas]


# --8<-- [start:check]
errors = torch.linspace(-4, 4, 161, dtype=torch.float64)  # 预测减目标，步长 0.05
zeros = torch.zeros_like(errors)
for beta in [0.5, 1.0, 2.0]:
    torch_smooth = nn.SmoothL1Loss(reduction="none", beta=beta)(errors, zeros)
    torch_huber = nn.HuberLoss(reduction="none", delta=beta)(errors, zeros)
    assert torch.allclose(torch_smooth, smooth_l1(errors, beta))
    assert torch.allclose(torch_huber, huber(errors, beta))
    assert torch.allclose(torch_huber, beta * torch_smooth)  # Huber(δ) = δ · SmoothL1(β = δ)
print("SmoothL1Loss、HuberLoss 与手写公式一致，且 Huber(δ) = δ · SmoothL1(β=δ): True")

# β = 1 时两者相同；β → 0 时 Smooth L1 退化为 L1
assert torch.allclose(nn.SmoothL1Loss(reduction="none")(errors, zeros), huber(errors, 1.0))
l1 = nn.L1Loss(reduction="none")(errors, zeros)
assert torch.allclose(nn.SmoothL1Loss(reduction="none", beta=0.0)(errors, zeros), l1)
print("默认 β = 1 时 Smooth L1 等于 Huber(δ=1)；β = 0 时等于 L1: True")
# --8<-- [end:check]

# --8<-- [start:gradient]
# 导数：Smooth L1 是 clamp(e/β, −1, 1)，Huber 是 clamp(e, −δ, δ)；都有界，离群点的梯度不会爆炸
e = errors.clone().requires_grad_()
beta = 2.0
grads = {}
for name, loss_fn in {
    "L1": nn.L1Loss(reduction="sum"),
    "MSE": nn.MSELoss(reduction="sum"),
    "SmoothL1(β=2)": nn.SmoothL1Loss(reduction="sum", beta=beta),
    "Huber(δ=2)": nn.HuberLoss(reduction="sum", delta=beta),
}.items():
    (grad,) = torch.autograd.grad(loss_fn(e, zeros), e)
    grads[name] = grad
assert torch.allclose(grads["L1"], errors.sign())
assert torch.allclose(grads["MSE"], 2 * errors)
assert torch.allclose(grads["SmoothL1(β=2)"], (errors / beta).clamp(-1, 1))
assert torch.allclose(grads["Huber(δ=2)"], errors.clamp(-beta, beta))
small, large = int((errors - 0.5).abs().argmin()), int((errors - 4.0).abs().argmin())
for name, grad in grads.items():
    print(f"{name:<14} 误差 0.5 处导数 {grad[small]:5.2f}，误差 4 处导数 {grad[large]:5.2f}")
# --8<-- [end:gradient]
