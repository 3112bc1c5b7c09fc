"""池化带来的只是近似、局部的平移不变性；全局池化才严格不变。"""

import torch
import torch.nn.functional as F

torch.manual_seed(0)
feature_map = torch.rand(1, 1, 8, 8)  # 64 个互不相等的随机数


def shift(x: torch.Tensor, dx: int) -> torch.Tensor:
    return torch.roll(x, shifts=dx, dims=3)  # 沿宽度方向循环平移


pooled = F.max_pool2d(feature_map, kernel_size=2)  # 8×8 -> 4×4，16 个窗口

# 平移 2 个像素（步长的整数倍）：池化输出恰好平移 1 格，这是等变，不是不变
assert torch.equal(F.max_pool2d(shift(feature_map, 2), 2), shift(pooled, 1))

# 平移 1 个像素：逐个窗口看输出变没变，以及原来的最大值是否还在这个窗口里
moved = F.max_pool2d(shift(feature_map, 1), 2)
_, where = F.max_pool2d(feature_map, 2, return_indices=True)  # 每个窗口最大值的位置（展平下标）
column = where % 8
stays = (column + 1) % 8 // 2 == torch.arange(4)  # 平移后它落在哪个窗口：还是同一个吗？
same = moved == pooled
print(f"平移 1 像素：16 个窗口里，原最大值仍在窗口内的有 {int(stays.sum())} 个，", end="")
print(f"输出不变的有 {int(same.sum())} 个")
# 输出不变，原最大值一定还在窗口里（必要）；反过来不成立：移进来的新像素可能更大（不充分）
assert not (same & ~stays).any()
assert (stays & ~same).any()
assert all(not torch.equal(moved, shift(pooled, k)) for k in range(4))  # 也不是原输出的平移

# 全局最大池化对任意循环平移都严格不变，但它丢掉了全部位置信息
global_max = feature_map.amax(dim=(2, 3))
invariant = all(torch.equal(shift(feature_map, k).amax(dim=(2, 3)), global_max) for k in range(8))
assert invariant
print("全局最大池化在 8 种平移下输出都相同:", invariant)
