"""几个 torchvision 模型各用了哪些激活函数（在 meta 设备上构建，不分配内存、不下载权重）。"""

from collections import Counter

import torch
from torch import nn
from torchvision import models

ACTIVATION_TYPES = (nn.ReLU, nn.ReLU6, nn.SiLU, nn.GELU, nn.Hardswish, nn.Hardsigmoid, nn.Sigmoid)
builders = {
    "resnet50": models.resnet50,
    "mobilenet_v2": models.mobilenet_v2,
    "mobilenet_v3_large": models.mobilenet_v3_large,
    "efficientnet_b0": models.efficientnet_b0,
    "convnext_tiny": models.convnext_tiny,
}
found = {}
for name, build in builders.items():
    with torch.device("meta"):
        model = build()
    kinds = Counter(type(m).__name__ for m in model.modules() if isinstance(m, ACTIVATION_TYPES))
    found[name] = kinds
    print(f"{name:<20}" + "、".join(kinds))  # 按在网络中首次出现的顺序

assert set(found["efficientnet_b0"]) == {"SiLU", "Sigmoid"}  # Sigmoid 在 SE 模块的门控里
assert set(found["convnext_tiny"]) == {"GELU"}
assert "Hardswish" in found["mobilenet_v3_large"] and set(found["mobilenet_v2"]) == {"ReLU6"}
