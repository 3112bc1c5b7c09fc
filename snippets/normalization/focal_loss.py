"""焦点损失（focal loss）：给交叉熵乘上 (1 − p_t)^γ，容易的样本几乎不再贡献损失。"""

import torch
from torch import nn
from torch.nn import functional as F
from torchvision.ops import sigmoid_focal_loss


# --8<-- [start:focal]
def focal_loss(logits: torch.Tensor, targets: torch.Tensor, gamma: float = 2.0,
               alpha: float = 0.25) -> torch.Tensor:  # fmt: skip
    """二分类焦点损失（逐元素）：−α_t (1 − p_t)^γ ln p_t；alpha < 0 表示不加类别权重。"""
    if gamma < 0:
        raise ValueError(f"gamma 必须不小于 0，收到 {gamma}")
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")  # −ln p_t
    p = torch.sigmoid(logits)
    p_t = p * targets + (1 - p) * (1 - targets)  # 模型给正确答案的概率
    loss = (1 - p_t) ** gamma * ce
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss  # α_t
    return loss
    # --8<-- [end:focal]


# --8<-- [start:check]
torch.manual_seed(0)
logits = torch.randn(1000, dtype=torch.float64) * 4
targets = (torch.rand(1000, dtype=torch.float64) < 0.3).double()

reference = sigmoid_focal_loss(logits, targets, alpha=0.25, gamma=2.0, reduction="none")
matches = torch.allclose(focal_loss(logits, targets), reference, rtol=1e-12, atol=0)
print("与 torchvision.ops.sigmoid_focal_loss 一致:", matches)
assert matches

bce = nn.BCEWithLogitsLoss(reduction="none")(logits, targets)
reduces = torch.allclose(focal_loss(logits, targets, gamma=0.0, alpha=-1), bce, rtol=1e-12)
print("γ = 0、不加 α 时等于二分类交叉熵:", reduces)
assert reduces
# --8<-- [end:check]

# --8<-- [start:weights]
print("p_t    交叉熵  焦点损失(γ=2)  之比 (1 − p_t)^2")
for p_t in (0.9, 0.5, 0.1):
    logit = torch.logit(torch.tensor([p_t], dtype=torch.float64))
    one = torch.ones(1, dtype=torch.float64)  # 目标为 1，于是 p_t = σ(logit)
    ce = F.binary_cross_entropy_with_logits(logit, one).item()
    fl = focal_loss(logit, one, gamma=2.0, alpha=-1).item()
    print(f"{p_t:<7}{ce:<8.4f}{fl:<15.4f}{fl / ce:.2f}")
    assert abs(fl / ce - (1 - p_t) ** 2) < 1e-12
# --8<-- [end:weights]
