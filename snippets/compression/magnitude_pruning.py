"""细粒度的幅值剪枝：全局阈值与逐层阈值，并与 torch.nn.utils.prune 逐元素核对。"""

import collections
import copy

import torch
from torch import nn
from torch.nn.utils import prune

torch.manual_seed(0)
# 与 LeNet 相同的层（随机初始化）
model = nn.Sequential(
    collections.OrderedDict(
        conv1=nn.Conv2d(1, 6, 5),
        relu1=nn.ReLU(),
        pool1=nn.MaxPool2d(2),
        conv2=nn.Conv2d(6, 16, 5),
        relu2=nn.ReLU(),
        pool2=nn.MaxPool2d(2),
        flatten=nn.Flatten(),
        fc1=nn.Linear(256, 120),
        relu3=nn.ReLU(),
        fc2=nn.Linear(120, 84),
        relu4=nn.ReLU(),
        fc3=nn.Linear(84, 10),
    )
)
layers = {name: m for name, m in model.named_modules() if isinstance(m, nn.Conv2d | nn.Linear)}


# --8<-- [start:masks]
def mask_smallest(magnitudes: torch.Tensor, count: int) -> torch.Tensor:
    """形状与 magnitudes 相同的 0/1 掩码，最小的 count 个位置为 0。"""
    mask = torch.ones(magnitudes.numel())
    if count:
        mask[torch.topk(magnitudes.flatten(), count, largest=False).indices] = 0
    return mask.view(magnitudes.shape)


def layer_masks(sparsity: float) -> dict[str, torch.Tensor]:
    """逐层：每层剪掉自己 round(s·n) 个绝对值最小的权重。"""
    return {
        name: mask_smallest(layer.weight.abs(), round(sparsity * layer.weight.numel()))
        for name, layer in layers.items()
    }


def global_masks(sparsity: float) -> dict[str, torch.Tensor]:
    """全局：把所有层的权重放在一起，用同一个阈值剪掉 round(s·n) 个。"""
    magnitudes = torch.cat([layer.weight.abs().flatten() for layer in layers.values()])
    flat = mask_smallest(magnitudes, round(sparsity * magnitudes.numel()))
    parts = flat.split([layer.weight.numel() for layer in layers.values()])
    return {
        name: part.view(layer.weight.shape)
        for (name, layer), part in zip(layers.items(), parts, strict=True)
    }


# --8<-- [end:masks]

# --8<-- [start:compare]
sparsity = 0.8
ours = {"global": global_masks(sparsity), "layer": layer_masks(sparsity)}
print("层        权重     置零（全局）     置零（逐层）")
for name, layer in layers.items():
    n = layer.weight.numel()
    zeros = [int((ours[scope][name] == 0).sum()) for scope in ("global", "layer")]
    print(
        f"{name:5} {n:>9,} {zeros[0]:>10,} = {zeros[0] / n:4.0%} {zeros[1]:>10,} = "
        f"{zeros[1] / n:4.0%}"
    )
total = sum(layer.weight.numel() for layer in layers.values())
zeros = {
    scope: sum(int((mask == 0).sum()) for mask in masks.values()) for scope, masks in ours.items()
}
assert zeros["global"] == round(sparsity * total)
assert zeros["layer"] == sum(round(sparsity * layer.weight.numel()) for layer in layers.values())
print(f"合计 {total:,} 个权重；置零: 全局 {zeros['global']:,} 个，逐层 {zeros['layer']:,} 个")

# PyTorch 自带的剪枝工具：同样的规则，掩码逐元素相同
by_torch = copy.deepcopy(model)
torch_layers = [m for m in by_torch.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
prune.global_unstructured(
    [(m, "weight") for m in torch_layers], prune.L1Unstructured, amount=sparsity
)
assert all(
    torch.equal(m.weight_mask, ours["global"][name])
    for m, name in zip(torch_layers, layers, strict=True)
)
for m, layer in zip(torch_layers, layers.values(), strict=True):
    prune.remove(m, "weight")  # 把 weight_orig × weight_mask 固化为普通的 weight
    per_layer = copy.deepcopy(layer)
    prune.l1_unstructured(per_layer, "weight", amount=sparsity)
    assert torch.equal(
        per_layer.weight_mask,
        mask_smallest(layer.weight.abs(), round(sparsity * layer.weight.numel())),
    )
print("与 torch.nn.utils.prune 的掩码逐元素相同（全局与逐层）: True")

# 剪枝后的网络形状不变：零照样存储、照样参与乘法
assert [m.weight.shape for m in torch_layers] == [m.weight.shape for m in layers.values()]
stored = sum(p.numel() for p in by_torch.parameters())
nonzero = sum(int(torch.count_nonzero(p)) for p in by_torch.parameters())
print(f"全局剪枝之后: 仍存 {stored:,} 个数，其中非零的 {nonzero:,} 个")
# --8<-- [end:compare]
