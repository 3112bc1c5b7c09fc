"""Chapter 4 (卷积的变体): figures against torch, bad input, formulas, numbers in the prose."""

from __future__ import annotations

import functools
import itertools
import math
import re
from fractions import Fraction

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from figures import (
    checkerboard,
    deformable_sampling,
    depthwise_separable,
    dilated_conv,
    gridding,
    group_shuffle,
    transposed_conv,
)
from figures.common import load_snippet
from tests.paths import DOCS, FIGURES, REPO, SNIPPETS

PAGE = (DOCS / "conv-variants.md").read_text(encoding="utf-8")
FAST = settings(max_examples=25, deadline=None, derandomize=True)


@functools.cache
def snippet(name: str) -> dict:
    return load_snippet(f"variants/{name}.py")


def stored(name: str) -> str:
    return (SNIPPETS / "variants" / f"{name}.out").read_text(encoding="utf-8")


def macs(fn) -> int:
    with FlopCounterMode(display=False) as counter:
        fn()
    return counter.get_total_flops() // 2


# --- the figures draw what torch computes ------------------------------------------------------


def test_depthwise_gif_numbers_are_torchs() -> None:
    example = snippet("depthwise_pointwise")
    per_channel, mixed = example["per_channel"][0], example["mixed"][0]
    frames = depthwise_separable.frame_numbers()
    assert len(frames) == 3 * 4 + 2 * 4
    for frame in frames:
        i, j, c = *frame["position"], frame["channel"]
        expected = per_channel if frame["stage"] == "depthwise" else mixed
        assert frame["value"] == expected[c, i, j].item() == sum(frame["terms"])
    pointwise = [f for f in frames if f["stage"] == "pointwise"]
    for frame in pointwise:  # the caption's weights and inputs are the layer's
        i, j, o = *frame["position"], frame["channel"]
        assert frame["weights"] == example["pointwise_weights"][o]
        assert frame["inputs"] == per_channel[:, i, j].int().tolist()
    # the prose: first output channel, top-left: 1·(-1) + 1·7 + 0·3 = 6 (checked by hand)
    first = pointwise[0]
    assert (first["weights"], first["inputs"], first["value"]) == ([1, 1, 0], [-1, 7, 3], 6)
    assert "$1 \\cdot (-1) + 1 \\cdot 7 + 0 \\cdot 3 = 6$" in PAGE
    assert "前 12 帧是深度卷积" in PAGE and "后 8 帧是逐点卷积" in PAGE


def test_group_shuffle_gif_numbers_are_torchs() -> None:
    numbers = group_shuffle.frame_numbers()
    labels = torch.arange(12).view(1, 12, 1, 1)
    assert numbers["order"] == nn.ChannelShuffle(3)(labels).flatten().tolist()
    assert numbers["order"] == F.channel_shuffle(labels, 3).flatten().tolist()
    assert numbers["reshaped"] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
    assert numbers["transposed"] == [list(col) for col in zip(*numbers["reshaped"], strict=True)]
    without = np.array(numbers["depends_without_shuffle"])
    block = np.equal.outer(np.arange(12) // 4, np.arange(12) // 4)
    assert (without == block).all() and without.sum() == 48
    assert np.array(numbers["depends_with_shuffle"]).all()
    assert "144 对（输出通道，输入通道）中只有 48 对相连" in PAGE and "144 对全部相连" in PAGE


def test_dilated_gif_numbers_are_torchs() -> None:
    example = snippet("dilated_conv")
    frames = dilated_conv.frame_numbers()
    outputs = [[0] * 3 for _ in range(3)]
    for frame in frames:
        i, j = frame["position"]
        outputs[i][j] = frame["output"]
        assert sum(frame["products"]) == frame["output"]
        rows, cols = zip(*frame["sampled"], strict=True)
        assert set(rows) == {i, i + 2, i + 4} and set(cols) == {j, j + 2, j + 4}
    assert outputs == example["out"][0, 0].int().tolist()
    assert str(outputs) in stored("dilated_conv")


def test_gridding_figure_counts_are_the_snippets() -> None:
    panels = gridding.frame_numbers()
    assert [p["used"] for p in panels] == [49, 169]
    for panel in panels:
        dilations = panel["dilations"]
        line = f"dilations={dilations}: 感受野 13×13，用到其中 {panel['used']} / 169 个像素"
        assert line in stored("dilated_stack")
        # independent check: random positive weights give the same set of used pixels
        torch.manual_seed(0)
        x = torch.zeros(1, 1, 13, 13, requires_grad=True)
        y = x
        for d in dilations:
            y = F.conv2d(y, torch.rand(1, 1, 3, 3) + 0.1, dilation=d)
        (grad,) = torch.autograd.grad(y.sum(), x)
        assert ((grad[0, 0] > 0).numpy() == (np.array(panel["paths"]) > 0)).all()


def test_transposed_gif_numbers_are_torchs() -> None:
    example = snippet("transposed_as_conv")
    x, w = example["x"], example["w"]
    expected = F.conv_transpose2d(x.view(1, 1, 2, 2), w.view(1, 1, 3, 3), stride=2)[0, 0]
    frames = transposed_conv.frame_numbers()
    scatter = [f for f in frames if f["phase"] == "scatter"]
    running = torch.zeros(5, 5)
    for frame in scatter:  # each frame adds x[i, j]·w at (2i, 2j), as the loop in the snippet
        i, j = frame["input"]
        running[2 * i : 2 * i + 3, 2 * j : 2 * j + 3] += x[i, j] * w
        assert frame["partial"] == running.int().tolist()
    assert scatter[-1]["partial"] == expected.int().tolist()
    for frame in (f for f in frames if f["phase"] == "zero_insertion"):
        r, c = frame["position"]
        assert sum(frame["terms"]) == frame["value"] == expected[r, c].item()
    centre = next(f for f in frames if f.get("position") == (2, 2))
    assert centre["value"] == 6 and "值为 6" in PAGE


def test_checkerboard_figure_numbers_are_the_snippets() -> None:
    numbers = checkerboard.frame_numbers()
    ones = {method: torch.tensor(v["ones"]) for method, v in numbers.items()}
    assert set(ones["k3s2"].unique().tolist()) == {1.0, 2.0, 4.0}
    assert (ones["k4s2"][1:-1, 1:-1] == 4).all() and (ones["resize_conv"] == 9).all()
    learned = snippet("checkerboard")["learned"]
    for method, values in numbers.items():
        assert torch.allclose(torch.tensor(values["random"])[1:-1, 1:-1], learned[method])


def test_checkerboard_phases_sum_sub_kernels() -> None:
    """The prose: on a constant input, output phase (a, b) is the sum of one S×S sub-kernel."""
    generator = torch.Generator().manual_seed(1)
    weight = torch.randn(1, 1, 4, 4, generator=generator, dtype=torch.float64)
    out = F.conv_transpose2d(torch.ones(1, 1, 6, 6, dtype=torch.float64), weight, stride=2)[0, 0]
    for a in range(2):
        for b in range(2):
            interior = out[
                4 + a : 8 : 2, 4 + b : 8 : 2
            ]  # rows/cols ≡ a, b (mod 2), away from edges
            assert torch.allclose(interior, weight[0, 0, a::2, b::2].sum().expand_as(interior))


def test_deformable_figure_points_are_what_deform_conv2d_samples() -> None:
    points = deformable_sampling.frame_numbers()
    assert len(points) == 3
    for entry in points:
        row, col = entry["position"]
        assert entry["regular"] == [(row + du, col + dv) for du in (-1, 0, 1) for dv in (-1, 0, 1)]
        sampled, targets = np.array(entry["sampled"]), np.array(entry["targets"])
        assert np.allclose(sampled, targets, atol=1e-9)
        # every target lies on the ellipse's outline
        (cy, cx), (ry, rx) = deformable_sampling.CENTRE, deformable_sampling.RADII
        assert np.allclose(((targets[:, 0] - cy) / ry) ** 2 + ((targets[:, 1] - cx) / rx) ** 2, 1)


def test_page_shows_every_figure_in_both_themes() -> None:
    modules = [
        checkerboard,
        deformable_sampling,
        depthwise_separable,
        dilated_conv,
        gridding,
        group_shuffle,
        transposed_conv,
    ]
    for module in modules:
        for name in module.OUTPUTS:
            assert (FIGURES / "variants" / name).is_file()
            theme = "light" if "-light." in name else "dark"
            assert f"assets/figures/variants/{name}#only-{theme}" in PAGE, name


# --- bad input: a ValueError that names the argument --------------------------------------------


@pytest.mark.parametrize(
    ("call", "complaint"),
    [
        (lambda: snippet("separable_rank")["split_rank_one"](torch.ones(3)), "must be a 2-D"),
        (lambda: snippet("separable_rank")["split_rank_one"](torch.eye(3)), "kernel has rank 3"),
        (lambda: snippet("separable_rank")["split_rank_one"](torch.zeros(3, 3)), "rank 0"),
        (lambda: snippet("group_conv")["group_conv_parameters"](6, 8, 3, 4), "groups=4"),
        (lambda: snippet("group_conv")["group_conv_parameters"](8, 8, 3, 0), "groups=0"),
        (lambda: snippet("group_conv")["group_conv_parameters"](8, 8, 0, 2), "kernel_size"),
        (lambda: snippet("arithmetic_intensity")["conv_cost"](6, 6, 3, 8, groups=4), "groups=4"),
        (
            lambda: snippet("channel_shuffle")["channel_shuffle"](torch.zeros(1, 12, 2, 2), 5),
            "groups=5",
        ),
        (
            lambda: snippet("channel_shuffle")["channel_shuffle"](torch.zeros(1, 12, 2, 2), 0),
            "groups=0",
        ),
        (
            lambda: snippet("channel_shuffle")["channel_shuffle"](torch.zeros(12, 2, 2), 3),
            "x must have shape",
        ),
        (lambda: snippet("dilated_conv")["insert_zeros"](torch.ones(3, 3), 0), "dilation"),
        (lambda: snippet("dilated_stack")["receptive_field"]([1, -2]), "dilations"),
        (lambda: snippet("dilated_stack")["receptive_field"]([]), "dilations"),
        (lambda: snippet("dilated_stack")["receptive_field"]([1], 0), "kernel_size"),
        (lambda: snippet("dilated_stack")["touched_pixels"]([2, 0]), "dilations"),
        (lambda: snippet("checkerboard")["upsample"]("bicubic", torch.ones(1, 1, 3, 3)), "method"),
    ],
)
def test_helpers_reject_bad_input(call, complaint: str) -> None:
    with pytest.raises(ValueError, match=re.escape(complaint)):
        call()


@pytest.mark.parametrize(
    ("kwargs", "complaint"),
    [
        ({"size": 0, "kernel_size": 3}, "size"),
        ({"size": 4, "kernel_size": 0}, "kernel_size"),
        ({"size": 4, "kernel_size": 3, "stride": 0}, "stride"),
        ({"size": 4, "kernel_size": 3, "dilation": 0}, "dilation"),
        ({"size": 4, "kernel_size": 3, "padding": -1}, "padding"),
        ({"size": 4, "kernel_size": 3, "stride": 2, "output_padding": 2}, "output_padding"),
        ({"size": 4, "kernel_size": 3, "output_padding": -1}, "output_padding"),
        ({"size": 1, "kernel_size": 1, "padding": 1}, "padding=1 is too large"),
    ],
)
def test_transposed_output_size_rejects_bad_arguments(kwargs: dict, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        snippet("transposed_size")["transposed_output_size"](**kwargs)


def test_zero_insertion_rejects_bad_arguments() -> None:
    transposed = snippet("transposed_as_conv")["transposed_by_zero_insertion"]
    x, w = torch.zeros(1, 2, 3, 3), torch.zeros(2, 1, 3, 3)
    with pytest.raises(ValueError, match="stride"):
        transposed(x, w, stride=0)
    with pytest.raises(ValueError, match="output_padding"):
        transposed(x, w, stride=2, output_padding=2)
    with pytest.raises(ValueError, match="padding"):
        transposed(x, w, padding=-1)
    with pytest.raises(ValueError, match="weight"):
        transposed(x, torch.zeros(3, 1, 3, 3))


def test_deformable_wrapper_rejects_bad_shapes() -> None:
    deformable_conv = snippet("deformable")["deformable_conv"]
    x, w = torch.zeros(1, 4, 8, 8), torch.zeros(6, 4, 3, 3)
    with pytest.raises(ValueError, match=re.escape("offset must have shape")):
        deformable_conv(x, w, torch.zeros(1, 17, 8, 8), padding=1)
    with pytest.raises(ValueError, match=re.escape("offset must have shape")):
        deformable_conv(x, w, torch.zeros(1, 18, 6, 6), padding=1)  # H' W' of padding=0
    with pytest.raises(ValueError, match=re.escape("offset must have shape")):
        deformable_conv(x, w, torch.zeros(2, 18, 8, 8), padding=1)
    with pytest.raises(ValueError, match="offset_groups=3"):
        deformable_conv(x, w, torch.zeros(1, 54, 8, 8), padding=1)
    with pytest.raises(ValueError, match=re.escape("mask must have shape (1, 9, 8, 8)")):
        deformable_conv(x, w, torch.zeros(1, 18, 8, 8), torch.ones(1, 18, 8, 8), padding=1)


# --- formulas against torch, on many shapes (hypothesis) -----------------------------------------


@FAST
@given(st.integers(1, 64), st.integers(1, 64), st.sampled_from([1, 3, 5, 7]), st.integers(1, 12))
def test_separable_ratio_is_exactly_one_over_n_plus_one_over_k2(m, n, k, size) -> None:
    standard, separable = snippet("separable_cost")["standard_and_separable"](m, n, k, bias=False)
    count = snippet("separable_cost")["parameters"]
    x = torch.empty(1, m, size, size, device="meta")
    formula = Fraction(1, n) + Fraction(1, k * k)
    assert Fraction(count(separable), count(standard)) == formula
    assert Fraction(macs(lambda: separable(x)), macs(lambda: standard(x))) == formula


@FAST
@given(st.integers(1, 8), st.integers(1, 4), st.integers(1, 8), st.integers(1, 4))
def test_group_conv_parameter_formula(m_per_group, groups, n_per_group, k) -> None:
    m, n = m_per_group * groups, n_per_group * groups
    conv = nn.Conv2d(m, n, k, groups=groups, bias=False, device="meta")
    assert conv.weight.numel() == snippet("group_conv")["group_conv_parameters"](m, n, k, groups)
    assert conv.weight.numel() == Fraction(k * k * m * n, groups)


def test_table_weight_counts() -> None:
    """The overview table: weights without bias of each variant, counted by torch."""
    m, n, k = 12, 8, 3
    assert nn.Conv2d(m, n, k, dilation=2, bias=False).weight.numel() == k * k * m * n
    assert nn.ConvTranspose2d(m, n, k, stride=2, bias=False).weight.numel() == k * k * m * n
    assert nn.Conv2d(m, m, k, groups=m, bias=False).weight.numel() == k * k * m
    assert nn.Conv2d(m, n, 1, bias=False).weight.numel() == m * n
    assert nn.ConvTranspose2d(m, n, k).weight.shape == (m, n, k, k)  # (M, N, K, K), as the prose


@FAST
@given(
    st.lists(st.floats(-3, 3), min_size=3, max_size=3),
    st.lists(st.floats(-3, 3), min_size=3, max_size=3),
)
def test_rank_one_kernels_split_into_two_passes(column, row) -> None:
    kernel = torch.outer(torch.tensor(column), torch.tensor(row)).double()
    if torch.linalg.matrix_rank(kernel) != 1:
        return  # a zero vector gives the zero kernel, rank 0: rejected (see the bad-input test)
    c, r = snippet("separable_rank")["split_rank_one"](kernel)
    x = torch.randn(1, 1, 9, 9, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    once = F.conv2d(x, kernel.view(1, 1, 3, 3))
    twice = F.conv2d(F.conv2d(x, c.view(1, 1, 3, 1)), r.view(1, 1, 1, 3))
    assert torch.allclose(once, twice, atol=1e-9)


def test_valid_two_pass_costs_a_little_more_than_2k() -> None:
    """The prose: without padding the K×1 result keeps K-1 extra columns."""
    h = w = 32
    k = 5
    x = torch.zeros(1, 1, h, w)
    counted = macs(lambda: F.conv2d(F.conv2d(x, torch.zeros(1, 1, k, 1)), torch.zeros(1, 1, 1, k)))
    out = (h - k + 1) * (w - k + 1)
    assert counted == k * (h - k + 1) * w + k * out > 2 * k * out


def transposed_length(size, k, stride, padding, dilation, output_padding=0) -> int:
    """The prose's W_out = (W - 1)S - 2P + D(K - 1) + output_padding + 1, written once."""
    return (size - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1


def draw_output_padding(data, stride: int, dilation: int) -> int:
    """output_padding must be smaller than max(S, D)."""
    return data.draw(st.integers(0, max(stride, dilation) - 1))


@FAST
@given(
    st.integers(1, 6),
    st.integers(1, 4),
    st.integers(1, 3),
    st.integers(0, 3),
    st.integers(1, 3),
    st.data(),
)
def test_transposed_output_size_formula(size, k, stride, padding, dilation, data) -> None:
    output_padding = draw_output_padding(data, stride, dilation)
    formula = snippet("transposed_size")["transposed_output_size"]
    expected = transposed_length(size, k, stride, padding, dilation, output_padding)
    if expected < 1:
        with pytest.raises(ValueError, match="padding"):
            formula(size, k, stride, padding, dilation, output_padding)
        return
    params = dict(stride=stride, padding=padding, dilation=dilation, output_padding=output_padding)
    y = F.conv_transpose2d(torch.zeros(1, 1, size, size), torch.zeros(1, 1, k, k), **params)
    assert y.shape[-1] == expected == formula(size, k, **params)


@FAST
@given(
    st.integers(1, 3),
    st.integers(0, 4),
    st.integers(1, 2),
    st.integers(1, 4),
    st.integers(1, 3),
    st.integers(1, 3),
    st.data(),
)
def test_zero_insertion_equals_conv_transpose(stride, padding, dilation, k, c_in, c_out, data):
    output_padding = draw_output_padding(data, stride, dilation)
    generator = torch.Generator().manual_seed(data.draw(st.integers(0, 1000)))
    x = torch.randn(2, c_in, 4, 5, dtype=torch.float64, generator=generator)
    w = torch.randn(c_in, c_out, k, k, dtype=torch.float64, generator=generator)
    params = dict(stride=stride, padding=padding, dilation=dilation, output_padding=output_padding)
    sizes = [transposed_length(n, k, stride, padding, dilation, output_padding) for n in (4, 5)]
    if min(sizes) < 1:
        return  # empty output: nothing to compare (and PyTorch does not always raise)
    theirs = F.conv_transpose2d(x, w, **params)
    ours = snippet("transposed_as_conv")["transposed_by_zero_insertion"](x, w, **params)
    assert ours.shape == theirs.shape and torch.allclose(ours, theirs, atol=1e-10)


@FAST
@given(st.integers(1, 3), st.integers(0, 2), st.integers(1, 2), st.integers(1, 4), st.data())
def test_conv_transpose_is_the_adjoint_of_conv(stride, padding, dilation, k, data) -> None:
    size = data.draw(st.integers(dilation * (k - 1) + 1, 9))
    generator = torch.Generator().manual_seed(data.draw(st.integers(0, 1000)))
    x = torch.randn(1, 2, size, size, dtype=torch.float64, generator=generator)
    w = torch.randn(3, 2, k, k, dtype=torch.float64, generator=generator)
    conv = dict(stride=stride, padding=padding, dilation=dilation)
    cx = F.conv2d(x, w, **conv)
    y = torch.randn(cx.shape, dtype=torch.float64, generator=generator)
    short = transposed_length(cx.shape[-1], k, stride, padding, dilation)
    output_padding = size - short  # the extra row/column the strided conv dropped
    assert 0 <= output_padding < max(stride, dilation)
    back = F.conv_transpose2d(y, w, output_padding=output_padding, **conv)
    assert math.isclose((cx * y).sum().item(), (x * back).sum().item(), rel_tol=1e-9, abs_tol=1e-9)
    x.requires_grad_(True)
    (grad,) = torch.autograd.grad(F.conv2d(x, w, **conv), x, grad_outputs=y)
    assert torch.allclose(grad, back, atol=1e-10)


@FAST
@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 1000))
def test_channel_shuffle_matches_torch(groups, per_group, seed) -> None:
    x = torch.randn(2, groups * per_group, 3, 2, generator=torch.Generator().manual_seed(seed))
    ours = snippet("channel_shuffle")["channel_shuffle"](x, groups)
    assert torch.equal(ours, nn.ChannelShuffle(groups)(x))


@FAST
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.sampled_from([1, 3, 5]))
def test_receptive_field_of_a_dilated_stack(dilations, k) -> None:
    field = snippet("dilated_stack")["receptive_field"](dilations, k)
    assert field == 1 + sum(d * (k - 1) for d in dilations)
    paths = snippet("dilated_stack")["touched_pixels"](dilations, k)
    used = paths > 0
    assert paths.shape == (field, field)
    assert used[0].any() and used[-1].any() and used[:, 0].any() and used[:, -1].any()


# --- numbers quoted in the prose ------------------------------------------------------------------


# (snippet, text of its stored output, how the page quotes it); the numbers were read off the
# outputs once and each one checked by hand against the formula next to it in the prose.
QUOTED = [
    ("spatial_separable", "3×3 一次 9,216，分两次 6,144", "从 9,216 次降到 6,144 次"),
    ("spatial_separable", " 7  49  14  0.286", "$K = 7$ 时只剩 0.286"),
    ("separable_cost", "参数 2,359,296 → 266,752", "从 2,359,296 个参数降到 266,752 个"),
    ("separable_cost", "= 0.1206，公式给出 0.1189", "比值是 0.1206，而公式给出 0.1189"),
    ("arithmetic_intensity", "    2.2 FLOPs/字节  深度 3×3", "都约为 2.2 FLOPs/字节"),
    ("group_conv", "groups=1: 权重形状 (8, 8, 3, 3)，参数 576", "从 576 降到 72"),
    ("group_conv", "groups=8: 权重形状 (8, 1, 3, 3)，参数 72", "从 576 降到 72"),
    (
        "group_conv",
        "输出通道  5 依赖的输入通道: [2, 3]",
        "输出通道 5 属于第 1 组，只依赖输入通道 2、3",
    ),
    ("dilated_stack", "dilations=[1, 2, 4]: 感受野 15×15", "感受野就有 $15 \\times 15$"),
    (
        "dilated_stack",
        "dilations=[2, 2, 2]: 感受野 13×13，用到其中 49 / 169",
        "只有 49 / 169 个像素",
    ),
    (
        "dilated_stack",
        "dilations=[1, 5]: 感受野 13×13，用到其中 81 / 169",
        "只用到 81 / 169 个像素",
    ),
    ("dilated_stack", "[1, 2, 3]: 感受野 13×13，用到其中 169 / 169", "例如 1、2、3 或 1、2、5"),
    ("dilated_stack", "[1, 2, 5]: 感受野 17×17，用到其中 289 / 289", "例如 1、2、3 或 1、2、5"),
    ("transposed_adjoint", "卷积矩阵 (48, 98)", "$C$ 是 $48 \\times 98$ 的矩阵"),
    ("transposed_adjoint", "CᵀC 的秩 = 48 < 98", "$C^\\top C$ 的秩是 48"),
    ("transposed_size", "卷积 8 → 4", "把长度 7 和 8 都变成 4"),
    ("transposed_size", "卷积 7 → 4", "把长度 7 和 8 都变成 4"),
    ("checkerboard", "k4s2        随机权重，内部 6×6 中不同取值的个数: 4", "内部有 4 种不同的值"),
    ("spatial_separable", " 3   9   6  0.667", "从 $K^2 = 9$ 降到 $2K = 6$"),
    ("separable_rank", "Sobel 3×3：秩 1", "Sobel、均值和高斯卷积核都能分离"),
    ("separable_rank", "均值 3×3：秩 1", "Sobel、均值和高斯卷积核都能分离"),
    ("separable_rank", "高斯(二项式) 5×5：秩 1", "Sobel、均值和高斯卷积核都能分离"),
    ("separable_rank", "拉普拉斯 3×3：秩 2", "拉普拉斯卷积核的秩是 2"),
    ("separable_rank", "随机 3×3：秩 3", "随机的 $3 \\times 3$ 卷积核秩为 3"),
    ("depthwise_pointwise", "深度卷积的权重: (3, 1, 3, 3)", "3 个 $3 \\times 3$ 深度卷积核"),
    (
        "depthwise_pointwise",
        "逐点卷积的权重: (2, 3, 1, 1)",
        "一个 $2 \\times 3$ 的逐点卷积得到 2 个输出通道",
    ),
    ("group_conv", "groups=1: 权重形状 (8, 8, 3, 3)", "$8 \\to 8$ 的 $3 \\times 3$ 卷积"),
    ("group_conv", "groups=8 就是深度卷积: True", "时每组只有一个通道，就是深度卷积"),
    (
        "dilated_conv",
        "dilation=2: 等效尺寸 5×5，仍只有 9 个参数",
        "$d = 2$ 的 $3 \\times 3$ 卷积核等效于 $5 \\times 5$，输出是 $7 - 5 + 1 = 3$ 行 3 列",
    ),
    (
        "dilated_stack",
        "dilations=[2, 2, 2]: 感受野 13×13",
        "感受野 $13 \\times 13$ 里只有 49 / 169",
    ),
    (
        "transposed_as_conv",
        "S=2 P=5 D=1 output_padding=0 K=3",
        "最后一组参数 $P = 5 > D(K - 1) = 2$",
    ),
    ("transposed_adjoint", "卷积矩阵 (48, 98)", "$2 \\times 7 \\times 7 = 98$"),
    ("transposed_adjoint", "卷积矩阵 (48, 98)", "$3 \\times 4 \\times 4 = 48$"),
    ("checkerboard", "k3s2        第 3 行的覆盖次数: [2, 4, 2, 4,", "1、2、4 交错的格子"),
    (
        "checkerboard",
        "k4s2        第 3 行的覆盖次数: [2, 4, 4, 4, 4, 4, 4, 2]",
        "内部每个像素都被同样多份覆盖",
    ),
    ("deformable", "offset: (1, 18, 8, 8)", "`offset` 的形状是 $(N, 2 K^2 G, H', W')$"),
    ("deformable", "2 个偏移组: offset (1, 36, 8, 8)", "`offset` 的形状是 $(N, 2 K^2 G, H', W')$"),
    ("deformable", "mask (1, 18, 8, 8)", "`mask` 的形状是 $(N, K^2 G, H', W')$"),
]


@pytest.mark.parametrize(("name", "output_text", "page_text"), QUOTED)
def test_prose_quotes_the_stored_outputs(name: str, output_text: str, page_text: str) -> None:
    assert output_text in stored(name)
    assert page_text in PAGE


def test_prose_formulas_match_the_snippets() -> None:
    # 2K/K² at K = 7 (the prose quotes 0.286): 14/49 = 0.2857…
    assert f"{2 * 7 / 49:.3f}" == "0.286" and "$K = 7$ 时只剩 0.286" in PAGE
    # depthwise intensity ≈ 2·9 / (2·4) FLOPs per byte, for every shape of the snippet
    layers = snippet("arithmetic_intensity")["layers"]
    for channels, size in [(32, 112), (128, 56), (512, 14)]:
        flops, moved = layers(channels, size)["深度 3×3"]
        assert f"{flops / moved:.1f}" == "2.2"
    # effective kernel size d(K-1)+1 against torch's output shape
    for d in range(1, 5):
        out = F.conv2d(torch.zeros(1, 1, 12, 12), torch.zeros(1, 1, 3, 3), dilation=d)
        assert out.shape[-1] == 12 - (d * (3 - 1) + 1) + 1


def test_benchmark_table_is_included_outside_a_code_fence() -> None:
    include = '--8<-- "benchmarks/results/depthwise_latency.md"'
    assert f"\n{include}\n" in PAGE
    before = PAGE.split(include)[0]
    assert before.count("```") % 2 == 0  # not inside a fenced block
    table = (REPO / "benchmarks" / "results" / "depthwise_latency.md").read_text(encoding="utf-8")
    assert "批大小 1" in table and "1 个线程" in table and "中位数" in table


def test_prose_numbers_computed_from_the_snippets() -> None:
    """Numbers in the prose that follow from a snippet's tensors or from exact arithmetic."""
    # the Sobel matrix written out in LaTeX is the snippet's outer product: 9 numbers from 3 + 3
    example = snippet("spatial_separable")
    sobel = example["sobel"].int().tolist()
    rows = " \\\\ ".join(" & ".join(str(v) for v in row) for row in sobel)
    assert f"\\begin{{pmatrix}} {rows} \\end{{pmatrix}}" in PAGE and str(sobel) in stored(
        "spatial_separable"
    )
    assert example["sobel"].numel() == 9
    assert example["smooth"].numel() + example["difference"].numel() == 6
    assert "看起来是 9 个数，其实只由 6 个数决定" in PAGE
    assert tuple(example["image"].shape[-2:]) == (32, 32)
    assert "中间结果仍是 $32 \\times 32$" in PAGE
    # the worked depthwise example: 3 channels of 4×4 in, 2 channels out
    example = snippet("depthwise_pointwise")
    assert tuple(example["x"].shape) == (1, 3, 4, 4) and tuple(example["mixed"].shape[:2]) == (1, 2)
    assert "3 个通道的 $4 \\times 4$ 输入" in PAGE
    # arithmetic intensity: 9 MACs = 18 FLOPs against 2 float32 values = 8 bytes
    assert snippet("arithmetic_intensity")["BYTES_PER_FLOAT32"] == torch.float32.itemsize == 4
    assert 2 * 9 == 18 and 2 * 4 == 8 and "（18 FLOPs）" in PAGE and "（8 字节）" in PAGE
    assert "float32 每个数 4 字节" in PAGE
    layers = snippet("arithmetic_intensity")["layers"]
    for channels, size in [(32, 112), (128, 56), (512, 14)]:
        costs = layers(channels, size)
        ratio = (costs["标准 3×3"][0] / costs["标准 3×3"][1]) / (
            costs["深度 3×3"][0] / costs["深度 3×3"][1]
        )
        assert ratio > 10 and round(math.log10(ratio)) in (1, 2)  # 一到两个数量级
    assert "强度高出一到两个数量级" in PAGE and "只有约 2.2 FLOPs/字节" in PAGE
    # g = 2, 4, 8 halve the parameters each time; the weight shape is (N, M/g, K, K)
    out = stored("group_conv")
    counts = [int(c) for c in re.findall(r"参数 (\d+)", out)]
    assert counts == [576, 288, 144, 72] and all(a == 2 * b for a, b in itertools.pairwise(counts))
    for g in (1, 2, 4, 8):
        shape = tuple(nn.Conv2d(8, 8, 3, groups=g, bias=False).weight.shape)
        assert shape == (8, 8 // g, 3, 3) and f"groups={g}: 权重形状 {shape}" in out
    assert "$g$ 每翻一倍，参数量减半" in PAGE and "$(N, M/g, K, K)$" in PAGE
    # output channel 5 of the 8 → 12, groups=4 conv: 3 outputs and 2 inputs per group
    conv = snippet("group_conv")["conv"]
    assert (conv.in_channels, conv.out_channels, conv.groups) == (8, 12, 4)
    group = 5 // (12 // 4)
    assert group == 1 and [2 * group, 2 * group + 1] == [2, 3]
    # channel shuffle: every group of the next layer gets channels from all 3 groups
    sources = re.findall(r"来自原来的组 \[([\d, ]+)\]", stored("channel_shuffle"))
    assert len(sources) == 3 and all(set(s.split(", ")) == {"0", "1", "2"} for s in sources)
    assert "下一层的每一组都收到了上一层 3 个组的通道" in PAGE
    assert 12 * 12 == 144 and 144 // 3 == 48  # 12 channels, 3 groups: one pair in three connects
    # the dilated example: a 7×7 input, 3×3 output, 9 pixels read per output
    example = snippet("dilated_conv")
    assert tuple(example["image"].view(-1, 7).shape) == (7, 7) and example["image"].numel() == 49
    assert tuple(example["out"].shape[-2:]) == (3, 3) == (7 - (2 * (3 - 1) + 1) + 1,) * 2
    assert all(len(f["sampled"]) == 9 for f in dilated_conv.frame_numbers())
    assert "$7 \\times 7$ 的输入上" in PAGE and "实际读取的 9 个像素" in PAGE
    # the last zero-insertion config crops: P = 5 > D(K - 1) = 2
    s, p, d, op, k = 2, 5, 1, 0, 3
    assert f"S={s} P={p} D={d} output_padding={op} K={k}" in stored("transposed_as_conv")
    assert d * (k - 1) == 2 < p
    # the scatter example: 4 inputs, 5×5 output, all 4 inputs reach the centre (2, 2)
    example = snippet("transposed_as_conv")
    assert example["x"].numel() == 4 and tuple(example["by_torch"].shape) == (5, 5)
    reach = [
        (i, j) for i in range(2) for j in range(2) if 0 <= 2 - 2 * i < 3 and 0 <= 2 - 2 * j < 3
    ]
    assert len(reach) == 4 and "中心 $(2, 2)$ 处 4 个输入元素都有贡献" in PAGE
    assert "逐个累加 4 个输入元素" in PAGE and "同一个 $5 \\times 5$ 输出" in PAGE
    # the adjoint example: 2×7×7 in, 3×4×4 out
    example = snippet("transposed_adjoint")
    assert example["x"].numel() == 2 * 7 * 7 == 98
    assert example["y"].numel() == 3 * 4 * 4 == 48
    assert tuple(example["conv_matrix"].shape) == (48, 98)
    # deformable: offset has 2·K²·G channels and mask K²·G, for G = 1 and 2
    out = stored("deformable")
    assert f"offset: (1, {2 * 9 * 1}, 8, 8)" in out
    assert f"offset (1, {2 * 9 * 2}, 8, 8)  mask (1, {9 * 2}, 8, 8)" in out
    # the deformable figure: 3 output positions, 9 sampling points each
    points = deformable_sampling.frame_numbers()
    assert len(points) == 3 and all(len(e["sampled"]) == 9 for e in points)
    assert "三个输出位置上" in PAGE and "9 个采样点被移到" in PAGE
    # the benchmark note: 4 layers are timed in turn
    from benchmarks.depthwise_latency import build_layers

    assert len(build_layers(8)) == 4 and "把 4 个层轮流各调用一次" in PAGE


def test_with_bias_standard_gains_n_and_separable_m_plus_n() -> None:
    pairs = snippet("separable_cost")["standard_and_separable"]
    count = snippet("separable_cost")["parameters"]
    for m, n, k in [(128, 128, 3), (32, 64, 3), (96, 24, 5)]:
        plain = [count(module) for module in pairs(m, n, k, bias=False)]
        biased = [count(module) for module in pairs(m, n, k, bias=True)]
        assert biased[0] - plain[0] == n and biased[1] - plain[1] == m + n
    assert "17,792 / 147,584" in stored("separable_cost")  # 17,536 + 256 and 147,456 + 128
    assert "带偏置时标准卷积多 $N$ 个参数，深度可分离卷积多 $M + N$ 个" in PAGE
    # N in the hundreds: 1/N + 1/9 is within 1/N of 1/9 (512 → 512: 521/4608)
    assert Fraction(521, 4608) - Fraction(1, 9) == Fraction(1, 512)
    assert "比值 521/4608" in stored("separable_cost") and "比值接近 $1/9$" in PAGE


def test_rank_rho_kernel_costs_2k_rho_macs() -> None:
    """The prose: a rank-ρ kernel is a sum of ρ rank-1 kernels, 2Kρ MACs per output pixel."""
    k, size = 3, 10
    kernel = torch.randn(k, k, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    u, s, vh = torch.linalg.svd(kernel)
    rho = int(torch.linalg.matrix_rank(kernel))
    assert rho == 3  # a random 3×3 kernel, as the snippet's
    x = torch.randn(
        1, 1, size, size, dtype=torch.float64, generator=torch.Generator().manual_seed(1)
    )

    def pairs() -> torch.Tensor:
        total = torch.zeros(1, 1, size - k + 1, size - k + 1, dtype=torch.float64)
        for i in range(rho):
            c, r = u[:, i] * s[i].sqrt(), vh[i] * s[i].sqrt()
            total = total + F.conv2d(F.conv2d(x, c.view(1, 1, k, 1)), r.view(1, 1, 1, k))
        return total

    assert torch.allclose(pairs(), F.conv2d(x, kernel.view(1, 1, k, k)), atol=1e-10)
    padded = torch.zeros(1, 1, size, size)
    counted = macs(
        lambda: [
            F.conv2d(
                F.conv2d(padded, torch.zeros(1, 1, k, 1), padding=(1, 0)),
                torch.zeros(1, 1, 1, k),
                padding=(0, 1),
            )
            for _ in range(rho)
        ]
    )
    assert counted == 2 * k * rho * size * size > k * k * size * size  # 拆开反而更贵
    assert "代价是 $2K\\rho$ 次乘加" in PAGE and "拆开反而更贵" in PAGE


def test_depthwise_im2col_is_a_vector_times_a_matrix() -> None:
    """The prose: per channel, a 1×K² vector times a K²×H'W' matrix."""
    k, size, channels = 3, 6, 4
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(1, channels, size, size, generator=generator)
    w = torch.randn(channels, 1, k, k, generator=generator)
    y = F.conv2d(x, w, groups=channels)
    out = size - k + 1
    for c in range(channels):
        columns = F.unfold(x[:, c : c + 1], k)[0]
        assert columns.shape == (k * k, out * out)
        assert torch.allclose(w[c].view(1, k * k) @ columns, y[0, c].view(1, -1), atol=1e-5)
    assert "$1 \\times K^2$ 的向量乘 $K^2 \\times H'W'$ 的矩阵" in PAGE


def test_depthwise_with_n_a_multiple_of_m_gives_n_over_m_kernels_per_input() -> None:
    m, n, k = 3, 6, 3
    conv = nn.Conv2d(m, n, k, groups=m, bias=False)
    assert conv.weight.shape == (n, 1, k, k)
    x = torch.zeros(1, m, 5, 5, requires_grad=True)
    kernels = [0] * m
    for o in range(n):
        (grad,) = torch.autograd.grad(conv(x)[0, o].sum(), x)
        used = [c for c in range(m) if grad[0, c].abs().sum() > 0]
        assert len(used) == 1
        kernels[used[0]] += 1
    assert kernels == [n // m] * m and "每个输入通道配 $N/M$ 个卷积核" in PAGE


def test_gridding_offsets_are_sums_of_d_times_t() -> None:
    """The prose: the offsets an output sees are Σ d_i t_i, t_i ∈ {-1, 0, 1}."""
    touched = snippet("dilated_stack")["touched_pixels"]
    out = stored("dilated_stack")
    for dilations in ([1, 1, 1], [1, 2, 4], [2, 2, 2], [1, 2, 3], [1, 2, 5], [1, 5]):
        offsets = {0}
        for d in dilations:
            offsets = {o + d * t for o in offsets for t in (-1, 0, 1)}
        used = (touched(dilations) > 0).nonzero().tolist()
        centre = sum(dilations)
        assert {r - centre for r, _ in used} == offsets == {c - centre for _, c in used}
        assert f"dilations={dilations}: " in out and f"用到其中 {len(offsets) ** 2} /" in out
    gridded = touched([2, 2, 2]) > 0
    assert not gridded[1::2].any() and not gridded[:, 1::2].any()
    assert "每一层的采样点都落在偶数偏移上" in PAGE and "奇数行、奇数列从来读不到" in PAGE
    panels = gridding.frame_numbers()
    assert [(p["dilations"], p["used"]) for p in panels] == [([2, 2, 2], 49), ([1, 2, 3], 169)]
    assert "空洞率 2, 2, 2 只用到 49 个，1, 2, 3 用满 169 个" in PAGE


def test_checkerboard_phases_shift_with_padding() -> None:
    """The prose: output (i, j) meets kernel rows ≡ i + P, columns ≡ j + P (mod S)."""
    stride, k = 2, 4
    generator = torch.Generator().manual_seed(2)
    weight = torch.randn(1, 1, k, k, generator=generator, dtype=torch.float64)
    ones = torch.ones(1, 1, 8, 8, dtype=torch.float64)
    for padding in (0, 1, 2):
        out = F.conv_transpose2d(ones, weight, stride=stride, padding=padding)[0, 0]
        for i in range(4, 10):
            for j in range(4, 10):
                a, b = (i + padding) % stride, (j + padding) % stride
                assert torch.isclose(out[i, j], weight[0, 0, a::stride, b::stride].sum())
    assert len({(a, b) for a in range(stride) for b in range(stride)}) == stride**2 == 4
    assert "行号 $\\equiv i + P$、列号 $\\equiv j + P \\pmod{S}$" in PAGE


def test_bilinear_sampling_reads_four_pixels_and_zero_outside() -> None:
    """The prose: a fractional position mixes its 4 neighbours; outside the image counts as 0."""
    from torchvision.ops import deform_conv2d

    x = torch.randn(1, 1, 5, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    offset = torch.full((1, 2, 5, 5), 0.5, dtype=torch.float64)  # (Δy, Δx) = (0.5, 0.5)
    y = deform_conv2d(x, offset, torch.ones(1, 1, 1, 1, dtype=torch.float64))[0, 0]
    padded = F.pad(x, (0, 1, 0, 1))[0, 0]
    expected = (padded[:-1, :-1] + padded[1:, :-1] + padded[:-1, 1:] + padded[1:, 1:]) / 4
    assert torch.allclose(y, expected, atol=1e-12)
    assert "用周围 4 个像素双线性插值，落在图像外的像素按 0 计" in PAGE
    assert "每个采样值要读 4 个相邻像素" in PAGE


def test_prose_formulas_are_the_tested_ones() -> None:
    """Each formula the tests above check against torch appears on the page in this form."""
    formulas = [
        "\\frac{K^2 M + M N}{K^2 M N} = \\frac{1}{N} + \\frac{1}{K^2}",
        "\\frac{K^2 M N}{g}",
        "\\hat{K} = d\\,(K - 1) + 1",
        "R = 1 + \\sum_{i=1}^{L} d_i\\,(K - 1)",
        "W_\\text{out} = (W - 1)\\,S - 2P + D\\,(K - 1) + \\text{output\\_padding} + 1",
        "\\langle C x,\\ y \\rangle = \\langle x,\\ C^\\top y \\rangle",
        "$2K / K^2 = 2/K$",
        "\\sum_{u,v} c_u r_v\\, x[i+u, j+v] = \\sum_v r_v \\big(\\sum_u c_u\\, x[i+u, j+v]\\big)",
    ]
    for formula in formulas:
        assert formula in PAGE, formula


@pytest.mark.parametrize(("m", "n", "k", "size"), [(32, 64, 3, 112), (96, 24, 5, 28), (7, 5, 3, 9)])
def test_cost_table_rows_against_torch(m: int, n: int, k: int, size: int) -> None:
    """The table under 省下多少: weights and MACs of each layer, same H'×W' output."""
    x = torch.empty(1, m, size, size, device="meta")
    rows = {
        "标准卷积": (nn.Conv2d(m, n, k, padding=k // 2, bias=False, device="meta"), k * k * m * n),
        "深度卷积": (
            nn.Conv2d(m, m, k, padding=k // 2, groups=m, bias=False, device="meta"),
            k * k * m,
        ),
        "逐点卷积": (nn.Conv2d(m, n, 1, bias=False, device="meta"), m * n),
    }
    for name, (layer, weights) in rows.items():
        assert layer.weight.numel() == weights, name
        assert macs(lambda layer=layer: layer(x)) == weights * size * size, name
    assert "| 标准卷积 | $K^2 M N$ | $K^2 M N \\cdot H' W'$ |" in PAGE
    assert "| 深度卷积 | $K^2 M$ | $K^2 M \\cdot H' W'$ |" in PAGE
    assert "| 逐点卷积 | $M N$ | $M N \\cdot H' W'$ |" in PAGE
