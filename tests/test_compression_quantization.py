"""Chapter 10 (模型压缩), quantisation: linear quantisation against PyTorch, the dynamic and the
static int8 paths (exact integer sums, the steps the profile times, files), and the snippets
the quantisation page shows."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn import functional as F

from benchmarks import compression_matmul
from cnnbook.checkpoint import save_checkpoint
from cnnbook.compression import int8 as int8_path
from cnnbook.compression import quantization as quant
from cnnbook.model import LeNet
from tests.helpers import snippet, stored


def random_lenet(seed: int = 0, **widths) -> LeNet:
    torch.manual_seed(seed)
    return LeNet(**widths).eval()


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    bits=st.integers(2, 8),
    symmetric=st.booleans(),
    per_channel=st.booleans(),
    rows=st.integers(1, 6),
    cols=st.integers(1, 40),
    offset=st.floats(-2, 2),
    seed=st.integers(0, 1000),
)
def test_linear_quantization_equals_torch(
    bits, symmetric, per_channel, rows, cols, offset, seed
) -> None:
    x = torch.randn(rows, cols, generator=torch.Generator().manual_seed(seed)) + offset
    params = quant.quant_params(x, bits, symmetric=symmetric, axis=0 if per_channel else None)
    ours = quant.fake_quantize(x, bits, symmetric=symmetric, axis=0 if per_channel else None)
    if per_channel:
        theirs = torch.fake_quantize_per_channel_affine(
            x, params.scale, params.zero_point.to(torch.int32), 0, params.q_min, params.q_max
        )
    else:
        theirs = torch.fake_quantize_per_tensor_affine(
            x, params.scale.item(), int(params.zero_point), params.q_min, params.q_max
        )
    assert torch.equal(ours, theirs)
    scale, _ = params.shaped(x)
    assert torch.all((x - ours).abs() <= scale / 2 * (1 + 1e-5))  # rounding: half a step
    zero = torch.zeros_like(x)
    assert torch.equal(quant.dequantize(quant.quantize(zero, params), params), zero)
    q = quant.quantize(x, params)
    assert q.min() >= params.q_min and q.max() <= params.q_max
    assert params.q_max == 2 ** (bits - 1) - 1 and params.q_min == (
        -params.q_max if symmetric else -params.q_max - 1
    )


def test_quantization_snippet_equals_cnnbook() -> None:
    chapter = snippet("compression/linear_quantization")
    weight = chapter["weight"]
    for bits in (8, 4, 2):
        for symmetric in (True, False):
            for per_channel in (True, False):
                scale, zero_point, q_min, q_max = chapter["quant_params"](
                    weight, bits, symmetric, per_channel
                )
                params = quant.quant_params(
                    weight, bits, symmetric=symmetric, axis=0 if per_channel else None
                )
                assert torch.equal(scale, params.scale)
                assert (q_min, q_max) == (params.q_min, params.q_max)
                assert torch.equal(zero_point, params.zero_point)
    largest = weight.abs().amax(dim=(1, 2, 3))  # "幅度相差约 30 倍"
    assert weight.shape[0] == 16 and 25 <= float(largest.max() / largest.min()) <= 35


CASES = [  # (layer, input): LeNet's shapes, and a padded, strided, dilated conv
    (nn.Conv2d(6, 16, 5), (3, 6, 12, 12)),
    (nn.Conv2d(3, 5, 3, stride=2, padding=2, dilation=2), (2, 3, 11, 9)),
    (nn.Linear(256, 120), (5, 256)),
]


@pytest.mark.parametrize(("layer", "shape"), CASES)
def test_dynamic_int8_sums_exactly(layer: nn.Module, shape: tuple[int, ...]) -> None:
    """int32 sums are exact, so the result equals float arithmetic on the quantised values."""
    torch.manual_seed(0)
    x = torch.randn(shape).relu()
    int8 = int8_path.quantize_int8(nn.Sequential(layer))[0]
    assert int8.weight_int8.dtype == torch.int8
    scale = int8_path.activation_scale(x)
    x_hat = int8_path.integer_values(x, scale) * scale
    w_hat = int8.weight_int8.float() * int8.weight_scale.view(-1, *[1] * (x.dim() - 1))
    reference = F.conv2d if isinstance(layer, nn.Conv2d) else F.linear
    options = (
        {"stride": layer.stride, "padding": layer.padding, "dilation": layer.dilation}
        if isinstance(layer, nn.Conv2d)
        else {}
    )
    with torch.no_grad():
        expected = reference(x_hat, w_hat, layer.bias, **options)
        assert torch.allclose(int8(x), expected, rtol=1e-5, atol=1e-5)
        relative = (int8(x) - layer(x)).abs().max() / layer(x).abs().max()
    assert relative < 0.02


@pytest.mark.parametrize(("layer", "shape"), CASES)
def test_static_int8_sums_exactly(layer: nn.Module, shape: tuple[int, ...]) -> None:
    """The 8-bit codes shifted by 128 for ``_int_mm`` and the zero point added back give
    exactly float arithmetic on the dequantised input; padding stays exactly zero."""
    torch.manual_seed(1)
    x = torch.randn(shape) + 0.3  # not a ReLU output: a nonzero zero point
    ranges = {"0": [x.min().item(), x.max().item()]}
    int8 = int8_path.quantize_static(nn.Sequential(layer), ranges)[0]
    scale, zero_point = int8_path.activation_params(*ranges["0"])
    assert 0 < zero_point < 255 and int8.input_zero_point == zero_point
    codes = (torch.round(x / scale) + zero_point).clamp(0, 255)
    x_hat = (codes - zero_point) * scale
    w_hat = int8.weight_int8.float() * int8.weight_scale.view(-1, *[1] * (x.dim() - 1))
    reference = F.conv2d if isinstance(layer, nn.Conv2d) else F.linear
    options = (
        {"stride": layer.stride, "padding": layer.padding, "dilation": layer.dilation}
        if isinstance(layer, nn.Conv2d)
        else {}
    )
    with torch.no_grad():
        assert torch.allclose(int8(x), reference(x_hat, w_hat, layer.bias, **options), atol=1e-5)


def test_the_static_snippet_shift_is_exact() -> None:
    chapter = snippet("compression/static_quantization")
    assert chapter["zero_point"] == 0 and torch.equal(chapter["summed"].long(), chapter["exact"])
    observer = chapter["MinMaxObserver"]()
    for batch in (torch.tensor([0.5, 2.0]), torch.tensor([-1.0, 1.0])):
        observer(batch)
    assert observer.params() == pytest.approx(int8_path.activation_params(-1.0, 2.0))


def test_calibration_observes_every_layer_input() -> None:
    model = random_lenet()
    batches = [torch.randn(8, 1, 28, 28), torch.randn(8, 1, 28, 28) * 2]
    ranges = int8_path.observe_inputs(model, batches)
    seen = compression_matmul.layer_inputs(int8_path.quantize_int8(model), torch.cat(batches))
    assert list(ranges) == ["conv1", "conv2", "fc1", "fc2", "fc3"]
    assert ranges["conv1"] == [torch.cat(batches).min().item(), torch.cat(batches).max().item()]
    assert all(ranges[name][0] >= 0 for name in ("conv2", "fc1", "fc2", "fc3"))  # after ReLU
    assert set(seen) == set(ranges)


@pytest.mark.parametrize("kind", ["dynamic", "static"])
def test_the_profiled_steps_are_the_forward_pass(kind: str) -> None:
    """Each layer's forward is exactly its steps run in order, so timing the steps times the
    layer; every step the benchmark's table names is one of them."""
    networks = compression_matmul.int8_networks()
    model, images = networks[kind], torch.randn(6, 1, 28, 28)
    cases = compression_matmul.step_cases(model, images)
    assert {step for step, _ in cases.values()} <= set(compression_matmul.STEPS)
    with torch.inference_mode():
        for name, x in compression_matmul.layer_inputs(model, images).items():
            layer, state = model.get_submodule(name), (x,)
            for _, step in layer.steps():
                state = step(*state)
            assert torch.equal(state[0], layer(x))
        float_model = networks["float32"]
        error = (model(images) - float_model(images)).abs().max() / float_model(images).abs().max()
    assert error < 0.05


def test_int8_file_round_trip_and_refusals(tmp_path: Path) -> None:
    model = int8_path.quantize_int8(random_lenet(channels=(4, 8), hidden=(60, 42)))
    path = tmp_path / "int8.pt"
    torch.save(model.state_dict(), path)
    loaded = int8_path.load_int8_lenet(path)
    x = torch.randn(4, 1, 28, 28)
    with torch.inference_mode():
        assert torch.equal(loaded(x), model(x))
    float_file = save_checkpoint(random_lenet(), tmp_path / "float.pt")
    with pytest.raises(ValueError, match=r"不是 int8 LeNet：缺少 conv1\.weight_int8"):
        int8_path.load_int8_lenet(float_file)
    wrong = dict(model.state_dict())
    wrong["fc1.weight_int8"] = wrong["fc1.weight_int8"].float()
    torch.save(wrong, tmp_path / "wrong.pt")
    with pytest.raises(ValueError, match=r"fc1\.weight_int8 是 torch\.float32"):
        int8_path.load_int8_lenet(tmp_path / "wrong.pt")
    with pytest.raises(ValueError, match=r"检查点 .*missing\.pt 不存在"):
        int8_path.load_int8_lenet(tmp_path / "missing.pt")
    static = int8_path.quantize_static(random_lenet(), {n: [0.0, 1.0] for n in ranges_names()})
    restored = int8_path.quantize_static(random_lenet(1), {n: [0.0, 2.0] for n in ranges_names()})
    restored.load_state_dict(static.state_dict())  # derived constants follow the loaded state
    with torch.inference_mode():
        assert torch.equal(restored(x), static(x))


def ranges_names() -> list[str]:
    return ["conv1", "conv2", "fc1", "fc2", "fc3"]


def test_int8_snippets() -> None:
    chapter = snippet("compression/int8_linear")
    assert torch.equal(chapter["summed"].long(), chapter["exact"])
    layer = chapter["layer"]
    ours = int8_path.Int8Linear(chapter["linear"])
    assert torch.equal(layer.weight_int8, ours.weight_int8)
    out = stored("compression/deprecations.out")
    lines = {line.split("：")[0]: line for line in out.splitlines() if "弃用" in line}
    assert [line.endswith("True") for line in lines.values()] == [True, True, False]


@pytest.mark.parametrize(
    ("call", "complaint"),
    [
        (lambda: quant.quantize_weights(LeNet(), 1), "bits 必须是 2 到 8 之间的整数"),
        (lambda: quant.quantize_weights(LeNet(), 9), "bits 必须是 2 到 8 之间的整数"),
        (lambda: quant.fake_quantize(torch.ones(3), 8.0), "bits 必须是 2 到 8 之间的整数"),
        (lambda: quant.quant_params(torch.ones(3), 8, axis=2), "axis 必须是"),
        (lambda: int8_path.Int8Conv2d(nn.Conv2d(4, 4, 3, groups=2)), "groups=1"),
        (lambda: int8_path.quantize_static(LeNet(), {"conv1": [0, 1]}), "缺少这些层的校准范围"),
        (lambda: int8_path.observe_inputs(LeNet(), []), "校准没有看到任何数据"),
    ],
)
def test_bad_arguments_name_themselves(call, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        call()
