"""AlexNet 的几个做法：局部响应归一化（LRN）按公式手算、重叠池化的尺寸、torchvision 版的结构。"""

import torch
from torch import nn
from torchvision import models

# --8<-- [start:lrn]
# 论文的超参数：k = 2，n = 5，α = 1e-4，β = 0.75。b_c = a_c / (k + α/n · Σ a_j²)^β，
# 求和范围是第 c 个通道前后各 n // 2 个通道（超出边界的不算）。
k, n, alpha, beta = 2.0, 5, 1e-4, 0.75
torch.manual_seed(0)
a = torch.randn(1, 8, 4, 4, dtype=torch.float64) * 30  # 8 个通道
by_hand = torch.empty_like(a)
for c in range(a.shape[1]):
    window = a[:, max(0, c - n // 2) : c + n // 2 + 1]
    by_hand[:, c] = a[:, c] / (k + alpha / n * (window**2).sum(dim=1)) ** beta
lrn = nn.LocalResponseNorm(size=n, alpha=alpha, beta=beta, k=k)
assert torch.allclose(lrn(a), by_hand)  # PyTorch 的 α 也要除以 n：与论文公式一致
print("LRN 与手算一致:", True)
# --8<-- [end:lrn]


# --8<-- [start:pooling]
def pooled_side(side: int, kernel: int, stride: int) -> int:
    return (side - kernel) // stride + 1


for kernel, stride in [(2, 2), (3, 2)]:  # 不重叠与重叠（窗口 3 > 步长 2）
    side = nn.MaxPool2d(kernel, stride)(torch.zeros(1, 1, 55, 55)).shape[-1]
    assert side == pooled_side(55, kernel, stride)
    print(f"55×55 经 {kernel}×{kernel}、步长 {stride} 的最大池化 → {side}×{side}")
# --8<-- [end:pooling]

# --8<-- [start:torchvision]
with torch.device("meta"):
    alexnet = models.alexnet()
x = torch.empty(1, 3, 224, 224, device="meta")
for layer in alexnet.features:
    x = layer(x)
    if isinstance(layer, nn.Conv2d | nn.MaxPool2d):
        print(f"{type(layer).__name__:<10} → {tuple(x.shape[1:])}")
dropouts = [m for m in alexnet.classifier if isinstance(m, nn.Dropout)]
fc_params = sum(p.numel() for p in alexnet.classifier.parameters())
total = sum(p.numel() for p in alexnet.parameters())
print(f"Dropout 层 {len(dropouts)} 个, p = {dropouts[0].p}；全连接层参数占 {fc_params / total:.1%}")
assert not any(
    isinstance(m, nn.LocalResponseNorm) for m in alexnet.modules()
)  # torchvision 版没有 LRN
assert tuple(x.shape[1:]) == (256, 6, 6)
# --8<-- [end:torchvision]
