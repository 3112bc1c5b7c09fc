"""ConvNeXt 块：7×7 深度卷积 → LayerNorm → 1×1 扩张 4 倍 → GELU → 1×1 投影 → 逐通道缩放，
再加上输入。"""

import torch
from torch import nn
from torchvision import models


# --8<-- [start:block]
class ConvNeXtBlock(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.depthwise = nn.Conv2d(channels, channels, 7, padding=3, groups=channels)
        self.norm = nn.LayerNorm(channels, eps=1e-6)  # 对每个像素的 C 个通道做归一化
        self.expand = nn.Linear(channels, 4 * channels)  # 通道在最后一维时，1×1 卷积就是 Linear
        self.project = nn.Linear(4 * channels, channels)
        self.scale = nn.Parameter(torch.full((channels, 1, 1), 1e-6))  # layer scale，初始很小

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.depthwise(x).permute(0, 2, 3, 1)  # (B, C, H, W) → (B, H, W, C)
        y = self.project(nn.functional.gelu(self.expand(self.norm(y))))
        return x + self.scale * y.permute(0, 3, 1, 2)


# --8<-- [end:block]

# --8<-- [start:check]
torch.manual_seed(0)
with torch.device("meta"):
    meta_model = models.convnext_tiny()
stem = meta_model.features[0][0]
print("stem:", stem)  # “patchify”：4×4、步长 4 的卷积，把图像切成不重叠的 4×4 小块
assert stem.kernel_size == stem.stride == (4, 4)

reference = models.convnext_tiny().features[1][0].eval()  # 第一阶段的第一个块，96 个通道
reference.layer_scale.data.normal_()  # 换成不小的值，让比较有意义
mine = ConvNeXtBlock(96).eval()
pairs = zip(mine.parameters(), reference.parameters(), strict=True)
for ours, theirs in pairs:
    ours.data.copy_(theirs.data.view_as(ours))
x = torch.randn(1, 96, 56, 56)
assert torch.allclose(mine(x), reference(x), atol=1e-5)
print(
    "与 torchvision convnext_tiny 的第一个块一致；参数",
    f"{sum(p.numel() for p in mine.parameters()):,}",
)
# --8<-- [end:check]
