"""深的“普通”网络与同样深、带恒等捷径的网络：初始化时，第一层收到的梯度有多大？"""

import statistics

import torch
from torch import nn
from torch.nn import functional as F

# --8<-- [start:nets]
WIDTH, DEPTH = 16, 40  # 每层 16 个通道；40 个 3×3 卷积层（残差网络是 20 个两层的块）


class Plain(nn.Module):
    def __init__(self, residual: bool):
        super().__init__()
        self.residual = residual
        self.stem = nn.Conv2d(3, WIDTH, 3, padding=1)
        self.convs = nn.ModuleList(nn.Conv2d(WIDTH, WIDTH, 3, padding=1) for _ in range(DEPTH))
        self.head = nn.Linear(WIDTH, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.stem(x))
        for first, second in zip(self.convs[::2], self.convs[1::2], strict=True):
            out = second(F.relu(first(x)))  # 两层卷积 F(x)
            x = F.relu(out + x) if self.residual else F.relu(out)  # 有捷径：relu(F(x) + x)
        return self.head(x.mean(dim=(2, 3)))


# --8<-- [end:nets]


# --8<-- [start:measure]
def stem_gradient(residual: bool, seed: int, he_init: bool = False) -> float:
    """一批随机图像的交叉熵对第一层卷积权重的梯度范数（默认用 PyTorch 的默认初始化）。"""
    torch.manual_seed(seed)
    model = Plain(residual)
    if he_init:  # He（Kaiming）初始化：Var(w) = 2 / fan_in，专为 ReLU 网络保持方差而设计
        for conv in [model.stem, *model.convs]:
            nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
            nn.init.zeros_(conv.bias)
    images, labels = torch.randn(8, 3, 16, 16), torch.randint(0, 10, (8,))
    F.cross_entropy(model(images), labels).backward()
    return model.stem.weight.grad.norm().item()


SEEDS = range(5)
plain = [stem_gradient(False, seed) for seed in SEEDS]
residual = [stem_gradient(True, seed) for seed in SEEDS]
ratios = [r / p for r, p in zip(residual, plain, strict=True)]
print(f"普通网络 第一层梯度范数: 最小 {min(plain):.1e}  最大 {max(plain):.1e}")
print(f"残差网络 第一层梯度范数: 最小 {min(residual):.1e}  最大 {max(residual):.1e}")
print(
    f"残差 / 普通（{len(ratios)} 个种子）: 最小 {min(ratios):.1e}  "
    f"中位数 {statistics.median(ratios):.1e}"
)
assert min(ratios) > 1e6  # 每个种子都如此，而且差了许多个数量级
he_plain = [stem_gradient(False, seed, he_init=True) for seed in SEEDS]
print(f"普通网络 + He 初始化: 最小 {min(he_plain):.1e}  最大 {max(he_plain):.1e}")
assert min(he_plain) > 1e3 * max(plain)  # 合适的初始化也能让普通网络在初始时不消失
# --8<-- [end:measure]
