"""最大池化、平均池化与全局平均池化：每个通道各自计算，没有可学习参数。"""

import torch
from torch import nn

# 一张 2 通道、4×4 的特征图，取小整数方便手算
feature_map = torch.tensor(
    [
        [[1, 3, 2, 0], [4, 8, 1, 1], [0, 2, 6, 5], [3, 1, 7, 2]],
        [[5, 1, 0, 2], [2, 0, 4, 6], [1, 1, 3, 3], [1, 9, 3, 7]],
    ],
    dtype=torch.float32,
).unsqueeze(0)  # (B, C, H, W) = (1, 2, 4, 4)

layers = {
    "最大池化 2×2/S2": nn.MaxPool2d(kernel_size=2),  # stride 默认等于 kernel_size
    "平均池化 2×2/S2": nn.AvgPool2d(kernel_size=2),
    "全局平均池化": nn.AdaptiveAvgPool2d(output_size=1),
}
outputs = {}
for name, layer in layers.items():
    assert sum(p.numel() for p in layer.parameters()) == 0  # 没有任何可学习参数
    outputs[name] = layer(feature_map)
    print(f"{name}: 输出形状 {tuple(outputs[name].shape)}")
    print("  通道 0:", outputs[name][0, 0].tolist())

# 左上角窗口 [[1, 3], [4, 8]]：最大值 8，平均值 (1 + 3 + 4 + 8) / 4 = 4
assert outputs["最大池化 2×2/S2"][0, 0, 0, 0] == 8
assert outputs["平均池化 2×2/S2"][0, 0, 0, 0] == 4
# 全局平均池化就是对每个通道的 H×W 个数求平均
assert torch.equal(outputs["全局平均池化"].flatten(), feature_map.mean(dim=(2, 3)).flatten())

# 池化逐通道进行：单独池化某个通道，结果与整体池化后取出该通道相同；通道数不变
for layer in layers.values():
    whole = layer(feature_map)
    assert whole.shape[1] == feature_map.shape[1]
    for c in range(feature_map.shape[1]):
        assert torch.equal(layer(feature_map[:, c : c + 1]), whole[:, c : c + 1])
print("逐通道池化与整体池化结果相同: True")
