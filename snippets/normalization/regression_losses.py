"""回归损失 L1 与 L2（MSE），以及 reduction 参数决定的汇总方式。"""

import torch
from torch import nn

prediction = torch.tensor([2.5, 0.0, 2.0, 8.0])
target = torch.tensor([3.0, -0.5, 2.0, 7.0])
error = prediction - target  # [-0.5, 0.5, 0.0, 1.0]

for reduction in ["none", "mean", "sum"]:
    l1 = nn.L1Loss(reduction=reduction)(prediction, target)
    l2 = nn.MSELoss(reduction=reduction)(prediction, target)
    print(f"reduction={reduction!r:<7} L1: {l1.tolist()}  MSE: {l2.tolist()}")

# 逐元素 |e| 与 e²；"mean" 除以元素个数，"sum" 直接相加
assert torch.equal(nn.L1Loss(reduction="none")(prediction, target), error.abs())
assert torch.equal(nn.MSELoss(reduction="none")(prediction, target), error**2)
assert nn.L1Loss()(prediction, target) == error.abs().sum() / 4 == 0.5
assert nn.MSELoss()(prediction, target) == (error**2).sum() / 4 == 0.375

# 一个离群点：误差放大 10 倍，L1 增加 10 倍，MSE 增加 100 倍
outlier = target + torch.tensor([0.0, 0.0, 0.0, 10.0])
ratio_l1 = (nn.L1Loss(reduction="none")(outlier, target)[3] / error.abs()[3]).item()
ratio_l2 = (nn.MSELoss(reduction="none")(outlier, target)[3] / (error**2)[3]).item()
print(f"误差从 1 变成 10: L1 变为 {ratio_l1:.0f} 倍，MSE 变为 {ratio_l2:.0f} 倍")
assert (ratio_l1, ratio_l2) == (10.0, 100.0)
