"""经典网络的参数量：由 torchvision 的模型定义直接数出来（不下载权重）。"""

import torch
from torch import nn
from torchvision import models


def lenet5() -> nn.Module:
    """LeNet-5 的常见现代写法：32×32 输入，C3 与 S2 的 6 个通道全部相连，最大池化。"""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5),
        nn.Tanh(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5),
        nn.Tanh(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120),
        nn.Tanh(),
        nn.Linear(120, 84),
        nn.Tanh(),
        nn.Linear(84, 10),
    )


builders = {
    "LeNet-5": lenet5,
    "AlexNet": models.alexnet,
    "VGG-16": models.vgg16,
    "GoogLeNet": lambda: models.googlenet(aux_logits=False, init_weights=False),
    "ResNet-18": models.resnet18,
    "ResNet-152": models.resnet152,
}

# meta 设备上只建立结构、不分配内存，数参数已经足够
with torch.device("meta"):
    models_by_name = {name: build() for name, build in builders.items()}
    counts = {name: sum(p.numel() for p in m.parameters()) for name, m in models_by_name.items()}

for name, n in counts.items():
    print(f"{name:<11} {n:>12,}  ≈ {n / 1e6:7.2f} M")

assert counts["LeNet-5"] == 156 + 2_416 + 48_120 + 10_164 + 850  # 逐层手算
# 以下数字与 torchvision 文档为每个模型列出的参数量（num_params）一致
assert counts["AlexNet"] == 61_100_840
assert counts["VGG-16"] == 138_357_544
assert counts["GoogLeNet"] == 6_624_904
assert counts["ResNet-18"] == 11_689_512
assert counts["ResNet-152"] == 60_192_808
assert counts["ResNet-152"] < counts["VGG-16"] / 2  # 深得多，参数却不到一半
