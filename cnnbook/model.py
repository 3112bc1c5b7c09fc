"""The chapter's LeNet for 28×28 MNIST digits, and small helpers to inspect a model.

Layer by layer (no padding, 5×5 kernels, 2×2 max pooling)::

    input        1 × 28 × 28
    conv1 + ReLU 6 × 24 × 24     (28 - 5 + 1 = 24)
    pool1        6 × 12 × 12
    conv2 + ReLU 16 × 8 × 8      (12 - 5 + 1 = 8)
    pool2        16 × 4 × 4
    flatten      256
    fc1 + ReLU   120
    fc2 + ReLU   84
    fc3          10 (logits)

With the default widths it has 44,426 parameters. The widths are arguments so that later
chapters can build narrower students or pruned copies with the same layer names; every
activation is a module (``relu1`` … ``relu4``) so that quantisation tools can fuse
conv/linear + ReLU.
"""

from __future__ import annotations

import torch
from torch import nn

from cnnbook.errors import CnnBookError


class LeNet(nn.Module):
    """LeNet-style CNN: two conv/ReLU/max-pool stages, then three fully connected layers."""

    def __init__(
        self,
        num_classes: int = 10,
        channels: tuple[int, int] = (6, 16),
        hidden: tuple[int, int] = (120, 84),
    ) -> None:
        super().__init__()
        for name, values in (("channels", channels), ("hidden", hidden)):
            if len(values) != 2 or min(values) < 1:
                raise CnnBookError(f"{name} 必须是两个正整数，得到 {values!r}")
        if num_classes < 2:
            raise CnnBookError(f"num_classes 至少为 2，得到 {num_classes}")
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

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The convolutional part: (N, 1, 28, 28) → (N, channels[1], 4, 4)."""
        x = self.pool1(self.relu1(self.conv1(x)))
        return self.pool2(self.relu2(self.conv2(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.flatten(self.features(x))
        x = self.relu3(self.fc1(x))
        x = self.relu4(self.fc2(x))
        return self.fc3(x)


def count_parameters(model: nn.Module) -> int:
    """Number of learnable parameters (every element of every parameter tensor)."""
    return sum(parameter.numel() for parameter in model.parameters())


def layer_output_shapes(model: nn.Module, x: torch.Tensor) -> dict[str, tuple[int, ...]]:
    """The output shape of every leaf module for input ``x``, in the order they run."""
    shapes: dict[str, tuple[int, ...]] = {}
    hooks = [
        module.register_forward_hook(
            lambda _m, _i, out, name=name: shapes.__setitem__(name, tuple(out.shape))
        )
        for name, module in model.named_modules()
        if name and not list(module.children())
    ]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for hook in hooks:
            hook.remove()
    return shapes
