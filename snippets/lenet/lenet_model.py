"""LeNet for 28×28 MNIST digits: the layers, their output shapes and their parameter counts."""

import torch
from torch import nn


class LeNet(nn.Module):
    """LeNet for 1×28×28 inputs: two conv–ReLU–pool stages, then three linear layers."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        # stage 1: six 5×5 filters
        self.conv1 = nn.Conv2d(1, 6, kernel_size=5)  # 1×28×28 → 6×24×24
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(kernel_size=2)  # → 6×12×12
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)  # → 16×8×8
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(kernel_size=2)  # → 16×4×4
        self.flatten = nn.Flatten()  # → 256
        self.fc1 = nn.Linear(16 * 4 * 4, 120)
        self.relu3 = nn.ReLU()
        self.fc2 = nn.Linear(120, 84)
        self.relu4 = nn.ReLU()
        self.fc3 = nn.Linear(84, num_classes)  # 10 scores (logits), one per digit

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.pool2(self.relu2(self.conv2(x)))
        x = self.relu3(self.fc1(self.flatten(x)))
        x = self.relu4(self.fc2(x))
        return self.fc3(x)


torch.manual_seed(0)
model = LeNet()
x = torch.randn(2, 1, 28, 28)  # a batch of two images

# forward() applies the layers in the order they were defined, so we can step through them
stage1, stage2 = (6, 24, 24), (16, 8, 8)  # after each convolution (and its ReLU)
expected = {"conv1": stage1, "relu1": stage1, "pool1": (6, 12, 12)}
expected |= {"conv2": stage2, "relu2": stage2, "pool2": (16, 4, 4), "flatten": (256,)}
expected |= {"fc1": (120,), "relu3": (120,), "fc2": (84,), "relu4": (84,), "fc3": (10,)}
h = x
for name, layer in model.named_children():
    h = layer(h)
    params = sum(p.numel() for p in layer.parameters())
    print(f"{name:8} 输出 {tuple(h.shape)!s:18} 参数 {params:>6,}")
    assert h.shape[1:] == expected[name]
assert torch.equal(h, model(x))

# conv: C_out·(C_in·K·K) + C_out;  linear: out·in + out
by_formula = {
    "conv1": 6 * (1 * 5 * 5) + 6,
    "conv2": 16 * (6 * 5 * 5) + 16,
    "fc1": 120 * 256 + 120,
    "fc2": 84 * 120 + 84,
    "fc3": 10 * 84 + 10,
}
total = sum(p.numel() for p in model.parameters())
print(f"参数总数: {total:,}")
assert total == sum(by_formula.values()) == 44_426
for name, count in by_formula.items():
    assert count == sum(p.numel() for p in getattr(model, name).parameters())
