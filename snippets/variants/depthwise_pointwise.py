"""深度可分离卷积的完整算例：深度卷积（groups=3）逐通道滤波，逐点卷积（1×1）混合通道。"""

# --8<-- [start:inputs]
import torch
import torch.nn as nn
import torch.nn.functional as F

# 输入：3 个通道，每个 4×4
image = [
    [[1, 2, 0, 1], [0, 1, 3, 1], [2, 0, 1, 0], [1, 1, 0, 2]],
    [[0, 1, 1, 0], [2, 0, 1, 1], [1, 3, 0, 1], [0, 1, 2, 0]],
    [[1, 0, 0, 2], [1, 1, 0, 1], [0, 2, 1, 1], [3, 0, 1, 0]],
]
# 深度卷积：每个通道自己的一个 3×3 卷积核
depthwise_kernels = [
    [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
    [[0, 1, 0], [1, 1, 1], [0, 1, 0]],
    [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
]
# 逐点卷积：2 个输出通道，各用 3 个权重混合深度卷积的 3 个通道
pointwise_weights = [[1, 1, 0], [2, -1, 1]]
# --8<-- [end:inputs]

# --8<-- [start:layers]
depthwise = nn.Conv2d(3, 3, kernel_size=3, groups=3, bias=False)  # groups = C_in
pointwise = nn.Conv2d(3, 2, kernel_size=1, bias=False)
with torch.no_grad():
    depthwise.weight.copy_(torch.tensor(depthwise_kernels).unsqueeze(1))
    pointwise.weight.copy_(torch.tensor(pointwise_weights)[:, :, None, None])
print("深度卷积的权重:", tuple(depthwise.weight.shape))  # (C_in, 1, K, K)
print("逐点卷积的权重:", tuple(pointwise.weight.shape))  # (C_out, C_in, 1, 1)

x = torch.tensor(image, dtype=torch.float32).unsqueeze(0)  # (1, 3, 4, 4)
with torch.no_grad():
    per_channel = depthwise(x)  # (1, 3, 2, 2)：通道之间互不相干
    mixed = pointwise(per_channel)  # (1, 2, 2, 2)：每个像素上做一次 2×3 矩阵乘法
# --8<-- [end:layers]

# --8<-- [start:check]
for c in range(3):  # 深度卷积的第 c 个输出只由第 c 个输入通道和第 c 个卷积核决定
    alone = F.conv2d(x[:, c : c + 1], depthwise.weight[c : c + 1])
    assert torch.equal(per_channel[:, c : c + 1], alone)
by_matmul = torch.einsum("oc,nchw->nohw", pointwise.weight[:, :, 0, 0], per_channel)
assert torch.equal(mixed, by_matmul)
print("深度卷积输出:", per_channel[0].int().tolist())
print("逐点卷积输出:", mixed[0].int().tolist())
# --8<-- [end:check]
