"""Chapter 4 (卷积的变体): helpers reject bad input and agree with torch on many shapes."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from tests.variants_common import FAST, macs, variant

# --- bad input: a ValueError that names the argument --------------------------------------------


@pytest.mark.parametrize(
    ("call", "complaint"),
    [
        (
            lambda: variant("separable_rank")["split_rank_one"](torch.ones(3)),
            "kernel 必须是二维矩阵",
        ),
        (lambda: variant("separable_rank")["split_rank_one"](torch.eye(3)), "kernel 的秩为 3"),
        (lambda: variant("separable_rank")["split_rank_one"](torch.zeros(3, 3)), "秩为 0"),
        (lambda: variant("group_conv")["group_conv_parameters"](6, 8, 3, 4), "groups=4"),
        (lambda: variant("group_conv")["group_conv_parameters"](8, 8, 3, 0), "groups=0"),
        (lambda: variant("group_conv")["group_conv_parameters"](8, 8, 0, 2), "kernel_size"),
        (lambda: variant("arithmetic_intensity")["conv_cost"](6, 6, 3, 8, groups=4), "groups=4"),
        (
            lambda: variant("channel_shuffle")["channel_shuffle"](torch.zeros(1, 12, 2, 2), 5),
            "groups=5",
        ),
        (
            lambda: variant("channel_shuffle")["channel_shuffle"](torch.zeros(1, 12, 2, 2), 0),
            "groups=0",
        ),
        (
            lambda: variant("channel_shuffle")["channel_shuffle"](torch.zeros(12, 2, 2), 3),
            "x 的形状必须是 (B, C, H, W)",
        ),
        (lambda: variant("dilated_conv")["insert_zeros"](torch.ones(3, 3), 0), "dilation"),
        (lambda: variant("dilated_stack")["receptive_field"]([1, -2]), "dilations"),
        (lambda: variant("dilated_stack")["receptive_field"]([]), "dilations"),
        (lambda: variant("dilated_stack")["receptive_field"]([1], 0), "kernel_size"),
        (lambda: variant("dilated_stack")["touched_pixels"]([2, 0]), "dilations"),
        (lambda: variant("checkerboard")["upsample"]("bicubic", torch.ones(1, 1, 3, 3)), "method"),
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
        ({"size": 1, "kernel_size": 1, "padding": 1}, "padding=1 太大"),
    ],
)
def test_transposed_output_size_rejects_bad_arguments(kwargs: dict, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        variant("transposed_size")["transposed_output_size"](**kwargs)


def test_zero_insertion_rejects_bad_arguments() -> None:
    transposed = variant("transposed_as_conv")["transposed_by_zero_insertion"]
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
    deformable_conv = variant("deformable")["deformable_conv"]
    x, w = torch.zeros(1, 4, 8, 8), torch.zeros(6, 4, 3, 3)
    with pytest.raises(ValueError, match=re.escape("offset 的形状必须是")):
        deformable_conv(x, w, torch.zeros(1, 17, 8, 8), padding=1)
    with pytest.raises(ValueError, match=re.escape("offset 的形状必须是")):
        deformable_conv(x, w, torch.zeros(1, 18, 6, 6), padding=1)  # H' W' of padding=0
    with pytest.raises(ValueError, match=re.escape("offset 的形状必须是")):
        deformable_conv(x, w, torch.zeros(2, 18, 8, 8), padding=1)
    with pytest.raises(ValueError, match="offset_groups=3"):
        deformable_conv(x, w, torch.zeros(1, 54, 8, 8), padding=1)
    with pytest.raises(ValueError, match=re.escape("mask 的形状必须是 (1, 9, 8, 8)")):
        deformable_conv(x, w, torch.zeros(1, 18, 8, 8), torch.ones(1, 18, 8, 8), padding=1)


# --- formulas against torch, on many shapes (hypothesis) -----------------------------------------


@FAST
@given(st.integers(1, 64), st.integers(1, 64), st.sampled_from([1, 3, 5, 7]), st.integers(1, 12))
def test_separable_ratio_is_exactly_one_over_n_plus_one_over_k2(m, n, k, size) -> None:
    standard, separable = variant("separable_cost")["standard_and_separable"](m, n, k, bias=False)
    count = variant("separable_cost")["parameters"]
    x = torch.empty(1, m, size, size, device="meta")
    formula = Fraction(1, n) + Fraction(1, k * k)
    assert Fraction(count(separable), count(standard)) == formula
    assert Fraction(macs(lambda: separable(x)), macs(lambda: standard(x))) == formula


@FAST
@given(st.integers(1, 8), st.integers(1, 4), st.integers(1, 8), st.integers(1, 4))
def test_group_conv_parameter_formula(m_per_group, groups, n_per_group, k) -> None:
    m, n = m_per_group * groups, n_per_group * groups
    conv = nn.Conv2d(m, n, k, groups=groups, bias=False, device="meta")
    assert conv.weight.numel() == variant("group_conv")["group_conv_parameters"](m, n, k, groups)
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
    c, r = variant("separable_rank")["split_rank_one"](kernel)
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
    formula = variant("transposed_size")["transposed_output_size"]
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
    ours = variant("transposed_as_conv")["transposed_by_zero_insertion"](x, w, **params)
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
    ours = variant("channel_shuffle")["channel_shuffle"](x, groups)
    assert torch.equal(ours, nn.ChannelShuffle(groups)(x))


@FAST
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.sampled_from([1, 3, 5]))
def test_receptive_field_of_a_dilated_stack(dilations, k) -> None:
    field = variant("dilated_stack")["receptive_field"](dilations, k)
    assert field == 1 + sum(d * (k - 1) for d in dilations)
    paths = variant("dilated_stack")["touched_pixels"](dilations, k)
    used = paths > 0
    assert paths.shape == (field, field)
    assert used[0].any() and used[-1].any() and used[:, 0].any() and used[:, -1].any()
