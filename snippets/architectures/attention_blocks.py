"""卷积网络里的注意力：SE 给每个通道一个 0 到 1 的权重；CBAM 先按通道、再按空间位置加权。"""

import torch
from torch import nn
from torchvision.ops import SqueezeExcitation


# --8<-- [start:se]
class SE(nn.Module):
    """Squeeze（全局平均池化成 C 维向量）→ Excitation（两层全连接，中间缩小 r 倍）→ 按通道相乘。"""

    def __init__(self, channels: int, reduction: int = 16):
        super().__init__()
        self.fc1 = nn.Conv2d(
            channels, channels // reduction, 1
        )  # 1×1 卷积作用在 1×1 的图上 = 全连接
        self.fc2 = nn.Conv2d(channels // reduction, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = x.mean(dim=(2, 3), keepdim=True)
        return x * torch.sigmoid(self.fc2(torch.relu(self.fc1(s))))


# --8<-- [end:se]


# --8<-- [start:cbam]
class CBAM(nn.Module):
    def __init__(self, channels: int, reduction: int = 16, kernel: int = 7):
        super().__init__()
        self.mlp = nn.Sequential(  # 通道注意力：平均池化与最大池化共用同一个 MLP
            nn.Conv2d(channels, channels // reduction, 1, bias=False), nn.ReLU(),
            nn.Conv2d(channels // reduction, channels, 1, bias=False),
        )  # fmt: skip
        self.spatial = nn.Conv2d(2, 1, kernel, padding=kernel // 2, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        avg, peak = x.mean(dim=(2, 3), keepdim=True), x.amax(dim=(2, 3), keepdim=True)
        x = x * torch.sigmoid(self.mlp(avg) + self.mlp(peak))  # (B, C, 1, 1) 的通道权重
        maps = torch.cat([x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)], dim=1)
        return x * torch.sigmoid(self.spatial(maps))  # (B, 1, H, W) 的空间权重


# --8<-- [end:cbam]

# --8<-- [start:check]
torch.manual_seed(0)
x = torch.randn(2, 256, 14, 14)
se, reference = SE(256), SqueezeExcitation(256, 16).eval()
for ours, theirs in zip(se.parameters(), reference.parameters(), strict=True):
    ours.data.copy_(theirs.data)
assert torch.allclose(se(x), reference(x), atol=1e-6)  # 与 torchvision.ops 的实现一致
cbam = CBAM(256)
assert se(x).shape == cbam(x).shape == x.shape
se_params = sum(p.numel() for p in se.parameters())
cbam_params = sum(p.numel() for p in cbam.parameters())
print(f"C = 256、r = 16：SE 参数 {se_params:,}，CBAM 参数 {cbam_params:,}")
print(f"同样 256 通道的一个 3×3 卷积参数 {256 * 256 * 9:,}")
assert se_params == 2 * 256 * 16 + 16 + 256 and cbam_params == 2 * 256 * 16 + 2 * 49
weights = torch.sigmoid(se.fc2(torch.relu(se.fc1(x.mean(dim=(2, 3), keepdim=True)))))
assert weights.shape == (2, 256, 1, 1) and weights.min() > 0 and weights.max() < 1
# --8<-- [end:check]
