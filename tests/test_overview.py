"""Chapter 1 (CNN 概览与术语): facts that span a snippet, the page and the figures."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from figures import feature_hierarchy
from figures.multichannel_conv import example_tensors, frame_numbers
from tests.helpers import page, snippet, stored

PAGE = "overview.md"


def test_gif_draws_the_numbers_torch_computes() -> None:
    x, w, b = example_tensors()
    expected = F.conv2d(x, w, b)[0, 0]
    frames = frame_numbers()
    assert [f["position"] for f in frames] == [(i, j) for i in range(3) for j in range(3)]
    for frame in frames:
        i, j = frame["position"]
        assert frame["output"] == expected[i, j].item()
        assert sum(frame["channel_sums"]) + frame["bias"] == frame["output"]
        window = x[0, :, i : i + 3, j : j + 3]
        assert frame["channel_sums"] == (window * w[0]).sum(dim=(1, 2)).tolist()


def test_gif_and_loops_show_the_same_example() -> None:
    outputs = {f["position"]: f["output"] for f in frame_numbers()}
    by_loops = snippet("overview/multichannel_conv")["by_loops"]
    assert [[outputs[(i, j)] for j in range(3)] for i in range(3)] == by_loops


def test_worked_numbers_in_the_prose() -> None:
    first = frame_numbers()[0]
    sums = "、".join(f"${s}$" for s in first["channel_sums"])
    assert f"分别贡献\n{sums}，加上偏置 ${first['bias']}$ 得到 ${first['output']}$" in page(PAGE)


def test_published_error_rates_are_labelled_as_ensembles_and_cited() -> None:
    """Review finding: the ILSVRC top-5 errors were unsourced; they are ensemble results. Every
    percentage in the history table says so and carries a footnote to the paper, and the
    front matter gives each one its source."""
    rows = [line for line in page(PAGE).splitlines() if line.startswith("| 20")]
    percentages = [(row, p) for row in rows for p in re.findall(r"\d+\.\d+%", row)]
    assert len(percentages) == 4
    for row, _ in percentages:
        assert "模型集成" in row and re.search(r"\[\^\w+\]", row)
    for note in set(re.findall(r"\[\^(\w+)\]", page(PAGE))):
        assert f"[^{note}]: " in page(PAGE)
    reasons = page(PAGE).split("---")[1]
    assert all(f'"{p}": 发表的结果' in reasons for _, p in percentages)


# --- equivariance and invariance --------------------------------------------------------------


def circular_conv(x: torch.Tensor, kernel: torch.Tensor, stride: int = 1) -> torch.Tensor:
    return F.conv2d(F.pad(x, (1, 1, 1, 1), mode="circular"), kernel, stride=stride)


def test_equivariance_and_invariance_are_different_properties() -> None:
    """Review finding: the page called invariance a stronger equivariance. A convolution is
    equivariant and not invariant; global pooling is invariant and has no position to move."""
    generator = torch.Generator().manual_seed(3)
    x = torch.rand(1, 1, 10, 10, generator=generator)
    kernel = torch.randn(1, 1, 3, 3, generator=generator)

    def shift(t: torch.Tensor) -> torch.Tensor:
        return torch.roll(t, 3, dims=3)

    assert torch.allclose(
        circular_conv(shift(x), kernel), shift(circular_conv(x, kernel)), atol=1e-6
    )
    assert not torch.allclose(circular_conv(shift(x), kernel), circular_conv(x, kernel))
    assert torch.equal(shift(x).amax(dim=(2, 3)), x.amax(dim=(2, 3)))
    text = page(PAGE)
    assert "更强的要求" not in text and "不是“更强的等变”" in text


def test_a_max_kept_in_its_window_is_necessary_not_sufficient() -> None:
    """Review finding: the max-pool condition is necessary, not sufficient. Over many random
    maps and a 1-pixel shift: an unchanged output always kept its maximum in the window, and a
    kept maximum does not always give an unchanged output."""
    generator = torch.Generator().manual_seed(0)
    kept_but_changed = 0
    for _ in range(200):
        x = torch.rand(1, 1, 8, 8, generator=generator)
        pooled, where = F.max_pool2d(x, 2, return_indices=True)
        moved = F.max_pool2d(torch.roll(x, 1, dims=3), 2)
        stays = (where % 8 + 1) % 8 // 2 == torch.arange(4)
        same = moved == pooled
        assert not (same & ~stays).any()
        kept_but_changed += int((stays & ~same).sum())
    assert kept_but_changed > 100
    out = stored("overview/pooling_invariance.out")
    kept, unchanged = (int(n) for n in re.findall(r"的有 (\d+) 个", out))
    assert unchanged < kept


def test_conv_dimensions_follow_the_output_size_formula() -> None:
    """The 1-D, 2-D and 3-D layers: every spatial axis follows chapter 2's calculator."""
    size = snippet("arithmetic/conv_output_size")["conv_output_size"]
    cases = snippet("overview/conv_dimensions")["cases"]
    for layer, x in cases.values():
        y = layer(x)
        for axis, length in enumerate(x.shape[2:]):
            k, s, p = layer.kernel_size[axis], layer.stride[axis], layer.padding[axis]
            assert y.shape[2 + axis] == size(length, k, s, p)
    assert [layer.weight.dim() - 2 for layer, _ in cases.values()] == [1, 2, 3]


# --- the feature hierarchy ------------------------------------------------------------------


RUN = json.loads(feature_hierarchy.RUN_FILE.read_text(encoding="utf-8"))


def test_the_stored_run_is_the_one_the_page_prints() -> None:
    """The figure draws the stored run; its numbers are those of the stored output, which
    tests/test_snippets.py compares with a fresh run (within the measured tolerances)."""
    out = stored("overview/feature_hierarchy.out")
    assert f"测试准确率 {100 * RUN['accuracy']:.1f}%" in out
    for layer, (side, purity, before) in enumerate(
        zip(RUN["receptive_field"], RUN["purity"], RUN["purity_untrained"], strict=True), start=1
    ):
        line = (
            f"第 {layer} 层：感受野 {side}×{side}，类别纯度 {purity:.2f}（未训练时 {before:.2f}）"
        )
        assert line in out


def test_receptive_fields_of_the_small_cnn_are_the_calculators() -> None:
    fields = snippet("receptive_field/calculator")["receptive_fields"]
    layers = [(5, 1, 2, 1), (2, 2, 0, 1), (3, 1, 1, 1), (2, 2, 0, 1), (3, 1, 1, 1)]
    computed = fields(layers)
    expected = [computed[0], computed[2], computed[4]]
    geometry = snippet_globals_without_training()["receptive_fields"]()
    assert geometry == [(f.size, f.jump, f.start) for f in expected]
    assert RUN["receptive_field"] == [f.size for f in expected] == [5, 10, 20]


def snippet_globals_without_training() -> dict:
    """The feature-hierarchy snippet's definitions, without loading MNIST or training."""
    source = (feature_hierarchy.SNIPPET).read_text(encoding="utf-8")
    head = source.split("# --8<-- [start:run]")[0]
    namespace: dict = {}
    exec(compile(head, str(feature_hierarchy.SNIPPET), "exec"), namespace)
    return namespace


def test_top_patches_are_the_receptive_fields_of_the_strongest_units() -> None:
    """On a hand-made activation: the patch is the input window the unit's field covers."""
    functions = snippet_globals_without_training()
    pixels = torch.arange(28 * 28, dtype=torch.float32).reshape(1, 1, 28, 28)
    maps = torch.zeros(1, 2, 14, 14)
    maps[0, 1, 5, 7] = 1.0
    (patch,) = functions["top_patches"](maps, pixels, (10, 2, -4), channel=1, count=1)
    first_row, first_col = -4 + 5 * 2, -4 + 7 * 2
    assert torch.equal(patch, pixels[0, 0, first_row : first_row + 10, first_col : first_col + 10])


def test_the_figure_draws_the_stored_run() -> None:
    rows = feature_hierarchy.panels(RUN)
    kernels = rows[0][1]
    side = len(RUN["conv1_kernels"][0])
    gap = max(1, round(feature_hierarchy.GAP * side))
    for index, kernel in enumerate(RUN["conv1_kernels"]):
        left = index * (side + gap)
        assert np.array_equal(kernels[:, left : left + side], np.array(kernel))
    for (title, image, _), side, patches in zip(
        rows[1:], RUN["receptive_field"], RUN["patches"], strict=True
    ):
        assert f"感受野 {side}×{side}" in title
        assert np.array_equal(image[:side, :side], np.array(patches[0][0], dtype=float))
        assert all(np.array(p).shape == (side, side) for channel in patches for p in channel)


def test_class_purity_by_hand() -> None:
    purity = snippet_globals_without_training()["class_purity"]
    labels = torch.tensor([0, 0, 1, 2])
    maps = torch.tensor([[4.0, 1], [3, 2], [2, 3], [1, 4]]).reshape(4, 2, 1, 1)
    # channel 0: its top 2 images are 0 and 1, both class 0 -> 1.0; channel 1: classes 2, 1 -> 0.5
    assert purity(maps, labels, top=2) == pytest.approx(0.75)


def test_retrain_is_the_only_extra_command() -> None:
    with pytest.raises(SystemExit):
        feature_hierarchy.main(["--retrain", "now"])
