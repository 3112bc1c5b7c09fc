"""LeNet-5：按 1998 年论文搭的版本与本书（第 9 章）用的现代版本，逐层数参数。"""

import torch
from torch import nn

# --8<-- [start:table]
# 论文表 1：C3 的第 j 个特征图连到 S2 的哪几个特征图（6 个连 3 个、9 个连 4 个、1 个连全部 6 个）
C3_INPUTS = [
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (0, 4, 5), (0, 1, 5),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (0, 3, 4, 5), (0, 1, 4, 5), (0, 1, 2, 5),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
]  # fmt: skip
# --8<-- [end:table]


# --8<-- [start:published]
class Subsample(nn.Module):
    """S2、S4：2×2 邻域求和，乘一个可训练系数、加一个可训练偏置（每个通道各一个）。"""

    def __init__(self, channels: int):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels, 1, 1))
        self.bias = nn.Parameter(torch.zeros(channels, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.avg_pool2d(x, 2) * 4 * self.weight + self.bias


class PartialConv(nn.Module):
    """C3：16 个 5×5 卷积，每个只读 C3_INPUTS 里列出的那几个输入通道。"""

    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv2d(len(inputs), 1, 5) for inputs in C3_INPUTS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat(
            [conv(x[:, list(i)]) for conv, i in zip(self.convs, C3_INPUTS, strict=True)], dim=1
        )


class ScaledTanh(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 1.7159 * torch.tanh(2 * x / 3)  # 论文附录 A 的 f(a) = A·tanh(S·a)


def published_lenet5() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 6, 5),
        ScaledTanh(),
        Subsample(6),
        ScaledTanh(),  # C1、S2
        PartialConv(),
        ScaledTanh(),
        Subsample(16),
        ScaledTanh(),  # C3、S4
        nn.Conv2d(16, 120, 5),
        ScaledTanh(),
        nn.Flatten(),  # C5：5×5 卷积，输出 1×1
        nn.Linear(120, 84),
        ScaledTanh(),  # F6
    )  # 输出层是 10 个欧氏径向基（RBF）单元，参数为手工设定的 7×12 位图，不训练，这里不计


# --8<-- [end:published]


# --8<-- [start:modern]
def modern_lenet5() -> nn.Sequential:
    """第 9 章的写法：C3 全连接、最大池化、ReLU、输出层是普通全连接层。"""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )  # fmt: skip


# --8<-- [end:modern]

# --8<-- [start:count]
published, modern = published_lenet5(), modern_lenet5()
print("层      论文版参数")
for name, index in [("C1", 0), ("S2", 2), ("C3", 4), ("S4", 6), ("C5", 8), ("F6", 11)]:
    print(f"{name:<5}{sum(p.numel() for p in published[index].parameters()):>16,}")
published_total = sum(p.numel() for p in published.parameters())
modern_total = sum(p.numel() for p in modern.parameters())
print(f"论文版可训练参数: {published_total:,}")
print(f"现代版 (28×28 输入) 参数: {modern_total:,}")

assert published(torch.zeros(1, 1, 32, 32)).shape == (1, 84)  # F6 的 84 维输出送进 RBF 层
assert modern(torch.zeros(1, 1, 28, 28)).shape == (1, 10)
connections = sum(len(inputs) for inputs in C3_INPUTS)
assert sum(p.numel() for p in published[4].parameters()) == connections * 25 + 16
assert published_total == 60_000  # 论文所说的“约 60,000 个可训练参数”恰好是 60,000
# --8<-- [end:count]
