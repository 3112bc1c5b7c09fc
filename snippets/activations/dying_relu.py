"""死亡 ReLU：预激活在所有输入上都为负的单元拿不到任何梯度，训练多少步都不会变。"""

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)
inputs = torch.randn(256, 3)
targets = inputs.sum(dim=1, keepdim=True).relu()  # 一个本来学得会的目标


Params = list[torch.Tensor]


def train(
    activation: nn.Module, steps: int = 100, lr: float = 1.0
) -> tuple[nn.Linear, Params, Params]:
    """训练一个单元；返回它、训练前的参数、第一步的梯度。"""
    torch.manual_seed(1)
    unit = nn.Linear(3, 1)
    with torch.no_grad():
        unit.bias.fill_(-4.0)  # 比如一次过大的更新把偏置推到了很负的地方
    start = [p.detach().clone() for p in unit.parameters()]
    first_grads: Params = []
    for step in range(steps):
        grads = torch.autograd.grad(
            F.mse_loss(activation(unit(inputs)), targets), unit.parameters()
        )
        if step == 0:
            first_grads = list(grads)
        with torch.no_grad():  # 普通的梯度下降：p <- p - lr * grad
            for parameter, grad in zip(unit.parameters(), grads, strict=True):
                parameter -= lr * grad
    return unit, start, first_grads


for name, activation in [("ReLU", nn.ReLU()), ("LeakyReLU(0.01)", nn.LeakyReLU())]:
    unit, start, first_grads = train(activation)
    alive_before = int((inputs @ start[0].T + start[1] > 0).sum())
    alive_after = int((unit(inputs) > 0).sum())
    unchanged = all(torch.equal(p, s) for p, s in zip(unit.parameters(), start, strict=True))
    grad_is_zero = all(bool((g == 0).all()) for g in first_grads)
    print(f"{name}: 预激活为正的输入 {alive_before}/256 -> 训练 100 步后 {alive_after}/256；")
    print(f"    第一步的梯度全为 0: {grad_is_zero}，参数一直没变: {unchanged}")
    if name == "ReLU":
        assert alive_before == 0 and grad_is_zero and unchanged and alive_after == 0
    else:
        assert not grad_is_zero and alive_after > 0
