"""用梯度核对表中的两个值：VGG-16 到 pool3（R = 44）、ResNet-18 到 layer1（R = 43）。"""

import math

import torch
from torch import nn
from torchvision import models

torch.manual_seed(0)


def pair(value) -> int:
    return value[0] if isinstance(value, tuple) else value


def chain_field(modules: list[nn.Module]) -> tuple[int, int, int]:
    """(R, J, a)：按顺序取卷积与池化层，闭式解。"""
    kinds = (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)
    layers = [
        (pair(m.kernel_size), pair(m.stride), pair(m.padding), pair(getattr(m, "dilation", 1)))
        for m in modules
        if isinstance(m, kinds)
    ]
    before = [math.prod(s for _, s, _, _ in layers[:i]) for i in range(len(layers))]
    size = 1 + sum(d * (k - 1) * j for (k, _, _, d), j in zip(layers, before, strict=True))
    start = -sum(p * j for (_, _, p, _), j in zip(layers, before, strict=True))
    return size, math.prod(s for _, s, _, _ in layers), start


def on_cpu_with_positive_weights(net: nn.Sequential) -> nn.Sequential:
    """把 meta 上的结构在 CPU 上实体化；权重取正，最大池化换成几何参数相同的平均池化。"""
    net = net.to_empty(device="cpu").eval()
    for name, module in list(net.named_modules()):
        if isinstance(module, nn.Conv2d):
            fan_in = module.weight[0].numel()
            nn.init.uniform_(module.weight, 0.5 / fan_in, 1.5 / fan_in)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.BatchNorm2d):
            module.reset_parameters()  # γ = 1, β = 0, 均值 0, 方差 1：eval 下只是一个正的缩放
        elif isinstance(module, nn.MaxPool2d):
            parent, _, child = name.rpartition(".")
            average = nn.AvgPool2d(module.kernel_size, module.stride, module.padding)
            setattr(net.get_submodule(parent) if parent else net, child, average)
    return net


def measured_box(net: nn.Module, input_size: int, index: int) -> tuple[int, int, int]:
    """输出像素 (index, index) 的非零梯度区域：(首行, 末行, 像素个数)。"""
    image = (torch.rand(1, 3, input_size, input_size) + 0.5).requires_grad_()
    net(image)[0, 0, index, index].backward()
    touched = image.grad.abs().sum(dim=(0, 1)) != 0
    rows = touched.any(dim=1).nonzero()[:, 0]
    return rows[0].item(), rows[-1].item(), int(touched.sum())


with torch.device("meta"):
    vgg, resnet = models.vgg16(), models.resnet18()
prefixes = {
    "VGG-16 pool3": (nn.Sequential(*vgg.features[:17]), 56, 3),
    "ResNet-18 layer1": (
        nn.Sequential(resnet.conv1, resnet.bn1, resnet.relu, resnet.maxpool, resnet.layer1),
        64,
        8,
    ),
}
for name, (prefix, input_size, index) in prefixes.items():
    size, jump, start = chain_field(list(prefix.modules()))
    first, last, count = measured_box(on_cpu_with_positive_weights(prefix), input_size, index)
    print(
        f"{name}: 计算 R = {size}, 实测 行 {first}..{last} (边长 {last - first + 1}),"
        f" 非零像素 {count} = {last - first + 1}²"
    )
    assert (first, last) == (start + index * jump, start + index * jump + size - 1)
    assert count == size * size
