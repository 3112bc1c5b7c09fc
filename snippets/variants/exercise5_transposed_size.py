"""练习 5：16×16 的特征图用转置卷积放大到 32×32。"""

import torch
import torch.nn.functional as F

small = torch.zeros(1, 1, 16, 16)
up = F.conv_transpose2d(small, torch.zeros(1, 1, 4, 4), stride=2, padding=1)
print(f"K=4, S=2, P=1：{small.shape[-1]}×{small.shape[-1]} → {up.shape[-2]}×{up.shape[-1]}")
for extra in (0, 1):
    out = F.conv_transpose2d(
        small, torch.zeros(1, 1, 3, 3), stride=2, padding=1, output_padding=extra
    )
    print(f"K=3, S=2, P=1, output_padding={extra}：边长 {out.shape[-1]}")
