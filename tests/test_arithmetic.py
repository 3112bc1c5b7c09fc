"""Chapter 2 (卷积的计算): the figures draw what torch computes, the calculators refuse what
torch refuses, and the loops, im2col and the cost counter agree with torch. Claims of the prose
are checked in tests/test_arithmetic_prose.py, the calculators' random properties in
tests/test_arithmetic_properties.py."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.flop_counter import FlopCounterMode

from figures import conv_stride_padding, output_size_diagram, pooling_window
from tests.helpers import snippet

CONV = snippet("arithmetic/conv_output_size")
POOL = snippet("arithmetic/pool_output_size")
LOOPS = snippet("arithmetic/conv_loops")
IM2COL = snippet("arithmetic/im2col")
PARAMETERS = snippet("arithmetic/parameter_count")
COUNTER = snippet("arithmetic/cost_counter")


# --- figures: the numbers drawn are torch's ---------------------------------------------------


def test_conv_gif_draws_what_torch_computes() -> None:
    image, kernel = conv_stride_padding.example_tensors()
    expected = F.conv2d(image, kernel, stride=2, padding=1)[0, 0]
    padded = F.pad(image, (1, 1, 1, 1))[0, 0]
    frames = conv_stride_padding.frame_numbers()
    assert [f["position"] for f in frames] == [(i, j) for i in range(3) for j in range(3)]
    for frame in frames:
        i, j = frame["position"]
        top, left = frame["corner"]
        assert (top, left) == (2 * i, 2 * j)  # the window jumps by the stride
        assert frame["window"] == padded[top : top + 3, left : left + 3].int().tolist()
        assert sum(frame["products"]) == frame["output"] == expected[i, j].item()
    assert [[f["output"] for f in frames[3 * i : 3 * i + 3]] for i in range(3)] == LOOPS[
        "by_loops"
    ].astype(int).tolist()


def test_conv_gif_first_window_claim() -> None:
    """Page: the top-left window has 5 cells in the padding and 4 real pixels."""
    first = conv_stride_padding.frame_numbers()[0]
    real = F.pad(torch.ones(5, 5), (1, 1, 1, 1))  # 1 on real pixels, 0 on the padding ring
    top, left = first["corner"]
    real_in_window = int(real[top : top + 3, left : left + 3].sum())
    assert real_in_window == 4 and len(first["products"]) - real_in_window == 5


def test_pooling_gif_draws_what_torch_computes() -> None:
    image = pooling_window.example_input()
    max_out = F.max_pool2d(image, 2, 2, ceil_mode=True)[0, 0]
    avg_out = F.avg_pool2d(image, 2, 2, ceil_mode=True)[0, 0]
    frames = pooling_window.frame_numbers()
    assert [f["position"] for f in frames] == [(i, j) for i in range(3) for j in range(3)]
    for frame in frames:
        i, j = frame["position"]
        values = [v for row in frame["covered"] for v in row]
        assert frame["max"] == max(values) == max_out[i, j].item()
        assert frame["average"] == pytest.approx(sum(values) / len(values))
        assert frame["average"] == pytest.approx(avg_out[i, j].item())
    covered = [sum(len(row) for row in f["covered"]) for f in frames]
    assert covered == [4, 4, 2, 4, 4, 2, 2, 2, 1]


def test_output_size_diagram_matches_torch_and_the_formula() -> None:
    for config in output_size_diagram.CONFIGS:
        numbers = output_size_diagram.strip_numbers(config)
        w, k, s, p, d = config.width, config.kernel, config.stride, config.padding, config.dilation
        assert numbers["output_size"] == CONV["conv_output_size"](w, k, s, p, d)
        assert len(numbers["taps"]) == numbers["output_size"]
        for index, (window, read) in enumerate(zip(numbers["taps"], numbers["read"], strict=True)):
            assert window == [index * s + tap * d for tap in range(k)]
            # torch's own zero padding agrees with the positions: padding cells read -1 (zero)
            assert read == [t - p if p <= t < p + w else -1 for t in window]
    assert output_size_diagram.formula(output_size_diagram.CONFIGS[0], 3).endswith(
        "⌊8 / 3⌋ + 1 = 3"
    )


# --- calculators: bad input is refused with the argument's name --------------------------------


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        ({"input_size": 0, "kernel_size": 1}, "input_size"),
        ({"input_size": -3, "kernel_size": 1}, "input_size"),
        ({"input_size": 5, "kernel_size": 0}, "kernel_size"),
        ({"input_size": 5, "kernel_size": 3, "stride": 0}, "stride"),
        ({"input_size": 5, "kernel_size": 3, "stride": 1.5}, "stride"),
        ({"input_size": 5, "kernel_size": 3, "padding": -1}, "padding"),
        ({"input_size": 5, "kernel_size": 3, "dilation": 0}, "dilation"),
        ({"input_size": 5, "kernel_size": 6}, "kernel_size"),
        ({"input_size": 5, "kernel_size": 3, "dilation": 3}, "kernel_size"),
        ({"input_size": 5.0, "kernel_size": 3}, "input_size"),
        ({"input_size": 5, "kernel_size": True}, "kernel_size"),
        ({"input_size": "5", "kernel_size": 3}, "input_size"),
    ],
)
def test_conv_output_size_rejects_impossible_input(arguments: dict, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        CONV["conv_output_size"](**arguments)


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        ({"input_shape": (3, 8, 8), "out_channels": 4, "kernel_size": 3, "groups": 2}, "groups"),
        ({"input_shape": (4, 8, 8), "out_channels": 6, "kernel_size": 3, "groups": 4}, "groups"),
        ({"input_shape": (4, 8, 8), "out_channels": 4, "kernel_size": 3, "groups": 0}, "groups"),
        ({"input_shape": (0, 8, 8), "out_channels": 4, "kernel_size": 3}, "in_channels"),
        ({"input_shape": (3, 8, 8), "out_channels": 0, "kernel_size": 3}, "out_channels"),
        ({"input_shape": (3, 8, 8), "out_channels": 4, "kernel_size": (3, 3, 3)}, "kernel_size"),
        ({"input_shape": (3, 8, 0), "out_channels": 4, "kernel_size": 3}, "input_size"),
        ({"input_shape": (3, 8, 8), "out_channels": 4, "kernel_size": (3, 9)}, "kernel_size"),
        (
            {"input_shape": (3, 8, 8), "out_channels": 4, "kernel_size": 3, "stride": (1, 0)},
            "stride",
        ),
    ],
)
def test_conv2d_output_shape_rejects_impossible_input(arguments: dict, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        CONV["conv2d_output_shape"](**arguments)


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        ({"input_size": 0, "kernel_size": 2}, "input_size"),
        ({"input_size": 8, "kernel_size": 0}, "kernel_size"),
        ({"input_size": 8, "kernel_size": 2, "stride": 0}, "stride"),
        ({"input_size": 8, "kernel_size": 2, "padding": -1}, "padding"),
        ({"input_size": 8, "kernel_size": 3, "padding": 2}, "padding"),  # more than half of 3
        ({"input_size": 8, "kernel_size": 2, "dilation": 0}, "dilation"),
        ({"input_size": 2, "kernel_size": 3}, "input_size"),  # no window fits
        ({"input_size": 8, "kernel_size": 2.0}, "kernel_size"),
    ],
)
def test_pool_output_size_rejects_impossible_input(arguments: dict, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        POOL["pool_output_size"](**arguments)


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        ((3, 10, 5, 5, 2), "groups"),
        ((0, 10, 5, 5), "c_in"),
        ((3, 10, 0, 5), "k_h"),
        ((3, 10, 5, 5.0), "k_w"),
        ((4, 8, 3, 3, 0), "groups"),
    ],
)
def test_conv_parameters_rejects_impossible_input(arguments: tuple, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        PARAMETERS["conv_parameters"](*arguments)


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({"stride": (0, 1)}, "stride"),
        ({"padding": (-1, 0)}, "padding"),
        ({"dilation": (1, 0)}, "dilation"),
        ({"stride": (1,)}, "stride"),
        ({"dilation": (4, 1)}, "kernel"),  # 3x3 kernel with dilation 4 spans 9 > 6 rows
    ],
)
def test_loops_and_im2col_reject_impossible_geometry(settings: dict, complaint: str) -> None:
    x = np.zeros((2, 6, 6), dtype=np.float32)
    weight, bias = np.zeros((3, 2, 3, 3), dtype=np.float32), np.zeros(3, dtype=np.float32)
    with pytest.raises(ValueError, match=complaint if complaint != "kernel" else "weight"):
        LOOPS["conv2d_loops"](x, weight, bias, **settings)
    with pytest.raises(ValueError, match=complaint):
        IM2COL["conv2d_im2col"](x, weight, bias, **settings)


def test_parameter_formula_matches_modules() -> None:
    formula = PARAMETERS["conv_parameters"]
    for c_in, c_out, k_h, k_w, groups, bias in [
        (6, 12, 3, 5, 3, True),
        (8, 8, 1, 1, 8, False),
        (16, 4, 7, 2, 4, True),
    ]:
        layer = nn.Conv2d(c_in, c_out, (k_h, k_w), groups=groups, bias=bias)
        assert formula(c_in, c_out, k_h, k_w, groups, bias) == sum(
            p.numel() for p in layer.parameters()
        )


# --- implementations agree with torch on more configurations -----------------------------------


def random_geometries(count: int) -> list[dict]:
    rng = np.random.default_rng(1)
    configs = []
    while len(configs) < count:
        kernel = tuple(int(k) for k in rng.integers(1, 5, 2))
        stride = tuple(int(s) for s in rng.integers(1, 4, 2))
        padding = tuple(int(p) for p in rng.integers(0, 3, 2))
        dilation = tuple(int(d) for d in rng.integers(1, 3, 2))
        size = tuple(int(n) for n in rng.integers(3, 10, 2))
        spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
        if all(span <= n + 2 * p for span, n, p in zip(spans, size, padding, strict=True)):
            configs.append(
                {
                    "kernel": kernel,
                    "stride": stride,
                    "padding": padding,
                    "dilation": dilation,
                    "size": size,
                }
            )
    return configs


@pytest.mark.parametrize("geometry", random_geometries(12))
def test_loops_and_im2col_equal_torch(geometry: dict) -> None:
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, *geometry["size"])).astype(np.float32)
    weight = rng.standard_normal((2, 3, *geometry["kernel"])).astype(np.float32)
    bias = rng.standard_normal(2).astype(np.float32)
    settings = {key: geometry[key] for key in ("stride", "padding", "dilation")}
    x_t = torch.from_numpy(x)[None]
    reference = F.conv2d(x_t, torch.from_numpy(weight), torch.from_numpy(bias), **settings)[0]
    assert np.allclose(LOOPS["conv2d_loops"](x, weight, bias, **settings), reference, atol=1e-4)
    assert np.allclose(IM2COL["conv2d_im2col"](x, weight, bias, **settings), reference, atol=1e-4)
    columns = IM2COL["im2col"](x, geometry["kernel"], **settings)
    assert np.array_equal(columns, F.unfold(x_t, geometry["kernel"], **settings)[0].numpy())


# --- the cost counter against torch on several layers -------------------------------------------


@pytest.mark.parametrize(
    ("layer", "shape"),
    [
        (nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2)), (2, 4, 9, 8)),
        (nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False), (1, 8, 7, 7)),
        (nn.Conv2d(6, 9, 1, groups=3), (3, 6, 5, 4)),
        (nn.Linear(20, 7), (5, 20)),
        (nn.Linear(12, 3, bias=False), (2, 4, 12)),
        (nn.BatchNorm2d(5), (2, 5, 3, 3)),
    ],
    ids=["conv-rect-dilated", "depthwise", "grouped-1x1", "linear", "linear-3d", "batchnorm"],
)
def test_cost_counter_matches_torch(layer: nn.Module, shape: tuple[int, ...]) -> None:
    x = torch.randn(*shape)
    (cost,) = COUNTER["count_costs"](nn.Sequential(layer), x)
    assert cost.parameters == sum(p.numel() for p in layer.parameters())
    with FlopCounterMode(display=False) as counter:
        output = layer.eval()(x)
    torch_flops = counter.get_total_flops()
    assert cost.flops == (torch_flops if not isinstance(layer, nn.BatchNorm2d) else 2 * x.numel())
    weights = sum(p.numel() for p in layer.parameters()) + sum(
        b.numel() for b in layer.buffers() if b.is_floating_point()
    )
    assert cost.memory_elements == x.numel() + output.numel() + weights
    assert cost.memory_bytes == 4 * cost.memory_elements


def test_cost_counter_restores_training_mode_and_hooks() -> None:
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)).train()
    COUNTER["count_costs"](model, torch.randn(2, 1, 5, 5))
    assert model.training
    assert all(not m._forward_hooks for m in model.modules())
