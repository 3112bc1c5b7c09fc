"""Pruning: zeroing the smallest weights (fine-grained), or removing whole channels (structured).

Fine-grained magnitude pruning keeps a 0/1 mask per weight tensor of every Conv2d and Linear
(biases are not pruned). With sparsity s and n weights in scope, the ``round(s · n)`` weights
of smallest magnitude get mask 0 — the same rule and the same rounding as
``torch.nn.utils.prune.l1_unstructured`` / ``global_unstructured``:

* per layer (``scope="layer"``): every layer loses the same fraction s of its weights;
* global (``scope="global"``): one threshold for all layers together, so layers with many
  small weights (LeNet's fc1) lose more than small, important ones (conv1).

The network keeps its shape: the zeros are still stored and still multiplied. Channel pruning
(``prune_lenet``) instead builds a narrower ``LeNet`` from the filters and neurons with the
largest L1 norms and copies their weights, so parameters, MACs and time really drop.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Literal

import torch
from torch import nn

from cnnbook.errors import CnnBookError
from cnnbook.model import LeNet

Masks = dict[str, torch.Tensor]
PRUNABLE = (nn.Conv2d, nn.Linear)


def check_sparsity(sparsity: float) -> float:
    if not isinstance(sparsity, int | float) or not 0 <= sparsity < 1:
        raise CnnBookError(f"sparsity 必须在 [0, 1) 之内，得到 {sparsity!r}")
    return float(sparsity)


def prunable_weights(model: nn.Module) -> dict[str, torch.Tensor]:
    """``{layer name: weight}`` of every Conv2d and Linear, in definition order."""
    return {
        name: module.weight
        for name, module in model.named_modules()
        if isinstance(module, PRUNABLE)
    }


def smallest_count(sparsity: float, total: int) -> int:
    """How many of ``total`` weights sparsity ``sparsity`` removes (torch.nn.utils.prune's rule)."""
    return round(check_sparsity(sparsity) * total)


def mask_smallest(magnitudes: torch.Tensor, count: int) -> torch.Tensor:
    """A 0/1 mask of ``magnitudes``' shape with zeros at its ``count`` smallest entries."""
    mask = torch.ones(magnitudes.shape, dtype=magnitudes.dtype)  # contiguous, logical order
    if count:
        smallest = torch.topk(magnitudes.flatten(), count, largest=False).indices
        mask.view(-1)[smallest] = 0
    return mask


def magnitude_masks(
    model: nn.Module,
    sparsity: float,
    scope: Literal["global", "layer"] = "global",
    layers: Iterable[str] | None = None,
) -> Masks:
    """Masks that remove the fraction ``sparsity`` of the weights of ``layers`` (default all)."""
    check_sparsity(sparsity)
    weights = prunable_weights(model)
    chosen = list(weights) if layers is None else list(layers)
    unknown = [name for name in chosen if name not in weights]
    if unknown:
        raise CnnBookError(f"layers 里的 {unknown} 不是模型的 Conv2d/Linear 层")
    if scope == "layer":
        return {
            name: mask_smallest(
                weights[name].detach().abs(), smallest_count(sparsity, weights[name].numel())
            )
            for name in chosen
        }
    if scope != "global":
        raise CnnBookError(f"scope 必须是 'global' 或 'layer'，得到 {scope!r}")
    magnitudes = torch.cat([weights[name].detach().abs().flatten() for name in chosen])
    flat = mask_smallest(magnitudes, smallest_count(sparsity, magnitudes.numel()))
    sizes = [weights[name].numel() for name in chosen]
    return {
        name: part.view_as(weights[name])
        for name, part in zip(chosen, flat.split(sizes), strict=True)
    }


@torch.no_grad()
def apply_masks(model: nn.Module, masks: Masks) -> nn.Module:
    """Multiply each masked weight by its mask, in place; returns ``model``."""
    weights = prunable_weights(model)
    for name, mask in masks.items():
        weights[name].mul_(mask.to(weights[name].dtype))
    return model


def pruned_copy(model: nn.Module, masks: Masks) -> nn.Module:
    return apply_masks(copy.deepcopy(model), masks)


def keep_masks(masks: Masks) -> Callable[[nn.Module], None]:
    """An ``after_step`` hook for fine-tuning: pruned weights go back to zero after every step
    (the optimiser's update would otherwise let them grow back)."""

    def reapply(model: nn.Module) -> None:
        apply_masks(model, masks)

    return reapply


class GradualPruning:
    """An ``after_step`` hook that raises the sparsity step by step while fine-tuning (Zhu and
    Gupta, 2017): every ``every`` steps, masks are recomputed for
    s(t) = s_final · (1 − (1 − t / t_end)³) (pruning fast at first, gently at the end) and
    the pruned weights are kept at zero after every step; from step ``t_end`` on, s = s_final.
    """

    def __init__(
        self,
        final_sparsity: float,
        end_step: int,
        every: int = 20,
        scope: Literal["global", "layer"] = "global",
    ) -> None:
        self.final_sparsity = check_sparsity(final_sparsity)
        if end_step < 1 or every < 1:
            raise CnnBookError(f"end_step 与 every 必须为正，得到 {end_step} 与 {every}")
        self.end_step, self.every, self.scope = end_step, every, scope
        self.step, self.masks = 0, None

    def sparsity_at(self, step: int) -> float:
        progress = min(step / self.end_step, 1.0)
        return self.final_sparsity * (1 - (1 - progress) ** 3)

    def __call__(self, model: nn.Module) -> None:
        self.step += 1
        due = self.step % self.every == 0 and self.step < self.end_step
        if self.masks is None or due or self.step == self.end_step:
            target = self.sparsity_at(self.step)
            self.masks = magnitude_masks(model, target, self.scope)
        apply_masks(model, self.masks)


def sparsity_by_layer(model: nn.Module) -> dict[str, float]:
    """Fraction of exactly-zero weights in every Conv2d and Linear."""
    return {
        name: 1 - torch.count_nonzero(weight).item() / weight.numel()
        for name, weight in prunable_weights(model).items()
    }


def overall_sparsity(model: nn.Module) -> float:
    """Fraction of exactly-zero weights over all Conv2d and Linear weights together."""
    weights = prunable_weights(model).values()
    zeros = sum(weight.numel() - torch.count_nonzero(weight).item() for weight in weights)
    return zeros / sum(weight.numel() for weight in weights)


def sensitivity_scan(
    model: nn.Module, sparsities: Iterable[float], score: Callable[[nn.Module], float]
) -> dict[str, list[float]]:
    """``score`` of the model with one layer at a time pruned to each sparsity."""
    return {
        layer: [
            score(pruned_copy(model, magnitude_masks(model, s, "layer", [layer])))
            for s in sparsities
        ]
        for layer in prunable_weights(model)
    }


# --- structured pruning: a narrower LeNet ---------------------------------------------------


def lenet_widths(model: LeNet) -> tuple[tuple[int, int], tuple[int, int]]:
    """``(channels, hidden)`` of a LeNet, read from its layers."""
    if not isinstance(model, LeNet):
        raise CnnBookError(f"model 必须是 cnnbook 的 LeNet，得到 {type(model).__name__}")
    return (
        (model.conv1.out_channels, model.conv2.out_channels),
        (model.fc1.out_features, model.fc2.out_features),
    )


def strongest(weight: torch.Tensor, count: int) -> torch.Tensor:
    """Indices (ascending) of the ``count`` output units whose weights have the largest L1
    norm (filters of a conv weight, rows of a linear weight)."""
    norms = weight.detach().abs().flatten(start_dim=1).sum(dim=1)
    return torch.topk(norms, count).indices.sort().values


def check_widths(name: str, wanted: tuple[int, int], available: tuple[int, int]) -> None:
    if len(wanted) != 2 or not all(1 <= w <= a for w, a in zip(wanted, available, strict=True)):
        raise CnnBookError(
            f"{name} 必须是两个整数，分别在 1 到模型现有的 {available} 之间，得到 {wanted!r}"
        )


@torch.no_grad()
def prune_lenet(model: LeNet, channels: tuple[int, int], hidden: tuple[int, int]) -> LeNet:
    """A new, narrower LeNet with the ``channels`` strongest filters of conv1 and conv2 and the
    ``hidden`` strongest neurons of fc1 and fc2, and every weight that connects them.

    Removing filter j of conv1 removes input channel j of every conv2 filter; removing filter c
    of conv2 removes the 4×4 = 16 inputs of fc1 that came from its feature map (flatten puts
    them at positions 16c … 16c + 15); removing neuron i of fc1 removes column i of fc2, and so
    on. The result computes exactly what the original computes when the removed units' outputs
    are forced to zero.
    """
    old_channels, old_hidden = lenet_widths(model)
    check_widths("channels", channels, old_channels)
    check_widths("hidden", hidden, old_hidden)
    keep1 = strongest(model.conv1.weight, channels[0])
    keep2 = strongest(model.conv2.weight, channels[1])
    positions = model.fc1.in_features // old_channels[1]  # 16 = 4 × 4 per feature map
    features = (keep2[:, None] * positions + torch.arange(positions)).flatten()
    keep3 = strongest(model.fc1.weight, hidden[0])
    keep4 = strongest(model.fc2.weight, hidden[1])

    small = LeNet(num_classes=model.fc3.out_features, channels=channels, hidden=hidden)
    pieces = {
        "conv1": (model.conv1.weight[keep1], model.conv1.bias[keep1]),
        "conv2": (model.conv2.weight[keep2][:, keep1], model.conv2.bias[keep2]),
        "fc1": (model.fc1.weight[keep3][:, features], model.fc1.bias[keep3]),
        "fc2": (model.fc2.weight[keep4][:, keep3], model.fc2.bias[keep4]),
        "fc3": (model.fc3.weight[:, keep4], model.fc3.bias),
    }
    for name, (weight, bias) in pieces.items():
        layer = getattr(small, name)
        layer.weight.copy_(weight)
        layer.bias.copy_(bias)
    return small.eval()
