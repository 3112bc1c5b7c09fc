"""上采样：最近邻与双线性插值（含 align_corners）、转置卷积、带索引的最大反池化。"""

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)

# --8<-- [start:interpolate]
small = torch.tensor([[[[0.0, 4.0], [8.0, 12.0]]]])  # (1, 1, 2, 2)
nearest = F.interpolate(small, scale_factor=2, mode="nearest")
shifted = F.interpolate(small, scale_factor=2, mode="bilinear", align_corners=False)
corners = F.interpolate(small, scale_factor=2, mode="bilinear", align_corners=True)
results = {
    "最近邻": nearest,
    "双线性，align_corners=False": shifted,
    "双线性，align_corners=True": corners,
}
for name, result in results.items():
    assert result.shape == (1, 1, 4, 4)
    print(name)
    for row in result[0, 0].tolist():
        print("   ", " ".join(f"{v:6.3f}" for v in row))

# 手算核对。最近邻：输出 (i, j) 取输入 (i // 2, j // 2)
assert nearest[0, 0].tolist() == [[0, 0, 4, 4], [0, 0, 4, 4], [8, 8, 12, 12], [8, 8, 12, 12]]
# align_corners=False：输出坐标 i 对应输入坐标 (i + 0.5)/2 - 0.5，超出 [0, 1] 的截到边上。
# 输出 (1, 2) -> 输入 (0.25, 0.75)：行方向 8 的 0.25 倍，列方向 4 的 0.75 倍，0 + 2 + 3 = 5
assert shifted[0, 0, 1, 2].item() == 8 * 0.25 + 4 * 0.75 == 5
# align_corners=True：四个角对齐，输出坐标 i 对应输入坐标 i·(2 - 1)/(4 - 1) = i/3。
# 输出 (1, 2) -> 输入 (1/3, 2/3)：8/3 + 8/3 = 16/3
assert abs(corners[0, 0, 1, 2].item() - 16 / 3) < 1e-6
assert corners[0, 0, 0, 0] == 0 and corners[0, 0, 3, 3] == 12  # 角上的值原样保留
# --8<-- [end:interpolate]

# --8<-- [start:transposed]
x = torch.randn(1, 64, 7, 7)
for k, s, p, extra in [(2, 2, 0, 0), (4, 2, 1, 0), (3, 2, 1, 0), (3, 2, 1, 1)]:
    up = nn.ConvTranspose2d(64, 64, k, stride=s, padding=p, output_padding=extra)
    size = up(x).shape[-1]
    assert size == (7 - 1) * s - 2 * p + (k - 1) + extra + 1  # 转置卷积的输出尺寸公式（第 4 章）
    params = sum(t.numel() for t in up.parameters())
    assert params == 64 * 64 * k * k + 64
    print(f"ConvTranspose2d K={k} S={s} P={p} output_padding={extra}: 7 -> {size}, 参数 {params:,}")
# 步长 2 的 3×3 卷积（P = 1）把 13 和 14 都变成 7，转置卷积要靠 output_padding 选一个
down = nn.Conv2d(64, 64, 3, stride=2, padding=1)
assert [down(torch.randn(1, 64, n, n)).shape[-1] for n in (13, 14)] == [7, 7]
# --8<-- [end:transposed]

# --8<-- [start:unpool]
features = torch.tensor([[[[1.0, 5, 2, 0], [3, 4, 8, 1], [0, 2, 1, 1], [7, 1, 3, 6]]]])
pool = nn.MaxPool2d(2, stride=2, return_indices=True)
unpool = nn.MaxUnpool2d(2, stride=2)
pooled, indices = pool(features)
restored = unpool(pooled, indices)
print("池化结果", pooled[0, 0].tolist(), " 索引", indices[0, 0].tolist())
for row in restored[0, 0].tolist():
    print("   ", row)
assert restored.shape == features.shape
# 每个最大值回到它原来的位置，其余位置补 0
assert torch.equal(restored, torch.where(restored != 0, features, torch.zeros(())))
assert torch.equal(restored.flatten()[indices.flatten()], pooled.flatten())

odd = torch.arange(25.0).reshape(1, 1, 5, 5)  # 边长 5：池化用不到最后一行、一列
odd_pooled, odd_indices = pool(odd)  # 2×2；索引按 5×5 的输入逐行编号
assert odd_indices[0, 0].tolist() == [[6, 8], [16, 18]]
try:
    unpool(odd_pooled, odd_indices)  # 默认按 (2 - 1)·2 + 2 = 4 还原成 4×4，放不下索引 16、18
except RuntimeError:
    print("5×5 池化后反池化，不给 output_size：RuntimeError")
else:
    raise AssertionError("max_unpool2d 接受了 4×4 输出放不下的索引")
back = unpool(odd_pooled, odd_indices, output_size=odd.shape[-2:])
assert back.shape == odd.shape and back.flatten()[[6, 8, 16, 18]].tolist() == [6, 8, 16, 18]
print("给出 output_size=(5, 5)：形状", tuple(back.shape))
# --8<-- [end:unpool]
