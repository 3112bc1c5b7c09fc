"""Linear quantisation, and an int8 LeNet that computes with int8 tensors.

A real number x is stored as an integer q of b bits with a scale s and a zero point z::

    q = clamp(round(x / s) + z, q_min, q_max),        x̂ = s · (q − z)

* symmetric: z = 0, q in [−(2^(b−1) − 1), 2^(b−1) − 1], s = max|x| / q_max;
* asymmetric: q in [−2^(b−1), 2^(b−1) − 1], the range [min(x, 0), max(x, 0)] mapped onto it,
  s = (max − min) / (2^b − 1), z = q_min − round(min / s) (so x = 0 is exactly representable);
* per tensor: one (s, z) for the whole tensor; per channel: one per output channel (row of a
  linear weight, filter of a conv weight).

The int8 path (``Int8Linear``, ``Int8Conv2d``, ``quantize_int8``) is dynamic quantisation of
the activations with int8 weights: weights symmetric per output channel, stored as
``torch.int8``; every layer's input quantised symmetric at run time with one scale per image;
the products summed exactly in int32 by ``torch._int_mm`` (int8 × int8 → int32), the result
multiplied back by the two scales. ``torch.ao.quantization`` (eager, FX and PT2E) and the
quantised dtypes (``torch.qint8``…) are deprecated in PyTorch 2.14, so nothing here uses them.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from cnnbook.checkpoint import read_state_dict
from cnnbook.errors import CnnBookError
from cnnbook.model import LeNet

MIN_BITS, MAX_BITS = 2, 8
INT8_MAX = 127


def check_bits(bits: int) -> int:
    if isinstance(bits, bool) or not isinstance(bits, int) or not MIN_BITS <= bits <= MAX_BITS:
        raise CnnBookError(f"bits must be an integer from {MIN_BITS} to {MAX_BITS}, got {bits!r}")
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
        raise CnnBookError(f"axis must name a dimension of a {x.dim()}-d tensor, got {axis}")
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


# --- the int8 path --------------------------------------------------------------------------


def activation_scale(x: torch.Tensor) -> torch.Tensor:
    """Symmetric int8 scale of each sample (first dimension): max|x| / 127, shape (N, 1, …)."""
    amax = x.abs().flatten(start_dim=1).amax(dim=1)
    scale = (amax / INT8_MAX).clamp(min=torch.finfo(x.dtype).tiny)
    return scale.view(-1, *([1] * (x.dim() - 1)))


def integer_values(x: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """round(x / s) clamped to [−127, 127], still as float (exact: small integers)."""
    return torch.round(x / scale).clamp_(-INT8_MAX, INT8_MAX)


def int8_matmul(
    rows_q: torch.Tensor,
    row_scale: torch.Tensor,
    weight_q: torch.Tensor,
    weight_scale: torch.Tensor,
    bias: torch.Tensor | None,
) -> torch.Tensor:
    """int8 rows (M, K) · int8 weight (N, K)ᵀ summed exactly in int32 by ``torch._int_mm``,
    then scaled back: out = s_row · s_weight · Σ q_x q_w (+ bias)."""
    accumulated = torch._int_mm(rows_q, weight_q.t())
    out = accumulated.to(torch.float32) * row_scale * weight_scale
    return out if bias is None else out + bias


class Int8Linear(nn.Module):
    """A Linear layer with int8 weights (symmetric, one scale per output) and int8 inputs
    (symmetric, one scale per sample, computed at run time)."""

    def __init__(self, linear: nn.Linear) -> None:
        super().__init__()
        params = quant_params(linear.weight, 8, symmetric=True, axis=0)
        self.register_buffer("weight_int8", quantize(linear.weight, params).to(torch.int8))
        self.register_buffer("weight_scale", params.scale.clone())
        self.register_buffer("bias", None if linear.bias is None else linear.bias.detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scale = activation_scale(x)
        x_q = integer_values(x, scale).to(torch.int8)
        return int8_matmul(x_q, scale, self.weight_int8, self.weight_scale, self.bias)


class Int8Conv2d(nn.Module):
    """A Conv2d (groups = 1) with int8 weights and inputs: the input is quantised once per
    image, unfolded into one row per receptive field (im2col), and multiplied in int8."""

    def __init__(self, conv: nn.Conv2d) -> None:
        super().__init__()
        if conv.groups != 1 or conv.padding_mode != "zeros" or isinstance(conv.padding, str):
            raise CnnBookError("Int8Conv2d handles groups=1, zero padding given as numbers")
        params = quant_params(conv.weight, 8, symmetric=True, axis=0)
        self.register_buffer("weight_int8", quantize(conv.weight, params).to(torch.int8))
        self.register_buffer("weight_scale", params.scale.clone())
        self.register_buffer("bias", None if conv.bias is None else conv.bias.detach().clone())
        self.kernel_size, self.stride = conv.kernel_size, conv.stride
        self.padding, self.dilation = conv.padding, conv.dilation

    def output_size(self, height: int, width: int) -> list[int]:
        return [
            (d + 2 * p - dl * (k - 1) - 1) // s + 1
            for d, p, dl, k, s in zip(
                (height, width),
                self.padding,
                self.dilation,
                self.kernel_size,
                self.stride,
                strict=True,
            )
        ]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, _, height, width = x.shape
        scale = activation_scale(x)  # (N, 1, 1, 1)
        # unfold the integer values (floats holding integers), then convert: quantising before
        # im2col touches every input element once instead of K·K times
        columns = F.unfold(
            integer_values(x, scale), self.kernel_size, self.dilation, self.padding, self.stride
        )
        positions = columns.shape[2]
        rows_q = columns.transpose(1, 2).reshape(n * positions, -1).to(torch.int8)
        row_scale = scale.view(n, 1).repeat_interleave(positions, dim=0)
        weight = self.weight_int8.flatten(start_dim=1)
        out = int8_matmul(rows_q, row_scale, weight, self.weight_scale, self.bias)
        out_h, out_w = self.output_size(height, width)
        return out.view(n, out_h, out_w, -1).permute(0, 3, 1, 2)


def quantize_int8(model: nn.Module) -> nn.Module:
    """A copy of ``model`` with every Conv2d and Linear replaced by its int8 counterpart."""
    quantized = copy.deepcopy(model).eval()
    for parent in list(quantized.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.Conv2d):
                setattr(parent, name, Int8Conv2d(child))
            elif isinstance(child, nn.Linear):
                setattr(parent, name, Int8Linear(child))
    return quantized


def int8_lenet_template(state: Mapping[str, torch.Tensor]) -> nn.Module:
    """An int8 LeNet shaped like the widths in ``state`` (for loading it)."""
    try:
        channels = (state["conv1.weight_int8"].shape[0], state["conv2.weight_int8"].shape[0])
        hidden = (state["fc1.weight_int8"].shape[0], state["fc2.weight_int8"].shape[0])
        classes = state["fc3.weight_int8"].shape[0]
        return quantize_int8(LeNet(classes, channels, hidden))
    except (KeyError, IndexError, CnnBookError):
        return quantize_int8(LeNet())


def load_int8_lenet(path: str | Path) -> nn.Module:
    """The int8 LeNet saved at ``path`` (``torch.save(quantize_int8(lenet).state_dict())``);
    ``CnnBookError`` (a ValueError) for a file that is not one, e.g. a float checkpoint."""
    state = read_state_dict(path)
    model = int8_lenet_template(state)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        detail = f"missing {', '.join(missing[:3])}" if missing else ""
        detail += "; " if detail and unexpected else ""
        detail += f"unexpected {', '.join(unexpected[:3])}" if unexpected else ""
        raise CnnBookError(f"checkpoint {path} is not an int8 LeNet: {detail}")
    for name, tensor in expected.items():
        if state[name].dtype != tensor.dtype or state[name].shape != tensor.shape:
            raise CnnBookError(
                f"checkpoint {path} is not an int8 LeNet: {name} is {state[name].dtype} "
                f"{tuple(state[name].shape)}, expected {tensor.dtype} {tuple(tensor.shape)}"
            )
    model.load_state_dict(state)
    return model.eval()
