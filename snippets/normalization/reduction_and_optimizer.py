"""reduction="sum" 与 "mean" 差 n 倍：SGD 的步长也差 n 倍，Adam 的步长却几乎不变。"""

import copy

import torch
from torch import nn

torch.manual_seed(0)
n = 64  # 一批的元素个数
inputs, targets = torch.randn(n, 3), torch.randn(n, 1)
start = nn.Linear(3, 1)


def one_step_change(optimizer_class, reduction: str, lr: float = 0.01) -> torch.Tensor:
    """从同一个起点走一步，返回参数的变化量（拼成一个向量）。"""
    model = copy.deepcopy(start)
    optimizer = optimizer_class(model.parameters(), lr=lr)
    before = torch.cat([p.detach().flatten().clone() for p in model.parameters()])
    nn.MSELoss(reduction=reduction)(model(inputs), targets).backward()
    optimizer.step()
    after = torch.cat([p.detach().flatten() for p in model.parameters()])
    return after - before


for optimizer_class in (torch.optim.SGD, torch.optim.Adam):
    step_sum = one_step_change(optimizer_class, "sum")
    step_mean = one_step_change(optimizer_class, "mean")
    ratio = (step_sum.norm() / step_mean.norm()).item()
    print(f"{optimizer_class.__name__:<5} sum 的步长 / mean 的步长 = {ratio:.2f}")
    if optimizer_class is torch.optim.SGD:
        assert torch.allclose(step_sum, n * step_mean, rtol=1e-4)  # 梯度差 n 倍，步长也差 n 倍
    else:
        assert abs(ratio - 1) < 1e-3  # Adam 用梯度除以它自己的均方根，常数因子被约掉
