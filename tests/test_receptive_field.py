"""Chapter 3 (感受野与网络设计): the receptive-field calculator against autograd and torch.

The heart is a hypothesis property test: for random stacks of convolutions, average pools and
max pools (random kernel, stride, padding, dilation and input size), the input pixels with a
non-zero gradient for one output pixel are exactly the pixels the calculator says. The figure
and the prose are checked in tests/test_receptive_field_prose.py.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn import functional as F

from tests.helpers import load_snippet, one_thread, snippet, stored
from tests.receptive import (
    FORMULA_EXAMPLES,
    PROPERTY_EXAMPLES,
    Layer,
    box,
    clipped_interval,
    field_closed_form,
    field_top_down,
    layer_lists,
    level_sizes,
    no_gaps,
    reached,
    receptive_fields,
    stacks,
)


@pytest.fixture(autouse=True)
def single_thread():
    """Tiny convolutions: one thread is many times faster than two on a busy 2-core machine."""
    with one_thread():
        yield


# ---------------------------------------------------------------- what torch measures


def torch_net(stack: list[tuple[str, Layer]], real_max_pool: bool) -> nn.Sequential:
    """Positive weights everywhere. A max pool is either kept, or replaced by a depthwise
    convolution with the same geometry and positive weights (so its gradient is not sparse)."""
    generator = torch.Generator().manual_seed(0)
    modules = []
    for kind, (kernel, stride, padding, dilation) in stack:
        if kind == "avg":
            modules.append(nn.AvgPool2d(kernel, stride, padding))
        elif kind == "max" and real_max_pool:
            modules.append(nn.MaxPool2d(kernel, stride, padding, dilation))
        else:
            conv = nn.Conv2d(1, 1, kernel, stride, padding, dilation, bias=False)
            with torch.no_grad():
                conv.weight.copy_(0.5 + torch.rand(conv.weight.shape, generator=generator))
            modules.append(conv)
    return nn.Sequential(*modules).double()


def gradient_masks(
    net: nn.Module, height: int, width: int, pixels: list[tuple[int, int]]
) -> torch.Tensor:
    """(len(pixels), H, W): where the gradient of each output pixel is non-zero (one backward)."""
    generator = torch.Generator().manual_seed(1)
    shape = (len(pixels), 1, height, width)
    image = (0.5 + torch.rand(shape, generator=generator, dtype=torch.float64)).requires_grad_()
    out = net(image)
    sum(out[n, 0, i, j] for n, (i, j) in enumerate(pixels)).backward()
    return image.grad[:, 0] != 0


# ---------------------------------------------------------------- the property test


def test_gradient_support_equals_the_computed_field() -> None:
    seen: set[str] = set()
    kinds: Counter[str] = Counter()

    @settings(max_examples=PROPERTY_EXAMPLES, derandomize=True, deadline=None)
    @given(stacks())
    def check(example: tuple[list[tuple[str, Layer]], int, int]) -> None:
        stack, height, width = example
        layers = [layer for _, layer in stack]
        rows, cols = receptive_fields(layers, height), receptive_fields(layers, width)
        out_h, out_w = rows[-1].output_size, cols[-1].output_size
        net = torch_net(stack, real_max_pool=False)
        assert net(torch.zeros(1, 1, height, width, dtype=torch.float64)).shape[2:] == (
            out_h,
            out_w,
        )
        field = rows[-1]  # size, jump and start do not depend on the input size
        pixels = {(0, 0), (out_h - 1, out_w - 1), (out_h // 2, out_w // 2)}
        first_inside = -(field.start // field.jump)  # the first i with start + i·J >= 0
        fits = rows[-1].interval(first_inside)[1] < height
        fits = fits and cols[-1].interval(first_inside)[1] < width
        interior = [(first_inside, first_inside)] if fits else []
        assert not fits or first_inside < min(out_h, out_w)  # a field inside is a real pixel
        pixels = sorted(pixels | set(interior))
        masks = gradient_masks(net, height, width, pixels).numpy()
        plain = all(d == 1 and k >= s for k, s, _, d in layers)
        row_sizes, col_sizes = level_sizes(layers, height), level_sizes(layers, width)
        for (i, j), mask in zip(pixels, masks, strict=True):
            # 1. autograd reaches exactly the pixels that the taps reach
            exact = np.outer(reached(layers, row_sizes, i), reached(layers, col_sizes, j))
            assert np.array_equal(mask, exact), (stack, height, width, (i, j))
            # 2. always inside the calculator's field, clipped to what the stack reads
            rows_read, cols_read = (
                clipped_interval(layers, i, height),
                clipped_interval(layers, j, width),
            )
            if rows_read is None or cols_read is None:
                assert not mask.any()  # this output pixel reads only padding
                continue
            clipped = box(*rows_read, *cols_read, mask.shape)
            assert not (mask & ~clipped).any()
            # 3. a stack without dilation and with k ≥ s fills the clipped field exactly
            if plain:
                assert np.array_equal(mask, clipped)
        for i, j in interior:
            # 4. a field inside the image: its bounding box is the computed field, exactly
            (r0, r1), (c0, c1) = rows[-1].interval(i), cols[-1].interval(j)
            mask = masks[pixels.index((i, j))]
            hit_rows, hit_cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
            assert (hit_rows[0], hit_rows[-1], hit_cols[0], hit_cols[-1]) == (r0, r1, c0, c1)
            assert mask.sum() <= field.size**2
            if no_gaps(layers):
                assert mask.sum() == field.size**2  # and it is filled
        # 5. real max pools: the gradient of one input is sparse, but stays inside the field
        if any(kind == "max" for kind, _ in stack):
            with_max = torch_net(stack, real_max_pool=True)
            sparse = gradient_masks(with_max, height, width, pixels).numpy()
            out = with_max(torch.ones(1, 1, height, width, dtype=torch.float64))[0, 0]
            # a window that lies wholly in a max pool's padding gives -inf: skip those pixels
            finite = np.array([bool(torch.isfinite(out[i, j])) for i, j in pixels])
            assert np.array_equal(sparse.any(axis=(1, 2))[finite], masks.any(axis=(1, 2))[finite])
            assert not (sparse & ~masks).any()

        seen.add(repr(example))
        kinds["max pool"] += any(kind == "max" for kind, _ in stack)
        kinds["avg pool"] += any(kind == "avg" for kind, _ in stack)
        kinds["dilation"] += any(d > 1 for _, _, _, d in layers)
        kinds["stride"] += any(s > 1 for _, s, _, _ in layers)
        kinds["clipped"] += field.start < 0
        kinds["interior"] += bool(interior)
        kinds["gaps"] += not no_gaps(layers)
        kinds["padding only"] += not masks.any(axis=(1, 2)).all()

    check()
    assert len(seen) >= 200, len(seen)  # distinct random stacks
    for kind in ["max pool", "avg pool", "dilation", "stride", "clipped", "interior", "gaps"]:
        assert kinds[kind] >= 30, kinds  # every situation is covered many times
    assert kinds["padding only"] >= 5, kinds


@settings(max_examples=FORMULA_EXAMPLES, derandomize=True, deadline=None)
@given(layer_lists())
def test_recurrence_top_down_and_closed_form_agree(layers: list[Layer]) -> None:
    fields = receptive_fields(layers)
    assert field_top_down(layers) == (fields[-1].size, fields[-1].start)
    for depth in range(1, len(layers) + 1):
        field = fields[depth - 1]
        assert field_closed_form(layers[:depth]) == (field.size, field.jump, field.start)
        # the page's closed form of the centre: c = Σ ((k̂_l - 1)/2 - p_l)·Π_{i<l} s_i
        centre, jump = 0.0, 1
        for kernel, stride, padding, dilation in layers[:depth]:
            centre += (dilation * (kernel - 1) / 2 - padding) * jump
            jump *= stride
        assert centre == field.centre


@settings(max_examples=200, derandomize=True, deadline=None)
@given(layer_lists(), st.integers(1, 80))
def test_output_sizes_are_torchs(layers: list[Layer], input_size: int) -> None:
    image = torch.zeros(1, 1, input_size, input_size)
    try:
        fields = receptive_fields(layers, input_size)
    except ValueError as error:
        assert "跨越" in str(error)  # only the kernel-larger-than-input case can fail here
        with pytest.raises(RuntimeError):
            for kernel, stride, padding, dilation in layers:
                weight = torch.ones(1, 1, kernel, kernel)
                image = F.conv2d(image, weight, None, stride, padding, dilation)
        return
    for (kernel, stride, padding, dilation), field in zip(layers, fields, strict=True):
        weight = torch.ones(1, 1, kernel, kernel)
        image = F.conv2d(image, weight, None, stride, padding, dilation)
        assert image.shape[-1] == field.output_size


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("layers", "input_size", "argument"),
    [
        ([], None, "layers"),
        ((), 32, "layers"),
        ("3311", None, "layers"),
        ([(3, 1, 1)], None, "layers"),
        ([(0, 1, 0, 1)], None, "kernel"),
        ([(-3, 1, 0, 1)], None, "kernel"),
        ([(3, 0, 0, 1)], None, "stride"),
        ([(3, 1, 0, 0)], None, "dilation"),
        ([(3, 1, -1, 1)], None, "padding"),
        ([(3.0, 1, 0, 1)], None, "kernel"),
        ([(3, 1, 0, 1), (3, "2", 0, 1)], None, "stride"),
        ([(3, 1, 0, True)], None, "dilation"),
        ([(3, 1, 0.5, 1)], None, "padding"),
        ([(3, 1, 1, 1)], 0, "input_size"),
        ([(3, 1, 1, 1)], 2.5, "input_size"),
        ([(7, 1, 0, 1)], 4, "kernel"),
        ([(3, 2, 0, 1), (5, 1, 0, 1)], 8, "kernel"),
        ([(3, 1, 0, 3)], 6, "kernel"),  # dilation 3 makes the 3×3 kernel span 7 pixels
    ],
)
def test_calculator_rejects_impossible_input(layers, input_size, argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        receptive_fields(layers, input_size)


def test_kernel_larger_than_padded_input_is_impossible_in_torch_too() -> None:
    with pytest.raises(RuntimeError):
        F.conv2d(torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 7, 7))
    assert F.conv2d(torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 7, 7), padding=2).shape[-1] == 2
    assert receptive_fields([(7, 1, 2, 1)], 4)[-1].output_size == 2


def test_clipped_interval_rejects_a_bad_index() -> None:
    for index in [4, -1, 1.0]:
        with pytest.raises(ValueError, match="index"):
            clipped_interval([(3, 2, 1, 1)], index, 8)
    with pytest.raises(ValueError, match="input_size"):
        clipped_interval([(3, 2, 1, 1)], 0, 0)


def test_clipped_interval_by_hand() -> None:
    # 8 pixels, 3×3 stride 2 without padding: outputs read 0..2, 2..4, 4..6, pixel 7 is never read
    layers = [(3, 2, 0, 1), (3, 1, 1, 1)]
    assert receptive_fields(layers, 8)[-1].interval(2) == (2, 8)
    assert clipped_interval(layers, 2, 8) == (2, 6)  # its layer-1 inputs 1, 2 read 2..6
    # a 1×1 convolution with padding 1 after a 2×2 one: output 0 reads only padding
    assert clipped_interval([(2, 1, 0, 1), (1, 1, 1, 1)], 0, 2) is None
    assert clipped_interval([(2, 1, 0, 1), (1, 1, 1, 1)], 1, 2) == (0, 1)


# ---------------------------------------------------------------- the snippets' own copies


@settings(max_examples=150, derandomize=True, deadline=None)
@given(layer_lists(), st.integers(64, 256))
def test_snippet_copies_of_the_formula_agree_with_the_calculator(layers, input_size) -> None:
    copies = COPIES()
    try:
        fields = receptive_fields(layers, input_size)
    except ValueError:
        fields = None
    last = receptive_fields(layers)[-1]
    assert copies["gradient_check"](layers) == (last.size, last.jump, last.start)
    if fields is not None:
        expected = (last.size, last.jump, last.start, fields[-1].output_size)
        assert copies["real_networks"](layers, input_size) == expected


def _copies() -> dict:
    cache: dict = {}

    def get() -> dict:
        if not cache:
            cache["gradient_check"] = load_snippet("receptive_field/gradient_check.py")["field"]
            cache["real_networks"] = load_snippet("receptive_field/real_networks.py")["field"]
        return cache

    return get


COPIES = _copies()


def test_real_network_table_is_the_calculators() -> None:
    example = snippet("receptive_field/real_networks")
    assert len(example["rows"]) == 12
    for name, (layers, input_size) in example["rows"].items():
        last = receptive_fields(layers, input_size)[-1]
        assert example["table"][name] == (last.size, last.jump, last.start, last.output_size)
    # by hand: VGG-16 to pool3 = 1 + 2 + 2 + 1 + 2·(2 + 2) + 2 + 4·(2 + 2 + 2) + 4 = 44
    assert example["table"]["VGG-16 pool3"][0] == 44
    # the gradient snippet measured the same two values that the table lists
    lines = re.findall(
        r"^(.+?): 计算 R = (\d+), 实测 .*?\(边长 (\d+)\)",
        stored("receptive_field/real_network_gradient.out"),
        re.M,
    )
    measured = {name: int(side) for name, computed, side in lines if int(computed) == int(side)}
    assert measured == {"VGG-16 pool3": 44, "ResNet-18 layer1": 43}
    for name, side in measured.items():
        assert example["table"][name][0] == side


def test_resnet18_ends_at_ceil_n_over_32() -> None:
    rows = snippet("receptive_field/real_networks")["rows"]
    layers = rows["ResNet-18 layer4"][0]
    ends = {n: receptive_fields(layers, n)[-1].output_size for n in range(100, 400)}
    assert all(size == -(-n // 32) for n, size in ends.items())
    sevens = [n for n, size in ends.items() if size == 7]
    assert sevens == list(range(sevens[0], sevens[-1] + 1))
    line = f"layer4 是 7×7 的输入边长：{sevens[0]} 到 {sevens[-1]}"
    assert line in stored("receptive_field/resolution.out")
