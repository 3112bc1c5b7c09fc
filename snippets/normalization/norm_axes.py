"""BN、LN、IN、GN 只差在“哪些数一起求均值和方差”：手写的公式与 torch 的模块逐一核对。"""

import torch
from torch import nn
from torchvision.models.convnext import LayerNorm2d

torch.manual_seed(0)
B, C, H, W = 4, 6, 5, 5
G = 3  # GroupNorm 的组数：每组 C/G = 2 个通道
x = torch.randn(B, C, H, W) * 3 + 1
EPS = 1e-5


def normalize(t: torch.Tensor, dims: tuple[int, ...]) -> tuple[torch.Tensor, int]:
    """在 dims 这几维上求均值与有偏方差并标准化（不带 γ、β）；另返回统计量有几组。"""
    mean = t.mean(dim=dims, keepdim=True)
    var = t.var(dim=dims, unbiased=False, keepdim=True)
    return (t - mean) / torch.sqrt(var + EPS), mean.numel()


def group_norm(t: torch.Tensor, groups: int) -> tuple[torch.Tensor, int]:
    """把 C 个通道分成 groups 组，每个样本的每组一起统计。"""
    grouped, count = normalize(t.view(B, groups, C // groups, H, W), (2, 3, 4))
    return grouped.view(B, C, H, W), count


# 名字 -> (一起统计的维度, 手写结果与组数, torch 模块)
variants = {
    "BatchNorm2d": ("B, H, W", normalize(x, (0, 2, 3)), nn.BatchNorm2d(C, affine=False)),
    "LayerNorm": (
        "C, H, W",
        normalize(x, (1, 2, 3)),
        nn.LayerNorm([C, H, W], elementwise_affine=False),
    ),
    "InstanceNorm2d": ("H, W", normalize(x, (2, 3)), nn.InstanceNorm2d(C)),
    "GroupNorm": ("C/G, H, W", group_norm(x, G), nn.GroupNorm(G, C, affine=False)),
}
print(f"输入形状 (B, C, H, W) = {(B, C, H, W)}，GroupNorm 的 G = {G}")
print("名称            统计的维度  组数  每组个数  与 torch 一致")
for name, (dims, (by_hand, groups), module) in variants.items():
    same = torch.allclose(module.train()(x), by_hand, atol=1e-5)
    assert same, name
    print(f"{name:<16}{dims:<12}{groups:>4}{x.numel() // groups:>10}  {same}")

# 两个极端：G = 1 时 GroupNorm 就是 LayerNorm，G = C 时就是 InstanceNorm
extremes = {
    "GroupNorm(1, C) == LayerNorm": torch.allclose(
        nn.GroupNorm(1, C, affine=False)(x), variants["LayerNorm"][1][0], atol=1e-5
    ),
    "GroupNorm(C, C) == InstanceNorm2d": torch.allclose(
        nn.GroupNorm(C, C, affine=False)(x), variants["InstanceNorm2d"][1][0], atol=1e-5
    ),
    # ConvNeXt 的 LayerNorm2d 又是另一种：每个像素位置单独对 C 个通道统计
    "ConvNeXt 的 LayerNorm2d == 只对 C 统计": torch.allclose(
        LayerNorm2d(C, eps=EPS, elementwise_affine=False)(x), normalize(x, (1,))[0], atol=1e-5
    ),
}
for claim, holds in extremes.items():
    assert holds, claim
    print(f"{claim}: {holds}")

# γ、β：BN、GN 每个通道一对；LayerNorm([C, H, W]) 每个元素一对
for module in (nn.BatchNorm2d(C), nn.GroupNorm(G, C), nn.LayerNorm([C, H, W])):
    shapes = [tuple(p.shape) for p in module.parameters()]
    print(f"{type(module).__name__:<12} γ、β 的形状: {shapes}")
