"""Chapter 1 (CNN 概览与术语): facts that span a snippet, the page and the GIF."""

from __future__ import annotations

import contextlib
import io
import runpy

import torch.nn.functional as F

from figures.multichannel_conv import example_tensors, frame_numbers
from tests.paths import DOCS, SNIPPETS

PAGE = (DOCS / "overview.md").read_text(encoding="utf-8")


def run_snippet_here(name: str) -> dict:
    with contextlib.redirect_stdout(io.StringIO()):
        return runpy.run_path(str(SNIPPETS / "overview" / name))


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
    example = run_snippet_here("multichannel_conv.py")
    outputs = {f["position"]: f["output"] for f in frame_numbers()}
    assert [[outputs[(i, j)] for j in range(3)] for i in range(3)] == example["by_loops"]


def test_worked_numbers_in_the_prose() -> None:
    first = frame_numbers()[0]  # checked by hand: -2 + 5 + 2 + 1 = 6
    assert (first["channel_sums"], first["bias"], first["output"]) == ([-2, 5, 2], 1, 6)
    assert "分别贡献 $-2$、$5$、$2$" in PAGE and "得到 $6$" in PAGE


def test_im2col_shapes_in_the_prose() -> None:
    example = run_snippet_here("im2col.py")
    assert example["columns"].shape == (27, 16) and example["rows"].shape == (4, 27)
    assert "$3 \\cdot 3 \\cdot 3 = 27$ 行、$4 \\cdot 4 = 16$ 列" in PAGE
