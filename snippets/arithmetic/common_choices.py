"""常用的卷积与池化超参数：用真实的 PyTorch 层算出输出尺寸，打印成一张 Markdown 表格。"""

import torch
from torch import nn

choices = [  # (层, 作用)；输出尺寸全部由下面的前向计算得到
    (nn.Conv2d(8, 8, kernel_size=3, stride=1, padding=1), "保持尺寸，最常用"),
    (nn.Conv2d(8, 8, kernel_size=5, stride=1, padding=2), "保持尺寸，感受野更大"),
    (nn.Conv2d(8, 8, kernel_size=1, stride=1, padding=0), "只混合通道"),
    (nn.Conv2d(8, 8, kernel_size=3, stride=2, padding=1), "下采样，代替池化"),
    (nn.Conv2d(8, 8, kernel_size=7, stride=2, padding=3), "ResNet 的第一层"),
    (nn.MaxPool2d(kernel_size=2, padding=0, stride=2), "下采样，不重叠"),
    (nn.MaxPool2d(kernel_size=3, stride=2, padding=1), "ResNet 第一层之后的池化"),
]


def first(value: int | tuple[int, ...]) -> int:
    return value[0] if isinstance(value, tuple) else value


print("| 层 | 窗口 / 步长 / 每侧填充 | 32 → | 33 → | 参数（8→8 通道） | 作用 |")
print("| --- | --- | ---: | ---: | ---: | --- |")
for layer, purpose in choices:
    k, s, p = (first(v) for v in (layer.kernel_size, layer.stride, layer.padding))
    sizes = [layer(torch.zeros(1, 8, w, w)).shape[-1] for w in (32, 33)]
    for w, size in zip((32, 33), sizes, strict=True):
        assert size == (w + 2 * p - k) // s + 1  # 输出尺寸公式（空洞为 1）
    kind = "卷积" if isinstance(layer, nn.Conv2d) else "最大池化"
    n_params = sum(t.numel() for t in layer.parameters())
    print(f"| {kind} | {k}×{k} / {s} / {p} | {sizes[0]} | {sizes[1]} | {n_params:,} | {purpose} |")
