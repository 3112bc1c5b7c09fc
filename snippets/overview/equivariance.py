"""卷积的平移等变性：先平移再卷积，等于先卷积再平移。"""

import torch
import torch.nn.functional as F

torch.manual_seed(0)
image = torch.rand(1, 1, 12, 12)
kernel = torch.randn(1, 1, 3, 3)


def conv(x: torch.Tensor) -> torch.Tensor:
    # 循环填充让图像首尾相接，于是边界上也没有例外
    return F.conv2d(F.pad(x, (1, 1, 1, 1), mode="circular"), kernel)


def shift(x: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    return torch.roll(x, shifts=(dy, dx), dims=(2, 3))


for dy, dx in [(0, 1), (2, 3), (5, -4)]:
    same = torch.allclose(conv(shift(image, dy, dx)), shift(conv(image), dy, dx), atol=1e-6)
    assert same
    print(f"平移 ({dy:>2}, {dx:>2}): conv(shift(x)) == shift(conv(x)) -> {same}")

# 等变不是不变：平移后输出本身变了，只是跟着一起移动
assert not torch.allclose(conv(shift(image, 0, 1)), conv(image))
print("conv(shift(x)) == conv(x) ->", torch.allclose(conv(shift(image, 0, 1)), conv(image)))
