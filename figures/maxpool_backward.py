"""PNG: the backward pass of a 2x2/S2 max pool routes each upstream gradient to its window's argmax.

Left: the 4x4 input with its four windows (one tint each), each window's maximum outlined.
Middle: the upstream gradient dL/dy (2x2), each cell in its window's tint. Right: dL/dx computed
by autograd; the cells that receive a gradient carry the tint of the window they came from.
Input, upstream gradient and input gradient come from ``snippets/operators/max_pool_backward.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from figures.common import (
    FIGURES_DIR,
    THEMES,
    Theme,
    draw_grid,
    figure_cli,
    load_snippet,
    new_canvas,
    outline,
    render,
    save_png,
)

OUTPUT_DIR = FIGURES_DIR / "operators"
STEM = "maxpool-backward"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (1000, 360)
LIMITS = (-0.5, 19.5, -1.6, 5.6)
TOP = 4.4
INPUT_X, UPSTREAM_X, GRAD_X = 0.5, 7.5, 13.0
WINDOW = 2


def routing_numbers() -> dict:
    """Input, upstream gradient, autograd's input gradient and each window's argmax (row, col)."""
    example = load_snippet("operators/max_pool_backward.py")
    x = example["x"].detach()[0, 0]
    upstream = example["upstream"][0, 0]
    grad = example["grad"][0, 0]
    width = x.shape[-1]
    argmax = [divmod(int(i), width) for i in example["indices"].flatten()]
    return {
        "input": x.int().tolist(),
        "upstream": upstream.int().tolist(),
        "grad": grad.int().tolist(),
        "argmax": argmax,
    }


def window_fills(theme: Theme) -> list[str]:
    """One light tint per window, so the four windows read as four blocks."""
    return [theme.input, theme.window, theme.kernel, theme.output]


def draw_input(axes: Axes, theme: Theme, numbers: dict) -> None:
    values = np.array(numbers["input"], dtype=float)
    fills = window_fills(theme)
    for (row, col), value in np.ndenumerate(values):
        block = (row // WINDOW) * (values.shape[1] // WINDOW) + col // WINDOW
        axes.add_patch(
            Rectangle(
                (INPUT_X + col, TOP - row - 1), 1, 1, facecolor=fills[block],
                edgecolor=theme.grid, linewidth=1,
            )
        )  # fmt: skip
        axes.text(INPUT_X + col + 0.5, TOP - row - 0.5, f"{value:g}",
                  ha="center", va="center", color=theme.text)  # fmt: skip
    for row, col in numbers["argmax"]:
        outline(axes, (INPUT_X + col, TOP - row), (1, 1), theme.highlight)


def tinted_grid(
    axes: Axes,
    theme: Theme,
    values: np.ndarray,
    left: float,
    top: float,
    fills: dict[tuple[int, int], str],
) -> None:
    """A grid whose cells in ``fills`` take the colour of the window they belong to."""
    draw_grid(axes, values, (left, top), theme, theme.background)
    for (row, col), fill in fills.items():
        axes.add_patch(Rectangle((left + col, top - row - 1), 1, 1, facecolor=fill,
                                 edgecolor=theme.grid, linewidth=1))  # fmt: skip


def draw(theme: Theme, numbers: dict) -> object:
    axes = new_canvas(theme, SIZE_PX, LIMITS)
    title = {"ha": "center", "color": theme.muted}
    size = len(numbers["input"])
    axes.text(INPUT_X + size / 2, TOP + 0.45, f"输入 x（{size}×{size}，2×2 窗口）", **title)
    draw_input(axes, theme, numbers)
    fills = window_fills(theme)
    upstream = np.array(numbers["upstream"], dtype=float)
    per_row = upstream.shape[1]
    axes.text(UPSTREAM_X + per_row / 2, TOP + 0.45, "上游梯度 ∂L/∂y", **title)
    tinted_grid(axes, theme, upstream, UPSTREAM_X, TOP - 1,
                {divmod(w, per_row): fills[w] for w in range(upstream.size)})  # fmt: skip
    axes.text(GRAD_X + size / 2, TOP + 0.45, "输入梯度 ∂L/∂x（autograd 算出）", **title)
    tinted_grid(axes, theme, np.array(numbers["grad"], dtype=float), GRAD_X, TOP,
                {tuple(rc): fills[w] for w, rc in enumerate(numbers["argmax"])})  # fmt: skip
    for row, col in numbers["argmax"]:
        outline(axes, (GRAD_X + col, TOP - row), (1, 1), theme.highlight)
    axes.text(UPSTREAM_X + per_row + 0.6, TOP - 2, "→", ha="center", va="center",
              color=theme.muted, fontsize=28)  # fmt: skip
    caption = "同色 = 同一个窗口；橙框是窗口的最大值：它的梯度原样流回那里，其余位置的梯度为 0"
    axes.text(9.5, -1.0, caption, ha="center", color=theme.text, fontsize=14)
    return render(axes)


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    numbers = routing_numbers()
    return [
        save_png(draw(THEMES[name], numbers), out_dir / f"{STEM}-{name}.png") for name in themes
    ]


main = figure_cli(
    build,
    OUTPUT_DIR,
    "第 5 章：2×2、步长 2 的最大池化反向传播时，把每个上游梯度送到窗口的最大值处（PNG）。",
)

if __name__ == "__main__":
    sys.exit(main())
