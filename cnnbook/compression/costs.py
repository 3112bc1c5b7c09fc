"""What a model costs: parameters, bytes at a bit width, the saved file, MACs and FLOPs.

The MAC counter is chapter 2's (``snippets/arithmetic/cost_counter.py``), with the same
convention, and ``tests/test_compression_metrics.py`` checks that the two agree layer by layer:

* 1 MAC (multiply–accumulate) = 2 FLOPs;
* Conv2d: MACs = N · C_out · H' · W' · (C_in / groups) · K_h · K_w; Linear: output elements
  × in_features; BatchNorm2d at inference: one MAC per element;
* not counted: bias additions, activations, pooling, element-wise additions.

Sizes are in bytes; MB = 10^6 bytes, MiB = 2^20 bytes, kB = 10^3 bytes.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from cnnbook.errors import CnnBookError

COUNTED = (nn.Conv2d, nn.Linear, nn.BatchNorm2d)
MNIST_EXAMPLE_SHAPE = (1, 1, 28, 28)


@dataclass(frozen=True)
class LayerCost:
    """One counted layer of one forward pass."""

    name: str
    kind: str
    macs: int
    parameters: int

    @property
    def flops(self) -> int:
        return 2 * self.macs


def layer_macs(module: nn.Module, output: torch.Tensor) -> int:
    """MACs of one counted layer for the output it produced (chapter 2's formulas)."""
    if isinstance(module, nn.Conv2d):
        k_h, k_w = module.kernel_size
        return output.numel() * (module.in_channels // module.groups) * k_h * k_w
    if isinstance(module, nn.Linear):
        return output.numel() * module.in_features
    return output.numel()  # BatchNorm2d at inference: y = a·x + b, one MAC per element


def count_costs(model: nn.Module, example: torch.Tensor) -> list[LayerCost]:
    """The cost of every Conv2d, Linear and BatchNorm2d in one forward pass of ``example``."""
    costs: list[LayerCost] = []

    def record(name: str):
        def hook(module: nn.Module, _inputs: tuple, output: torch.Tensor) -> None:
            parameters = sum(p.numel() for p in module.parameters())
            costs.append(
                LayerCost(name, type(module).__name__, layer_macs(module, output), parameters)
            )

        return hook

    handles = [
        module.register_forward_hook(record(name))
        for name, module in model.named_modules()
        if isinstance(module, COUNTED)
    ]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(example)
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return costs


def total_macs(model: nn.Module, example_shape: tuple[int, ...] = MNIST_EXAMPLE_SHAPE) -> int:
    """MACs of one forward pass of a zero tensor of ``example_shape`` (default one MNIST image)."""
    return sum(cost.macs for cost in count_costs(model, torch.zeros(example_shape)))


def count_parameters(model: nn.Module) -> int:
    """Every element of every learnable parameter tensor."""
    return sum(parameter.numel() for parameter in model.parameters())


def nonzero_parameters(model: nn.Module) -> int:
    """Parameters that are not exactly zero (what is left after fine-grained pruning)."""
    return sum(int(torch.count_nonzero(parameter).item()) for parameter in model.parameters())


def size_at_bits(parameters: int, bits: int) -> int:
    """Bytes needed to store ``parameters`` numbers of ``bits`` bits each, nothing else."""
    if parameters < 0:
        raise CnnBookError(f"parameters 不能为负数，得到 {parameters}")
    if not 1 <= bits <= 64:
        raise CnnBookError(f"bits 必须在 1 到 64 之间，得到 {bits}")
    return (parameters * bits + 7) // 8


def saved_size(state: dict[str, torch.Tensor], name: str = "lenet.pt") -> int:
    """Bytes of the file ``torch.save(state, name)`` writes, measured on disk (in a temporary
    directory). The name matters a little: the zip archive inside the file is named after it,
    and every entry of the archive repeats that name."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        torch.save(state, path)
        return path.stat().st_size


def compression_ratio(original_bytes: int, compressed_bytes: int) -> float:
    """How many times smaller: original size ÷ compressed size."""
    if original_bytes <= 0 or compressed_bytes <= 0:
        raise CnnBookError(
            "original_bytes 与 compressed_bytes 必须为正数，"
            f"得到 {original_bytes} 与 {compressed_bytes} 字节"
        )
    return original_bytes / compressed_bytes
