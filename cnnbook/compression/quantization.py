"""Linear quantisation: scale and zero point, per tensor or per channel, and weights at 2–8 bits.

A real number x is stored as an integer q of b bits with a scale s and a zero point z::

    q = clamp(round(x / s) + z, q_min, q_max),        x̂ = s · (q − z)

* symmetric: z = 0, q in [−(2^(b−1) − 1), 2^(b−1) − 1], s = max|x| / q_max;
* asymmetric: q in [−2^(b−1), 2^(b−1) − 1], the range [min(x, 0), max(x, 0)] mapped onto it,
  s = (max − min) / (2^b − 1), z = q_min − round(min / s) (so x = 0 is exactly representable);
* per tensor: one (s, z) for the whole tensor; per channel: one per output channel (row of a
  linear weight, filter of a conv weight).

The int8 networks that store and compute with int8 tensors are in ``cnnbook.compression.int8``;
quantisation-aware training (fake quantisation with a straight-through estimator) is in
``cnnbook.compression.qat``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
from torch import nn

from cnnbook.errors import CnnBookError

MIN_BITS, MAX_BITS = 2, 8


def check_bits(bits: int) -> int:
    if isinstance(bits, bool) or not isinstance(bits, int) or not MIN_BITS <= bits <= MAX_BITS:
        raise CnnBookError(f"bits 必须是 {MIN_BITS} 到 {MAX_BITS} 之间的整数，得到 {bits!r}")
    return bits


def integer_range(bits: int, symmetric: bool) -> tuple[int, int]:
    """(q_min, q_max) of signed b-bit integers; symmetric drops −2^(b−1) to stay symmetric."""
    top = 2 ** (check_bits(bits) - 1) - 1
    return (-top if symmetric else -top - 1), top


@dataclass(frozen=True)
class QuantParams:
    """Scale and zero point (0-d tensors, or 1-d along ``axis`` for per channel)."""

    scale: torch.Tensor
    zero_point: torch.Tensor
    q_min: int
    q_max: int
    axis: int | None

    def shaped(self, tensor: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """scale and zero point viewed so that they broadcast against ``tensor``."""
        if self.axis is None:
            return self.scale, self.zero_point
        shape = [1] * tensor.dim()
        shape[self.axis] = -1
        return self.scale.view(shape), self.zero_point.view(shape)


def quant_params(
    x: torch.Tensor, bits: int, *, symmetric: bool = True, axis: int | None = None
) -> QuantParams:
    """Scale and zero point that map the range of ``x`` (per tensor, or per slice along
    ``axis``) onto b-bit integers."""
    q_min, q_max = integer_range(bits, symmetric)
    if axis is not None and not -x.dim() <= axis < x.dim():
        raise CnnBookError(f"axis 必须是 {x.dim()} 维张量的一个维度，得到 {axis}")
    if axis is None:
        low, high = x.detach().min(), x.detach().max()
    else:
        axis = axis % x.dim()
        rows = x.detach().movedim(axis, 0).flatten(start_dim=1)
        low, high = rows.min(dim=1).values, rows.max(dim=1).values
    low, high = low.clamp(max=0), high.clamp(min=0)  # the range always holds 0
    tiny = torch.finfo(torch.float32).tiny  # an all-zero slice gets scale tiny (any would do)
    if symmetric:
        scale = (torch.maximum(-low, high) / q_max).clamp(min=tiny)
        zero_point = torch.zeros_like(scale, dtype=torch.int64)
    else:
        scale = ((high - low) / (q_max - q_min)).clamp(min=tiny)
        zero_point = (q_min - torch.round(low / scale)).clamp(q_min, q_max).to(torch.int64)
    return QuantParams(scale.float(), zero_point, q_min, q_max, axis)


def quantize(x: torch.Tensor, params: QuantParams) -> torch.Tensor:
    """Integers q = clamp(round(x / s) + z, q_min, q_max), as int64."""
    scale, zero_point = params.shaped(x)
    return (torch.round(x / scale) + zero_point).clamp(params.q_min, params.q_max).to(torch.int64)


def dequantize(q: torch.Tensor, params: QuantParams) -> torch.Tensor:
    """x̂ = s · (q − z)."""
    scale, zero_point = params.shaped(q)
    return scale * (q - zero_point).to(scale.dtype)


def fake_quantize(
    x: torch.Tensor, bits: int, *, symmetric: bool = True, axis: int | None = None
) -> torch.Tensor:
    """x quantised to b bits and back to float: exactly the values the integers represent."""
    params = quant_params(x, bits, symmetric=symmetric, axis=axis)
    return dequantize(quantize(x, params), params)


@torch.no_grad()
def quantize_weights(
    model: nn.Module, bits: int, *, symmetric: bool = True, per_channel: bool = True
) -> nn.Module:
    """A copy of ``model`` whose Conv2d/Linear weights are replaced by their b-bit values
    (biases stay float: deployed networks keep them as int32 at scale s_x · s_w)."""
    check_bits(bits)
    quantized = copy.deepcopy(model)
    for module in quantized.modules():
        if isinstance(module, nn.Conv2d | nn.Linear):
            axis = 0 if per_channel else None
            module.weight.copy_(fake_quantize(module.weight, bits, symmetric=symmetric, axis=axis))
    return quantized.eval()
