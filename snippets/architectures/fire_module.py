"""SqueezeNet 的 Fire 模块：1×1 的 squeeze 层先把通道压窄，
再由 1×1 与 3×3 两路 expand 层展开并拼接。"""

import torch
from torch import nn
from torchvision import models


# --8<-- [start:fire]
class Fire(nn.Module):
    def __init__(self, c_in: int, squeeze: int, expand1: int, expand3: int):
        super().__init__()
        self.squeeze = nn.Sequential(nn.Conv2d(c_in, squeeze, 1), nn.ReLU(inplace=True))
        self.expand1 = nn.Sequential(nn.Conv2d(squeeze, expand1, 1), nn.ReLU(inplace=True))
        self.expand3 = nn.Sequential(
            nn.Conv2d(squeeze, expand3, 3, padding=1), nn.ReLU(inplace=True)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = self.squeeze(x)
        return torch.cat([self.expand1(s), self.expand3(s)], dim=1)


# --8<-- [end:fire]

# --8<-- [start:check]
torch.manual_seed(0)
reference = models.squeezenet1_1().features[3].eval()  # fire2：96 → 16 → 64 + 64
mine = Fire(64, 16, 64, 64).eval()
for ours, theirs in zip(mine.state_dict().values(), reference.state_dict().values(), strict=True):
    ours.copy_(theirs)
x = torch.randn(1, 64, 55, 55)
assert torch.equal(mine(x), reference(x))
fire_params = sum(p.numel() for p in mine.parameters())
plain = nn.Conv2d(64, 128, 3, padding=1)  # 同样 64 → 128 通道的普通 3×3 卷积
plain_params = sum(p.numel() for p in plain.parameters())
print(f"Fire(64 → 16 → 64 + 64) 参数 {fire_params:,}，普通 3×3 卷积 64 → 128 参数 {plain_params:,}")
assert fire_params == (64 * 16 + 16) + (16 * 64 + 64) + (16 * 64 * 9 + 64)
# --8<-- [end:check]
