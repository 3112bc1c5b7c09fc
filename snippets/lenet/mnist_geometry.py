"""How MNIST digits were framed: a 20-pixel bounding box, centred by mass in 28×28."""

import torch
from torchvision import datasets

pixels = datasets.MNIST("data", train=True, download=True).data.float()  # (60000, 28, 28)
ink = pixels > 0

rows_used = ink.any(dim=2).sum(dim=1)  # height of each digit's bounding box
cols_used = ink.any(dim=1).sum(dim=1)  # width
longer_side = torch.maximum(rows_used, cols_used)
share = (longer_side == 20).double().mean().item()
print(f"外接框的长边恰为 20 像素: 训练图的 {100 * share:.2f}%")
height, width = rows_used.double().mean(), cols_used.double().mean()
print(f"长边最大: {longer_side.max()} 像素；平均高 {height:.1f}，平均宽 {width:.1f}")

index = torch.arange(28.0)
mass = pixels.sum(dim=(1, 2))
row_centre = ((pixels.sum(dim=2) * index).sum(dim=1) / mass).double()  # weighted by brightness
col_centre = ((pixels.sum(dim=1) * index).sum(dim=1) / mass).double()
means = f"({row_centre.mean():.2f}, {col_centre.mean():.2f})"
spreads = f"({row_centre.std():.2f}, {col_centre.std():.2f})"
print(f"质心（行, 列）: 均值 {means}，标准差 {spreads}")
near = ((row_centre - 14).abs() <= 1) & ((col_centre - 14).abs() <= 1)
print(f"离 (14, 14) 不超过一个像素: {len(near):,} 张中的 {near.sum().item():,} 张")
assert share > 0.99 and longer_side.max() == 20
assert abs(row_centre.mean() - 14) < 0.05 and abs(col_centre.mean() - 14) < 0.05
