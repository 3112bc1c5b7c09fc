"""Two int8 paths for LeNet, both on plain ``torch.int8`` tensors and ``torch._int_mm``.

Both store every Conv2d/Linear weight as int8, symmetric, one scale per output channel, and sum
the products exactly in int32 with ``torch._int_mm`` (int8 × int8 → int32). They differ in the
activations:

* **dynamic** (``quantize_int8``): each layer's input is quantised at run time, symmetric, one
  scale per image (no calibration data); a convolution unfolds the integer values as floats
  (``F.unfold``), rearranges them into rows and casts them to int8, and every row carries its
  image's scale.
* **static** (``quantize_static``, post-training quantisation with calibration): a few hundred
  calibration images fix one range per layer input (min/max observers); the input is quantised
  asymmetrically to 8 bits (after a ReLU the range starts at 0, so all 256 levels cover
  [0, max]). ``_int_mm`` takes int8, so the 8-bit codes q ∈ [0, 255] are shifted to q − 128 and
  the shift is added back exactly: Σ_k (q_k − z) w_k = Σ_k (q_k − 128) w_k + (128 − z) Σ_k w_k,
  the last sum computed once per output channel. A convolution unfolds the int8 tensor itself
  (``Tensor.unfold`` views, one int8 copy) and the result is scaled back with one fused
  multiply–add.

Each layer is a short pipeline of named steps (``steps()``: quantise, unfold, integer matmul,
rescale, layout) that ``forward`` runs in order, so ``benchmarks/compression_matmul.py`` can time
every step on its own input. ``torch.ao.quantization`` and the quantised dtypes are deprecated
in PyTorch 2.14 and are not used.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from cnnbook.checkpoint import key_mismatch, read_state_dict
from cnnbook.compression.quantization import quant_params, quantize
from cnnbook.errors import CnnBookError
from cnnbook.model import LeNet

INT8_MAX = 127
UINT8_MAX = 255
SHIFT = 128  # an 8-bit code q in [0, 255] is stored as q − 128 in [−128, 127]
Step = tuple[str, Callable[..., tuple]]


def activation_scale(x: torch.Tensor) -> torch.Tensor:
    """Symmetric int8 scale of each sample (first dimension): max|x| / 127, shape (N, 1, …)."""
    amax = x.abs().flatten(start_dim=1).amax(dim=1)
    scale = (amax / INT8_MAX).clamp(min=torch.finfo(x.dtype).tiny)
    return scale.view(-1, *([1] * (x.dim() - 1)))


def integer_values(x: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """round(x / s) clamped to [−127, 127], still as float (exact: small integers)."""
    return torch.round(x / scale).clamp_(-INT8_MAX, INT8_MAX)


def int8_weight(layer: nn.Conv2d | nn.Linear) -> tuple[torch.Tensor, torch.Tensor]:
    """(int8 weight, float scale per output channel): symmetric, per channel."""
    params = quant_params(layer.weight, 8, symmetric=True, axis=0)
    return quantize(layer.weight, params).to(torch.int8), params.scale.clone()


def output_size(conv: nn.Module, height: int, width: int) -> tuple[int, int]:
    sizes = [
        (d + 2 * p - dl * (k - 1) - 1) // s + 1
        for d, p, dl, k, s in zip(
            (height, width), conv.padding, conv.dilation, conv.kernel_size, conv.stride, strict=True
        )
    ]
    return sizes[0], sizes[1]


def check_conv(conv: nn.Conv2d) -> None:
    if conv.groups != 1 or conv.padding_mode != "zeros" or isinstance(conv.padding, str):
        raise CnnBookError(
            "int8 卷积只支持 groups=1、padding_mode='zeros' 且 padding 为数字，得到 "
            f"groups={conv.groups}、padding_mode={conv.padding_mode!r}、padding={conv.padding!r}"
        )


class Int8Layer(nn.Module):
    """A layer whose ``forward`` runs its ``steps()`` one after another; each step takes the
    previous step's tuple and returns the next one (the last returns ``(output,)``)."""

    def steps(self) -> list[Step]:
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        state: tuple = (x,)
        for _, step in self.steps():
            state = step(*state)
        return state[0]


def scale_back(
    accumulated: torch.Tensor, scale: torch.Tensor, bias: torch.Tensor | None
) -> torch.Tensor:
    out = accumulated.to(torch.float32) * scale
    return out if bias is None else out + bias


# --- dynamic: symmetric activations, one scale per image, computed at run time --------------


class Int8Linear(Int8Layer):
    """Linear with int8 weights and int8 inputs (symmetric, one scale per sample)."""

    def __init__(self, linear: nn.Linear) -> None:
        super().__init__()
        weight, scale = int8_weight(linear)
        self.register_buffer("weight_int8", weight)
        self.register_buffer("weight_scale", scale)
        self.register_buffer("bias", None if linear.bias is None else linear.bias.detach().clone())

    def steps(self) -> list[Step]:
        return [
            ("quantize", self.quantize_input),
            ("matmul", self.multiply),
            ("rescale", self.rescale),
        ]

    def quantize_input(self, x: torch.Tensor) -> tuple:
        scale = activation_scale(x)
        return integer_values(x, scale).to(torch.int8), scale

    def multiply(self, x_q: torch.Tensor, scale: torch.Tensor) -> tuple:
        return torch._int_mm(x_q, self.weight_int8.t()), scale

    def rescale(self, accumulated: torch.Tensor, scale: torch.Tensor) -> tuple:
        return (scale_back(accumulated, scale * self.weight_scale, self.bias),)


class Int8Conv2d(Int8Layer):
    """Conv2d (groups = 1) with int8 weights and inputs: the input is quantised once per image,
    unfolded into one row per receptive field (im2col) and multiplied in int8."""

    def __init__(self, conv: nn.Conv2d) -> None:
        super().__init__()
        check_conv(conv)
        weight, scale = int8_weight(conv)
        self.register_buffer("weight_int8", weight)
        self.register_buffer("weight_scale", scale)
        self.register_buffer("bias", None if conv.bias is None else conv.bias.detach().clone())
        self.kernel_size, self.stride = conv.kernel_size, conv.stride
        self.padding, self.dilation = conv.padding, conv.dilation

    def steps(self) -> list[Step]:
        return [
            ("quantize", self.quantize_input),
            ("unfold", self.unfold_rows),
            ("matmul", self.multiply),
            ("rescale", self.rescale),
            ("layout", self.to_feature_map),
        ]

    def quantize_input(self, x: torch.Tensor) -> tuple:
        scale = activation_scale(x)  # (N, 1, 1, 1)
        return integer_values(x, scale), scale, x.shape

    def unfold_rows(self, values: torch.Tensor, scale: torch.Tensor, shape: torch.Size) -> tuple:
        # unfold the integer values (floats holding integers), then convert: quantising before
        # im2col touches every input element once instead of K·K times
        columns = F.unfold(values, self.kernel_size, self.dilation, self.padding, self.stride)
        n, positions = shape[0], columns.shape[2]
        rows_q = columns.transpose(1, 2).reshape(n * positions, -1).to(torch.int8)
        row_scale = scale.view(n, 1).repeat_interleave(positions, dim=0)
        return rows_q, row_scale, shape

    def multiply(self, rows_q: torch.Tensor, row_scale: torch.Tensor, shape: torch.Size) -> tuple:
        weight = self.weight_int8.flatten(start_dim=1)
        return torch._int_mm(rows_q, weight.t()), row_scale, shape

    def rescale(self, accumulated: torch.Tensor, row_scale: torch.Tensor, shape) -> tuple:
        return scale_back(accumulated, row_scale * self.weight_scale, self.bias), shape

    def to_feature_map(self, out: torch.Tensor, shape: torch.Size) -> tuple:
        out_h, out_w = output_size(self, shape[2], shape[3])
        return (out.view(shape[0], out_h, out_w, -1).permute(0, 3, 1, 2),)


def replace_layers(model: nn.Module, make: Callable[[str, nn.Module], nn.Module]) -> nn.Module:
    """A copy of ``model`` (eval mode) with every Conv2d and Linear ``child`` replaced by
    ``make(qualified name, child)``."""
    quantized = copy.deepcopy(model).eval()
    for parent_name, parent in list(quantized.named_modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.Conv2d | nn.Linear):
                qualified = f"{parent_name}.{name}" if parent_name else name
                setattr(parent, name, make(qualified, child))
    return quantized


def quantize_int8(model: nn.Module) -> nn.Module:
    """A copy of ``model`` with every Conv2d and Linear replaced by its dynamic int8 version."""
    return replace_layers(
        model, lambda _, c: Int8Conv2d(c) if isinstance(c, nn.Conv2d) else Int8Linear(c)
    )


# --- static: calibrated asymmetric 8-bit activations ----------------------------------------


@torch.no_grad()
def observe_inputs(model: nn.Module, batches: Iterable[torch.Tensor]) -> dict[str, list[float]]:
    """Min/max observers: ``{layer: [min, max]}`` of the input of every Conv2d and Linear over
    the calibration ``batches`` (eval mode, no autograd)."""
    ranges: dict[str, list[float]] = {}

    def observer(name: str):
        def hook(_module: nn.Module, inputs: tuple) -> None:
            low, high = inputs[0].min().item(), inputs[0].max().item()
            old = ranges.setdefault(name, [low, high])
            old[0], old[1] = min(old[0], low), max(old[1], high)

        return hook

    handles = [
        module.register_forward_pre_hook(observer(name))
        for name, module in model.named_modules()
        if isinstance(module, nn.Conv2d | nn.Linear)
    ]
    was_training = model.training
    try:
        model.eval()
        for batch in batches:
            model(batch)
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    if not ranges:
        raise CnnBookError("校准没有看到任何数据：batches 为空，或 model 里没有 Conv2d/Linear 层")
    return ranges


def activation_params(low: float, high: float) -> tuple[float, int]:
    """Asymmetric 8-bit (scale, zero point) for the range [min(low, 0), max(high, 0)]:
    codes 0 … 255, zero point = the code of 0.0 (0 after a ReLU)."""
    low, high = min(low, 0.0), max(high, 0.0)
    scale = max((high - low) / UINT8_MAX, torch.finfo(torch.float32).tiny)
    zero_point = min(max(round(-low / scale), 0), UINT8_MAX)
    return scale, zero_point


class StaticInt8Layer(Int8Layer):
    """Shared state of the static layers: int8 weight, per-channel scale s_w, the input's
    fixed (s_x, z_x), the combined scale s_x · s_w and the zero-point correction."""

    def __init__(self, layer: nn.Conv2d | nn.Linear, input_range: tuple[float, float]) -> None:
        super().__init__()
        weight, scale = int8_weight(layer)
        input_scale, zero_point = activation_params(*input_range)
        self.register_buffer("weight_int8", weight)
        self.register_buffer("weight_scale", scale)
        self.register_buffer("input_scale", torch.tensor(input_scale, dtype=torch.float32))
        self.register_buffer("input_zero_point", torch.tensor(zero_point, dtype=torch.int32))
        bias = layer.bias.detach().clone() if layer.bias is not None else torch.zeros(len(scale))
        self.register_buffer("bias", bias)
        self.refresh()

    def refresh(self) -> None:
        """Derived constants (after construction or loading a state_dict)."""
        row_sums = self.weight_int8.flatten(start_dim=1).sum(dim=1, dtype=torch.int32)
        self.correction = (SHIFT - self.input_zero_point) * row_sums  # int32 per output
        self.output_scale = self.input_scale * self.weight_scale
        self.weight_rows = self.weight_int8.flatten(start_dim=1)

    def _load_from_state_dict(self, *args, **kwargs) -> None:
        super()._load_from_state_dict(*args, **kwargs)
        self.refresh()

    def quantize_input(self, x: torch.Tensor) -> tuple:
        shifted = torch.round(x / self.input_scale).add_(self.input_zero_point - SHIFT)
        return shifted.clamp_(-SHIFT, UINT8_MAX - SHIFT).to(torch.int8), x.shape

    def multiply(self, rows: torch.Tensor, shape: torch.Size) -> tuple:
        return torch._int_mm(rows, self.weight_rows.t()), shape

    def rescale(self, accumulated: torch.Tensor, shape: torch.Size) -> tuple:
        accumulated += self.correction
        return torch.addcmul(self.bias, accumulated.to(torch.float32), self.output_scale), shape


class StaticInt8Linear(StaticInt8Layer):
    def steps(self) -> list[Step]:
        return [
            ("quantize", self.quantize_input),
            ("matmul", self.multiply),
            ("rescale", self.rescale),
            ("layout", lambda out, _shape: (out,)),
        ]


class StaticInt8Conv2d(StaticInt8Layer):
    def __init__(self, conv: nn.Conv2d, input_range: tuple[float, float]) -> None:
        check_conv(conv)
        super().__init__(conv, input_range)
        self.kernel_size, self.stride = conv.kernel_size, conv.stride
        self.padding, self.dilation = conv.padding, conv.dilation

    def steps(self) -> list[Step]:
        return [
            ("quantize", self.quantize_input),
            ("unfold", self.unfold_rows),
            ("matmul", self.multiply),
            ("rescale", self.rescale),
            ("layout", self.to_feature_map),
        ]

    def unfold_rows(self, q: torch.Tensor, shape: torch.Size) -> tuple:
        """im2col on the int8 tensor: sliding-window views, then one int8 copy into rows
        ordered (image, output position) × (channel, kernel row, kernel column)."""
        if any(self.padding):  # pad with the code of 0.0, so padding stays exactly zero
            pad_h, pad_w = self.padding
            fill = int(self.input_zero_point) - SHIFT
            q = F.pad(q, (pad_w, pad_w, pad_h, pad_h), value=fill)
        windows = q
        for dim, (k, s, d) in enumerate(
            zip(self.kernel_size, self.stride, self.dilation, strict=True), start=2
        ):
            windows = windows.unfold(dim, d * (k - 1) + 1, s)
        d_h, d_w = self.dilation
        windows = windows[..., ::d_h, ::d_w]  # (N, C, H', W', K_h, K_w)
        n, c, out_h, out_w, k_h, k_w = windows.shape
        rows = windows.permute(0, 2, 3, 1, 4, 5).reshape(n * out_h * out_w, c * k_h * k_w)
        return rows, shape

    def to_feature_map(self, out: torch.Tensor, shape: torch.Size) -> tuple:
        out_h, out_w = output_size(self, shape[2], shape[3])
        return (out.view(shape[0], out_h, out_w, -1).permute(0, 3, 1, 2),)


def quantize_static(model: nn.Module, ranges: Mapping[str, list[float]]) -> nn.Module:
    """A copy of ``model`` with every Conv2d/Linear replaced by its static int8 version, the
    input ranges from ``observe_inputs`` (calibration)."""
    missing = [
        name
        for name, module in model.named_modules()
        if isinstance(module, nn.Conv2d | nn.Linear) and name not in ranges
    ]
    if missing:
        raise CnnBookError(f"ranges 里缺少这些层的校准范围：{missing}")

    def make(name: str, layer: nn.Module) -> nn.Module:
        kind = StaticInt8Conv2d if isinstance(layer, nn.Conv2d) else StaticInt8Linear
        return kind(layer, tuple(ranges[name]))

    return replace_layers(model, make)


# --- files ----------------------------------------------------------------------------------


def int8_lenet_template(state: Mapping[str, torch.Tensor]) -> nn.Module:
    """A dynamic int8 LeNet shaped like the widths in ``state`` (for loading it)."""
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
    detail = key_mismatch(expected, state)
    if detail:
        raise CnnBookError(f"检查点 {path} 不是 int8 LeNet：{detail}")
    for name, tensor in expected.items():
        if state[name].dtype != tensor.dtype or state[name].shape != tensor.shape:
            raise CnnBookError(
                f"检查点 {path} 不是 int8 LeNet：{name} 是 {state[name].dtype} "
                f"{tuple(state[name].shape)}，应为 {tensor.dtype} {tuple(tensor.shape)}"
            )
    model.load_state_dict(state)
    return model.eval()
