"""通道剪枝：真的删掉滤波器和神经元，得到一个更窄的 LeNet；参数量和 MACs 随之减少。

被删的单元按 L1 范数选：每层保留权重绝对值之和最大的那些滤波器（或神经元）。删掉一个单元，
要同时删掉下一层里接收它的那部分权重。核对：窄网络的输出 = 原网络把被删单元的输出强制为 0 时的输出。
"""

import torch
from torch import nn


class LeNet(nn.Module):
    """第 9 章的 LeNet；channels、hidden 是各层宽度。"""

    def __init__(self, channels=(6, 16), hidden=(120, 84), num_classes=10) -> None:
        super().__init__()
        # 两个“卷积 → ReLU → 2×2 最大池化”阶段，再接三个全连接层
        self.conv1 = nn.Conv2d(1, channels[0], kernel_size=5)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(kernel_size=2)
        self.conv2 = nn.Conv2d(channels[0], channels[1], kernel_size=5)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(kernel_size=2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(channels[1] * 4 * 4, hidden[0])
        self.relu3 = nn.ReLU()
        self.fc2 = nn.Linear(hidden[0], hidden[1])
        self.relu4 = nn.ReLU()
        self.fc3 = nn.Linear(hidden[1], num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.pool2(self.relu2(self.conv2(x)))
        x = self.relu3(self.fc1(self.flatten(x)))
        return self.fc3(self.relu4(self.fc2(x)))


# --8<-- [start:prune]
def strongest(weight: torch.Tensor, count: int) -> torch.Tensor:
    """L1 范数最大的 count 个输出单元（卷积的滤波器、全连接的行）的下标，从小到大。"""
    norms = weight.abs().flatten(start_dim=1).sum(dim=1)
    return torch.topk(norms, count).indices.sort().values


@torch.no_grad()
def prune_lenet(model: LeNet, channels: tuple, hidden: tuple) -> tuple[LeNet, dict]:
    keep = {
        "conv1": strongest(model.conv1.weight, channels[0]),
        "conv2": strongest(model.conv2.weight, channels[1]),
        "fc1": strongest(model.fc1.weight, hidden[0]),
        "fc2": strongest(model.fc2.weight, hidden[1]),
    }
    # conv2 的第 c 个特征图展平后占 fc1 输入的第 16c … 16c+15 个位置（4×4 = 16）
    features = (keep["conv2"][:, None] * 16 + torch.arange(16)).flatten()
    small = LeNet(channels, hidden)
    new_weights = {
        "conv1": (model.conv1.weight[keep["conv1"]], model.conv1.bias[keep["conv1"]]),
        "conv2": (
            model.conv2.weight[keep["conv2"]][:, keep["conv1"]],
            model.conv2.bias[keep["conv2"]],
        ),
        "fc1": (model.fc1.weight[keep["fc1"]][:, features], model.fc1.bias[keep["fc1"]]),
        "fc2": (model.fc2.weight[keep["fc2"]][:, keep["fc1"]], model.fc2.bias[keep["fc2"]]),
        "fc3": (model.fc3.weight[:, keep["fc2"]], model.fc3.bias),
    }
    for name, (weight, bias) in new_weights.items():
        getattr(small, name).weight.copy_(weight)
        getattr(small, name).bias.copy_(bias)
    return small, keep


# --8<-- [end:prune]


# --8<-- [start:check]
def macs(model: LeNet) -> int:
    """一张 28×28 图的 MACs：卷积 C_out·H'·W'·C_in·K²，全连接 out·in。"""
    c1, c2 = model.conv1.out_channels, model.conv2.out_channels
    return (
        c1 * 24 * 24 * 1 * 25
        + c2 * 8 * 8 * c1 * 25
        + model.fc1.out_features * model.fc1.in_features
        + model.fc2.out_features * model.fc2.in_features
        + model.fc3.out_features * model.fc3.in_features
    )


torch.manual_seed(0)
model = LeNet().eval()
small, keep = prune_lenet(model, channels=(4, 8), hidden=(60, 42))


# 原网络：把被删单元（ReLU 之后的输出）强制为 0
def zero_removed(units: torch.Tensor, width: int):
    removed = torch.ones(width, dtype=torch.bool)
    removed[units] = False

    def hook(_module, _inputs, output):
        shape = (1, -1, 1, 1) if output.dim() == 4 else (1, -1)
        return output.masked_fill(removed.view(shape), 0.0)

    return hook


for relu, name, width in (
    ("relu1", "conv1", 6),
    ("relu2", "conv2", 16),
    ("relu3", "fc1", 120),
    ("relu4", "fc2", 84),
):
    getattr(model, relu).register_forward_hook(zero_removed(keep[name], width))
x = torch.randn(32, 1, 28, 28)
with torch.no_grad():
    same = torch.allclose(small(x), model(x), atol=1e-6)
assert same
print(f"窄网络的输出 = 原网络把删掉的单元置零后的输出: {same}")
for label, net in (("原网络", model), ("剪枝后", small)):
    params = sum(p.numel() for p in net.parameters())
    print(
        f"{label}  滤波器 {net.conv1.out_channels:>2}, {net.conv2.out_channels:>2}  "
        f"神经元 {net.fc1.out_features:>3}, {net.fc2.out_features:>2}  "
        f"参数 {params:>6,}  MACs {macs(net):>7,}"
    )
assert macs(model) == 281_640
# --8<-- [end:check]
