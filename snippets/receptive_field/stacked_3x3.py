"""两层 3×3 卷积与一层 5×5、三层 3×3 与一层 7×7：感受野相同，参数更少，非线性更多。"""

import torch
from torch import nn

torch.manual_seed(0)
channels = 64  # C：输入、输出通道数都取 C


def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def stacked(layers: int) -> nn.Sequential:
    blocks = []
    for _ in range(layers):
        blocks += [nn.Conv2d(channels, channels, 3, padding=1, bias=False), nn.ReLU()]
    return nn.Sequential(*blocks)


def single(kernel: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(channels, channels, kernel, padding=kernel // 2, bias=False), nn.ReLU()
    )


def field_side(net: nn.Module) -> int:
    """中心输出像素的非零梯度区域的边长（正权重，梯度不会抵消）。"""
    for module in net:
        if isinstance(module, nn.Conv2d):
            nn.init.uniform_(module.weight, 0.0, 1.0)
    image = torch.rand(1, channels, 15, 15, requires_grad=True)
    net(image)[0, 0, 7, 7].backward()
    touched = image.grad.abs().sum(dim=(0, 1)) != 0
    side = int(touched.any(dim=0).sum())
    assert int(touched.sum()) == side * side  # 实心的方块
    return side


x = torch.randn(1, channels, 32, 32)
for layers, kernel in [(2, 5), (3, 7)]:
    candidates = [
        (f"{layers} 层 3×3", stacked(layers), layers * 9, f"{layers}·9·C²"),
        (f"1 层 {kernel}×{kernel}", single(kernel), kernel**2, f"{kernel**2}·C²"),
    ]
    params = []
    for name, net, per_channel_pair, formula in candidates:
        n, side = count(net), field_side(net)
        relus = sum(isinstance(m, nn.ReLU) for m in net)
        assert n == per_channel_pair * channels**2 and side == kernel  # 感受野相同
        assert net(x).shape == (1, channels, 32, 32)
        print(f"{name}: 感受野 {side}×{side}, 参数 {n:>7,} = {formula}, ReLU {relus} 个")
        params.append(n)
    print(f"  参数之比 {params[0] / params[1]:.3f} = {layers * 9}/{kernel**2}")
