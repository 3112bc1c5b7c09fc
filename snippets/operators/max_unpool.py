"""最大反池化：池化时记下最大值的位置，反池化时把值放回原处，其余位置补 0。"""

import torch
from torch import nn

torch.manual_seed(0)
x = torch.randperm(48).reshape(1, 3, 4, 4).float()  # 互不相同的整数，窗口里没有并列最大值

max_pool = nn.MaxPool2d(2, return_indices=True)  # 窗口 2×2，步长默认也是 2
unpool = nn.MaxUnpool2d(kernel_size=2)

pooled, indices = max_pool(x)
restored = unpool(pooled, indices)
print("池化输出", tuple(pooled.shape), "索引", tuple(indices.shape), indices.dtype)
print("反池化输出", tuple(restored.shape))
assert pooled.shape == indices.shape == (1, 3, 2, 2) and restored.shape == x.shape

# 索引是每个通道内部 H*W 平面上的扁平下标：indices = 行 * W + 列
assert torch.equal(x.flatten(2).gather(2, indices.flatten(2)), pooled.flatten(2))
print("通道 0 的索引:", indices[0, 0].tolist())

# 最大值回到原位置，其余 3/4 的位置全是 0
is_max = torch.zeros(1, 3, 16, dtype=torch.bool).scatter(2, indices.flatten(2), True)
is_max = is_max.reshape(x.shape)
assert torch.equal(restored[is_max], x[is_max]) and (restored[~is_max] == 0).all()
assert is_max.sum() == x.numel() // 4
print("通道 0 的输入与反池化结果:")
for before, after in zip(x[0, 0].int().tolist(), restored[0, 0].int().tolist(), strict=True):
    print("  ", before, "->", after)

# 奇数尺寸：5×5 池化后是 2×2，反池化默认只能回到 4×4，要用 output_size 指定 5×5
odd = torch.randn(1, 1, 5, 5)
pooled_odd, indices_odd = max_pool(odd)
print("5×5 池化后", tuple(pooled_odd.shape[-2:]))
print("  默认反池化", tuple(unpool(pooled_odd, indices_odd).shape[-2:]))
exact = unpool(pooled_odd, indices_odd, output_size=odd.shape)
print("  指定 output_size", tuple(exact.shape[-2:]))
assert exact.shape == odd.shape and exact[..., 4, :].abs().sum() == 0  # 第 5 行不在任何窗口里
