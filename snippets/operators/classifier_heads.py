"""真实网络的分类头有多大：VGG-16 的全连接层占了九成参数，计算量却不到百分之一。"""

import torch
from torch import nn
from torchvision import models

with torch.device("meta"):  # 只建结构、推形状，不分配内存，也不下载权重
    networks = {
        "VGG-16": models.vgg16(),
        "GoogLeNet": models.googlenet(aux_logits=False, init_weights=False),
        "ResNet-50": models.resnet50(),
    }
heads = {"VGG-16": "classifier", "GoogLeNet": "fc", "ResNet-50": "fc"}
for name, net in networks.items():
    head = getattr(net, heads[name])
    head_params = sum(p.numel() for p in head.parameters())
    total = sum(p.numel() for p in net.parameters())
    print(f"{name}：全连接层 {head_params:,} / 全部 {total:,} = {head_params / total:.1%}")

# 再数 VGG-16 的 MACs：每个卷积输出元素做 C_in/groups × K × K 次乘加，全连接输出元素做 in 次
macs = {nn.Conv2d: 0, nn.Linear: 0}


def count_macs(module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
    if isinstance(module, nn.Conv2d):
        k_h, k_w = module.kernel_size
        macs[nn.Conv2d] += output.numel() * module.in_channels // module.groups * k_h * k_w
    elif isinstance(module, nn.Linear):
        macs[nn.Linear] += output.numel() * module.in_features


with torch.device("meta"):
    for layer in networks["VGG-16"].modules():
        layer.register_forward_hook(count_macs)
    networks["VGG-16"](torch.empty(1, 3, 224, 224))
share = macs[nn.Linear] / (macs[nn.Conv2d] + macs[nn.Linear])
print(f"VGG-16 MACs: 卷积层 {macs[nn.Conv2d]:,}，全连接层 {macs[nn.Linear]:,}（{share:.1%}）")
assert macs[nn.Linear] == 25088 * 4096 + 4096 * 4096 + 4096 * 1000
assert share < 0.01
