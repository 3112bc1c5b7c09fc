"""一维、二维、三维卷积：卷积核沿几个轴滑动，张量就有几个空间轴；每个轴各自套用同一个尺寸公式。"""

import torch
from torch import nn

torch.manual_seed(0)

cases = {
    # 名字: (层, 输入)；输入的布局是 (B, C_in, 空间轴……)
    "一维（音频）": (nn.Conv1d(1, 8, kernel_size=9, stride=4), torch.randn(2, 1, 16_000)),
    "二维（图像）": (nn.Conv2d(3, 8, kernel_size=3, padding=1), torch.randn(2, 3, 32, 32)),
    "三维（视频）": (nn.Conv3d(3, 8, kernel_size=3, padding=1), torch.randn(2, 3, 16, 32, 32)),
}

for name, (layer, x) in cases.items():
    y = layer(x)
    print(f"{name}  输入 {tuple(x.shape)}")
    print(f"          权重 {tuple(layer.weight.shape)}  输出 {tuple(y.shape)}")
    # 权重 = (C_out, C_in, 每个空间轴上的卷积核边长……)；空间轴的个数 = 卷积的“维数”
    assert layer.weight.dim() == x.dim() == y.dim()
    # 每个空间轴独立地套用输出尺寸公式 ⌊(W + 2P − D(K − 1) − 1) / S⌋ + 1
    for axis, size in enumerate(x.shape[2:]):
        k, s = layer.kernel_size[axis], layer.stride[axis]
        p, d = layer.padding[axis], layer.dilation[axis]
        assert y.shape[2 + axis] == (size + 2 * p - d * (k - 1) - 1) // s + 1

# 参数量 = C_out × C_in × 卷积核里的元素个数 + C_out 个偏置
counts = [sum(p.numel() for p in layer.parameters()) for layer, _ in cases.values()]
print("参数量:", counts)
assert counts == [8 * 1 * 9 + 8, 8 * 3 * 3 * 3 + 8, 8 * 3 * 3 * 3 * 3 + 8]
