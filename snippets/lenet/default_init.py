"""PyTorch's default initialisation of Linear and Conv2d layers, and the size of the signal."""

import math

import torch
from torch import nn
from torchvision import datasets

torch.manual_seed(0)
# The default is kaiming_uniform_(a=√5): U(-b, b) with b = gain·√(3/n_in), gain = √(2/(1+a²)),
# so b = 1/√n_in and Var(w) = b²/3 = 1/(3·n_in)
fc1 = nn.Linear(256, 120)
n_in = fc1.in_features
print(f"fc1: 最大的 |w| = {fc1.weight.abs().max():.4f}，上界 1/√n_in = {1 / math.sqrt(n_in):.4f}")
print(f"Var(w): 实测 {fc1.weight.var():.6f}，1/(3·n_in) = {1 / (3 * n_in):.6f}")
assert fc1.weight.abs().max() <= 1 / math.sqrt(n_in)
assert math.isclose(fc1.weight.var().item(), 1 / (3 * n_in), rel_tol=0.05)

# One layer, unit-variance input, no activation: Var(y) = n_in·Var(w)·E[x²] = 1/3 (+ the bias)
x = torch.randn(20_000, n_in)
y = fc1(x)
print(f"单位方差的输入经过 fc1: 输出方差 {y.var():.3f}（约 1/3，不是 1）")
assert 0.3 < y.var() < 0.37


class LeNet(nn.Module):
    """Two convolution stages, then three fully connected layers (as in cnnbook.model)."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.conv1, self.relu1, self.pool1 = nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2)
        self.conv2, self.relu2, self.pool2 = nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1, self.relu3 = nn.Linear(16 * 4 * 4, 120), nn.ReLU()
        self.fc2, self.relu4 = nn.Linear(120, 84), nn.ReLU()
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.pool2(self.relu2(self.conv2(x)))
        x = self.relu3(self.fc1(self.flatten(x)))
        return self.fc3(self.relu4(self.fc2(x)))


# The size (root mean square) of every layer's output in a fresh LeNet, for 1,000 training
# images as raw pixels in [0, 1] and normalised with the training set's mean and std
pixels = datasets.MNIST("data", train=True, download=True).data[:1000].float().unsqueeze(1)
inputs = {"[0, 1]": pixels / 255, "归一化": (pixels / 255 - 0.1307) / 0.3081}
model = LeNet()
print(f"{'层':6}" + "".join(f"{name:>10}" for name in inputs))
sizes = {name: [] for name in inputs}
with torch.no_grad():
    for name, h in inputs.items():
        sizes[name].append(("输入", h.square().mean().sqrt().item()))
        for layer_name, layer in model.named_children():
            h = layer(h)
            if layer_name.startswith(("conv", "fc")):
                sizes[name].append((layer_name, h.square().mean().sqrt().item()))
for row in zip(*sizes.values(), strict=True):
    print(f"{row[0][0]:6}" + "".join(f"{size:10.3f}" for _, size in row))
normalised = [size for _, size in sizes["归一化"]]
assert normalised[0] > normalised[1] > normalised[2] > normalised[3]  # it shrinks
