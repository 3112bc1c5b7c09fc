"""彩票假设的做法：训练 → 按幅值剪枝得到掩码 → 把留下的权重“倒回”训练前的初值
→ 带着掩码重新训练。"""

import copy

import torch
from torch import nn

torch.manual_seed(0)
inputs = torch.randn(256, 20)
labels = (inputs[:, :5].sum(dim=1) > 0).long()  # 一个小的二分类任务


def train(model: nn.Module, masks: dict | None = None, steps: int = 200) -> nn.Module:
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(steps):
        loss = nn.functional.cross_entropy(model(inputs), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if masks:  # 被剪掉的权重每一步之后都重新置零
            keep_only(model, masks)
    return model


@torch.no_grad()
def keep_only(model: nn.Module, masks: dict) -> None:
    """把掩码为 0 的权重置零（掩码按参数名给出）。"""
    for key, mask in masks.items():
        model.get_parameter(key).mul_(mask)


# --8<-- [start:rewind]
network = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 2))
initial = copy.deepcopy(network.state_dict())  # θ₀：训练之前的权重，先存下来
trained = train(network)

# 全局幅值剪枝：所有层的权重放在一起，留下绝对值最大的 10%
weights = {n: p.detach() for n, p in trained.named_parameters() if n.endswith("weight")}
threshold = torch.cat([w.abs().flatten() for w in weights.values()]).quantile(0.9)
masks = {n: (w.abs() > threshold).float() for n, w in weights.items()}

ticket = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 2))
ticket.load_state_dict(initial)  # 倒回 θ₀ ……
keep_only(ticket, masks)  # …… 只留掩码为 1 的那些
# --8<-- [end:rewind]

# --8<-- [start:check]
kept = sum(int(m.sum()) for m in masks.values())
total = sum(m.numel() for m in masks.values())
first = ticket[0].weight.detach()
survivors = masks["0.weight"].bool()
assert torch.equal(first[survivors], initial["0.weight"][survivors])  # 留下的权重就是初值
assert torch.all(first[~survivors] == 0)
retrained = train(ticket, masks)
still_zero = all(
    bool(torch.all(retrained.get_parameter(key)[mask == 0] == 0)) for key, mask in masks.items()
)
assert still_zero
print(f"留下的权重: {kept} / {total}（{kept / total:.0%}），它们重新训练前等于训练前的初值")
print(f"重新训练之后，被剪掉的权重仍然全是 0: {still_zero}")
# --8<-- [end:check]
