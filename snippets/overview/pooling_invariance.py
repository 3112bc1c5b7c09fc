"""池化带来的只是近似、局部的平移不变性。"""

import torch
import torch.nn.functional as F

torch.manual_seed(0)
feature_map = torch.rand(1, 1, 8, 8)


def shift(x: torch.Tensor, dx: int) -> torch.Tensor:
    return torch.roll(x, shifts=dx, dims=3)  # 沿宽度方向循环平移


pooled = F.max_pool2d(feature_map, kernel_size=2)  # 8×8 -> 4×4

# 平移 2 个像素（步长的整数倍）：池化输出恰好平移 1 格，仍是“等变”
assert torch.equal(F.max_pool2d(shift(feature_map, 2), 2), shift(pooled, 1))

# 平移 1 个像素：池化输出既不是原样，也不是原输出的平移
moved = F.max_pool2d(shift(feature_map, 1), 2)
unchanged = (moved == pooled).float().mean().item()
assert not torch.equal(moved, pooled)
assert all(not torch.equal(moved, shift(pooled, k)) for k in range(4))
print(f"平移 1 像素后，2×2 最大池化输出中不变的比例: {unchanged:.0%}")

# 全局最大池化对任意循环平移都严格不变，但它丢掉了全部位置信息
global_max = feature_map.amax(dim=(2, 3))
invariant = all(torch.equal(shift(feature_map, k).amax(dim=(2, 3)), global_max) for k in range(8))
assert invariant
print("全局最大池化在 8 种平移下输出都相同:", invariant)
