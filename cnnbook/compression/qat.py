"""Quantisation-aware training (QAT) and binary weights, with the straight-through estimator.

During QAT every Conv2d/Linear keeps a float ("latent") weight w; the forward pass uses its
quantised value q(w), the backward pass pretends q was the identity (the straight-through
estimator, STE: ∂q/∂w := 1, since round() has zero gradient almost everywhere)::

    ŵ = w + (q(w) − w).detach()        forward: q(w);   gradient: ∂L/∂w = ∂L/∂ŵ

The quantisers are exactly those of post-training quantisation (``quantization.fake_quantize``:
symmetric, one scale per output channel), so a network trained this way and one quantised after
training are evaluated the same way. ``binarize`` keeps one bit per weight: sign(w) times one
scale per output channel, α = mean|w| (the α that minimises ‖w − α·sign(w)‖², as in XNOR-Net).

``with_quantizer`` registers the quantiser as a parametrisation of each weight
(``torch.nn.utils.parametrize``), so ``fit`` trains the latent weights unchanged; ``freeze``
removes the parametrisations and leaves the quantised values as plain weights.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import torch
from torch import nn
from torch.nn.utils import parametrize

from cnnbook.compression.quantization import check_bits, fake_quantize

Quantizer = Callable[[torch.Tensor], torch.Tensor]


def uniform(bits: int) -> Quantizer:
    """b-bit symmetric quantisation with one scale per output channel (the PTQ quantiser)."""
    check_bits(bits)
    return lambda weight: fake_quantize(weight, bits, symmetric=True, axis=0)


def binarize(weight: torch.Tensor) -> torch.Tensor:
    """α · sign(w) with α = mean|w| of each output channel (sign(0) taken as +1)."""
    alpha = weight.abs().flatten(start_dim=1).mean(dim=1)
    alpha = alpha.view(-1, *([1] * (weight.dim() - 1)))
    return torch.where(weight >= 0, alpha, -alpha)


class StraightThrough(nn.Module):
    """Parametrisation: forward value ``quantizer(w)``, gradient passed straight to ``w``."""

    def __init__(self, quantizer: Quantizer) -> None:
        super().__init__()
        self.quantizer = quantizer

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        return weight + (self.quantizer(weight.detach()) - weight).detach()


def quantized_layers(model: nn.Module) -> list[nn.Module]:
    return [m for m in model.modules() if isinstance(m, nn.Conv2d | nn.Linear)]


def with_quantizer(model: nn.Module, quantizer: Quantizer) -> nn.Module:
    """A copy of ``model`` whose Conv2d/Linear weights are seen through ``quantizer`` (STE)."""
    result = copy.deepcopy(model)
    for layer in quantized_layers(result):
        parametrize.register_parametrization(layer, "weight", StraightThrough(quantizer))
    return result


@torch.no_grad()
def freeze(model: nn.Module) -> nn.Module:
    """A copy with the parametrisations removed: every weight is its quantised value."""
    result = copy.deepcopy(model)
    for layer in quantized_layers(result):
        if parametrize.is_parametrized(layer, "weight"):
            parametrize.remove_parametrizations(layer, "weight", leave_parametrized=True)
    return result.eval()


@torch.no_grad()
def quantize_with(model: nn.Module, quantizer: Quantizer) -> nn.Module:
    """Post-training: a copy whose Conv2d/Linear weights are replaced by ``quantizer(w)``."""
    result = copy.deepcopy(model)
    for layer in quantized_layers(result):
        layer.weight.copy_(quantizer(layer.weight))
    return result.eval()
