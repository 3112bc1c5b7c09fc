"""PNG: every activation of chapter 6 with its derivative, one chart per family.

Values come from the ``torch.nn`` modules, derivatives from autograd; at a kink the filled dot
is the value autograd returns and the open circles are the one-sided limits. The maxout panel
uses the ``Maxout`` module of ``snippets/activations/maxout.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch  # values from torch.nn, slopes from autograd
from torch import nn

from figures.common import (
    FIGURES_DIR,
    THEMES,
    Theme,
    figure_cli,
    load_snippet,
    save_charts,
    torch_default_dtype,
)

OUTPUT_DIR = FIGURES_DIR / "activations"
# family -> (rows, columns, size in pixels)
LAYOUTS = {
    "s-shaped": (2, 2, (960, 660)),
    "relu-family": (2, 2, (960, 660)),
    "smooth-relu": (2, 2, (960, 660)),
    "gelu-mish-selu": (1, 3, (960, 340)),
}
FAMILIES = tuple(LAYOUTS)
OUTPUTS = [f"{family}-{theme}.png" for family in FAMILIES for theme in THEMES]
JUMP = 0.05  # a derivative step larger than this between grid points is drawn as a break
KINK_EPS = 2.0**-20
# maxout with k = 3: tangents of softplus at -3, 0 and 3, so the maxout is close to softplus
MAXOUT_TANGENTS_AT = (-3.0, 0.0, 3.0)
S_SPAN, RELU_SPAN = (-6.0, 6.0), (-4.0, 8.0)


@dataclass(frozen=True)
class Panel:
    title: str
    x: np.ndarray
    y: np.ndarray
    slope: np.ndarray
    kinks: list[dict]  # {"x", "left", "right", "autograd"} at each point where f' jumps
    pieces: list[np.ndarray]  # extra thin curves (the linear pieces of maxout)


def derivative(function: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    x = x.clone().requires_grad_()
    (grad,) = torch.autograd.grad(function(x).sum(), x)
    return grad


def grid(low: float, high: float) -> torch.Tensor:
    """Step 1/128 (exact in binary), so the kinks at integers lie on the grid."""
    return torch.arange(round(low * 128), round(high * 128) + 1, dtype=torch.float64) / 128


def one_sided(function: Callable, at: float) -> dict:
    points = torch.tensor([at - KINK_EPS, at, at + KINK_EPS], dtype=torch.float64)
    left, at_kink, right = derivative(function, points).tolist()
    return {"x": at, "left": left, "right": right, "autograd": at_kink}


def make_panel(
    title: str,
    function: Callable,
    span: tuple[float, float],
    kinks: tuple[float, ...] = (),
    pieces: tuple[Callable, ...] = (),
) -> Panel:
    """``kinks`` are the points where f' jumps and the dots show autograd's choice."""
    x = grid(*span)
    with torch.no_grad():
        y = function(x)
    return Panel(
        title,
        x.numpy(),
        y.numpy(),
        derivative(function, x).numpy(),
        [one_sided(function, k) for k in kinks],
        [piece(x).detach().numpy() for piece in pieces],
    )


def maxout_unit() -> tuple[Callable, tuple[Callable, ...]]:
    example = load_snippet("activations/maxout.py")
    at = torch.tensor(MAXOUT_TANGENTS_AT, dtype=torch.float64)
    slopes, intercepts = torch.sigmoid(at), nn.functional.softplus(at) - torch.sigmoid(at) * at
    with torch_default_dtype(torch.float64):  # float64 weights: the tangents exactly as computed
        unit = example["one_input_maxout"](slopes.tolist(), intercepts.tolist())
    lines = zip(slopes.tolist(), intercepts.tolist(), strict=True)
    pieces = tuple(lambda x, a=a, b=b: a * x + b for a, b in lines)
    return (lambda x: unit(x[:, None])[:, 0]), pieces


def family_panels() -> dict[str, list[Panel]]:
    maxout, pieces = maxout_unit()
    return {
        "s-shaped": [
            make_panel("Sigmoid：1 / (1 + exp(−x))", nn.Sigmoid(), S_SPAN),
            make_panel("Tanh：2σ(2x) − 1", nn.Tanh(), S_SPAN),
            make_panel("Softsign：x / (1 + |x|)", nn.Softsign(), S_SPAN),
            make_panel("Hardsigmoid：ReLU6(x + 3) / 6", nn.Hardsigmoid(), S_SPAN, (-3, 3)),
        ],
        "relu-family": [
            make_panel("ReLU：max(0, x)", nn.ReLU(), RELU_SPAN, (0,)),
            make_panel("ReLU6：min(max(0, x), 6)", nn.ReLU6(), RELU_SPAN, (0, 6)),
            make_panel("LeakyReLU，负半轴斜率 0.1", nn.LeakyReLU(0.1), RELU_SPAN, (0,)),
            make_panel("ELU，α = 1", nn.ELU(), RELU_SPAN),
        ],
        "smooth-relu": [
            make_panel("Softplus：ln(1 + exp(x))", nn.Softplus(), S_SPAN),
            make_panel("SiLU（swish）：x·σ(x)", nn.SiLU(), S_SPAN),
            make_panel("Hardswish：x·ReLU6(x + 3) / 6", nn.Hardswish(), S_SPAN, (-3, 3)),
            make_panel("Maxout，k = 3（点线：三个线性片段）", maxout, S_SPAN, pieces=pieces),
        ],
        "gelu-mish-selu": [
            make_panel("GELU：x·Φ(x)", nn.GELU(), S_SPAN),
            make_panel("Mish：x·tanh(softplus(x))", nn.Mish(), S_SPAN),
            make_panel("SELU：λ·ELU(x; α)", nn.SELU(), S_SPAN, (0,)),
        ],
    }


def with_breaks(x: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Insert a NaN wherever the curve jumps, so matplotlib does not draw a vertical line."""
    cut = np.flatnonzero(np.abs(np.diff(values)) > JUMP) + 1
    return np.insert(x, cut, np.nan), np.insert(values, cut, np.nan)


def draw_panel(axes, panel: Panel, theme) -> None:
    function_color, slope_color, piece_color = theme.series[0], theme.series[1], theme.muted
    for piece in panel.pieces:
        axes.plot(panel.x, piece, color=piece_color, linewidth=1.4, linestyle=":")
    axes.plot(panel.x, panel.y, color=function_color, linewidth=2.2, label="函数 f(x)")
    axes.plot(*with_breaks(panel.x, panel.slope), color=slope_color, linewidth=2, ls="--",
              label="导数 f′(x)")  # fmt: skip
    for kink in panel.kinks:
        for side in ("left", "right"):
            axes.plot(kink["x"], kink[side], "o", markersize=7, markerfacecolor=theme.background,
                      markeredgecolor=slope_color, markeredgewidth=1.5)  # fmt: skip
        axes.plot(kink["x"], kink["autograd"], "o", markersize=6, color=slope_color)
    low = min(panel.y.min(), panel.slope.min())
    high = max(panel.y.max(), panel.slope.max())
    margin = 0.08 * (high - low)
    axes.set_ylim(low - margin, high + margin)
    axes.set_xlim(panel.x[0], panel.x[-1])
    axes.axhline(0, color=theme.grid, linewidth=0.8)
    axes.axvline(0, color=theme.grid, linewidth=0.8)
    axes.set_title(panel.title, fontsize=12)
    axes.legend(loc="upper left", fontsize=11)


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    panels = family_panels()
    written = []
    for family in FAMILIES:

        def draw(axes: np.ndarray, theme: Theme, family: str = family) -> None:
            for ax, panel in zip(axes.flat, panels[family], strict=True):
                draw_panel(ax, panel, theme)

        rows, cols, size_px = LAYOUTS[family]
        written += save_charts(out_dir, family, themes, size_px, draw, rows=rows, cols=cols)
    return written


main = figure_cli(build, OUTPUT_DIR, "第 6 章：每个激活函数及其导数，每一族一幅图（PNG）。")

if __name__ == "__main__":
    sys.exit(main())
