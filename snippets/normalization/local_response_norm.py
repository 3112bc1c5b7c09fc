"""局部响应归一化（LRN，AlexNet）：每个位置除以相邻 n 个通道平方和的函数。"""

import torch
from torch import nn
from torchvision import models


def lrn_by_hand(a: torch.Tensor, n: int, k: float, alpha: float, beta: float) -> torch.Tensor:
    """AlexNet 论文的写法：b_c = a_c / (k + α Σ a_j²)^β，j 取 c 两侧共 n 个通道（越界的不算）。"""
    channels = a.shape[1]
    out = torch.empty_like(a)
    for c in range(channels):
        low, high = max(0, c - n // 2), min(channels - 1, c + (n - 1) // 2)
        window = a[:, low : high + 1].pow(2).sum(dim=1)
        out[:, c] = a[:, c] / (k + alpha * window).pow(beta)
    return out


torch.manual_seed(0)
a = torch.randn(2, 8, 6, 6, dtype=torch.float64) * 10  # 放大，让分母明显不等于 k^β
n, k, alpha, beta = 5, 2.0, 1e-4, 0.75  # AlexNet 的取值

# torch 的 alpha 乘的是窗口内平方和的“平均”（除以 n），论文的 α 乘的是“和”：要传 n·α
torch_lrn = nn.LocalResponseNorm(size=n, alpha=n * alpha, beta=beta, k=k)
paper = lrn_by_hand(a, n, k, alpha, beta)
matches_scaled = torch.allclose(torch_lrn(a), paper, rtol=1e-12, atol=0)
matches_raw = torch.allclose(nn.LocalResponseNorm(n, alpha, beta, k)(a), paper, rtol=1e-12, atol=0)
print(f"nn.LocalResponseNorm(alpha=n·α) == 论文公式: {matches_scaled}")
print(f"nn.LocalResponseNorm(alpha=α)   == 论文公式: {matches_raw}")
assert matches_scaled and not matches_raw

# 没有可学习参数，也不用批统计量：训练与推理时完全相同
assert list(torch_lrn.parameters()) == [] and torch.equal(torch_lrn.train()(a), torch_lrn.eval()(a))
print("可学习参数个数:", sum(p.numel() for p in torch_lrn.parameters()))

# torchvision 的 AlexNet 与 VGG 都没有 LRN 层
with torch.device("meta"):
    uses_lrn = {
        name: any(isinstance(m, nn.LocalResponseNorm) for m in build().modules())
        for name, build in [("alexnet", models.alexnet), ("vgg11", models.vgg11)]
    }
print("torchvision 模型里有 LRN 层:", uses_lrn)
assert not any(uses_lrn.values())
