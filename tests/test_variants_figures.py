"""Chapter 4 (卷积的变体): every figure draws what torch computes, and the page shows it."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from figures import (
    checkerboard,
    deformable_sampling,
    depthwise_separable,
    dilated_conv,
    gridding,
    group_shuffle,
    transposed_conv,
)
from tests.paths import FIGURES
from tests.variants_common import PAGE, output, variant

# --- the figures draw what torch computes ------------------------------------------------------


def test_depthwise_gif_numbers_are_torchs() -> None:
    example = variant("depthwise_pointwise")
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
    connected = variant("channel_shuffle")["connected_pairs"]
    assert (np.array(numbers["depends_with_shuffle"]) == connected(True).numpy()).all()
    out = output("channel_shuffle")
    assert f"{without.size} 对（输出通道，输入通道）中 {without.sum()} 对相连" in out


def test_dilated_gif_numbers_are_torchs() -> None:
    example = variant("dilated_conv")
    frames = dilated_conv.frame_numbers()
    outputs = [[0] * 3 for _ in range(3)]
    for frame in frames:
        i, j = frame["position"]
        outputs[i][j] = frame["output"]
        assert sum(frame["products"]) == frame["output"]
        rows, cols = zip(*frame["sampled"], strict=True)
        assert set(rows) == {i, i + 2, i + 4} and set(cols) == {j, j + 2, j + 4}
    assert outputs == example["out"][0, 0].int().tolist()
    assert str(outputs) in output("dilated_conv")


def test_gridding_figure_counts_are_the_snippets() -> None:
    panels = gridding.frame_numbers()
    assert [p["used"] for p in panels] == [49, 169]
    for panel in panels:
        dilations = panel["dilations"]
        line = f"空洞率 {dilations}：感受野 13×13，用到其中 {panel['used']} / 169 个像素"
        assert line in output("dilated_stack")
        # independent check: random positive weights give the same set of used pixels
        torch.manual_seed(0)
        x = torch.zeros(1, 1, 13, 13, requires_grad=True)
        y = x
        for d in dilations:
            y = F.conv2d(y, torch.rand(1, 1, 3, 3) + 0.1, dilation=d)
        (grad,) = torch.autograd.grad(y.sum(), x)
        assert ((grad[0, 0] > 0).numpy() == (np.array(panel["paths"]) > 0)).all()


def test_transposed_gif_numbers_are_torchs() -> None:
    example = variant("transposed_as_conv")
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
    learned = variant("checkerboard")["learned"]
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
