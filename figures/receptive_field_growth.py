"""GIF: the receptive field of one output pixel, traced back layer by layer (chapter 3).

Two stacks of three 3x3 convolutions on a 13x13 input: all with stride 1 (the field grows
3 -> 5 -> 7), and with a stride-2 middle layer (3 -> 5 -> 9). Each frame adds one level. The
highlighted cells are where the gradient of the output pixel is non-zero, and the number in a
cell is that gradient with every weight equal to 1: the number of paths from the cell to the
output pixel. Both are computed by torch; the sizes in the captions come from the calculator
in ``snippets/receptive_field/calculator.py``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
import torch  # autograd finds the highlighted cells
from torch.nn import functional as F

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
    save_gif,
)

OUTPUT_DIR = FIGURES_DIR / "receptive_field"
STEM = "receptive-field-growth"
OUTPUTS = [f"{STEM}-{theme}.gif" for theme in THEMES]
SIZE_PX = (1000, 420)
LIMITS = (-1.0, 47.0, -11.2, 8.5)  # x_min, x_max, y_min, y_max in cell units
ROW_WIDTH = 46.0  # the grids of a frame, with the gaps between them, are centred in this width
INPUT_SIZE = 13
FRAME_MS, LAST_FRAME_MS = 1300, 3000


@dataclass(frozen=True)
class Scenario:
    title: str
    layers: tuple[tuple[int, int, int, int], ...]  # (kernel, stride, padding, dilation)
    output_pixel: int  # the traced output pixel is (output_pixel, output_pixel)


SCENARIOS = (
    Scenario("三个 3×3 卷积，步长都为 1", ((3, 1, 0, 1), (3, 1, 0, 1), (3, 1, 0, 1)), 3),
    Scenario(
        "三个 3×3 卷积，中间一层步长为 2", ((3, 1, 0, 1), (3, 2, 0, 1), (3, 1, 0, 1)), 1
    ),
)


def path_counts(scenario: Scenario) -> list[np.ndarray]:
    """For the input and every layer's output: d(output pixel)/d(cell) with all weights 1."""
    image = torch.ones(1, 1, INPUT_SIZE, INPUT_SIZE, dtype=torch.float64, requires_grad=True)
    levels, hidden = [image], image
    for kernel, stride, padding, dilation in scenario.layers:
        weight = torch.ones(1, 1, kernel, kernel, dtype=torch.float64)
        hidden = F.conv2d(hidden, weight, stride=stride, padding=padding, dilation=dilation)
        hidden.retain_grad()
        levels.append(hidden)
    pixel = scenario.output_pixel
    hidden[0, 0, pixel, pixel].backward()
    return [level.grad[0, 0].numpy().copy() for level in levels]


def calculator_fields(scenario: Scenario) -> list[tuple[int, int]]:
    """The calculator's interval of the traced pixel on every level (input first, output last)."""
    receptive_fields = load_snippet("receptive_field/calculator.py")["receptive_fields"]
    intervals = []
    for level in range(len(scenario.layers)):
        top = receptive_fields(list(scenario.layers[level:]))[-1]
        intervals.append(top.interval(scenario.output_pixel))
    pixel = scenario.output_pixel
    return [*intervals, (pixel, pixel)]


def level_names(scenario: Scenario) -> list[str]:
    return ["输入"] + [
        f"卷积 {n}（S = {layer[1]}）" for n, layer in enumerate(scenario.layers, start=1)
    ]


def draw_frame(
    theme: Theme, scenario: Scenario, counts: list[np.ndarray], fields: list, shown: int
):
    """Highlight the field on the top ``shown`` levels (1 = only the output pixel)."""
    axes = new_canvas(theme, SIZE_PX, LIMITS)
    cells = sum(grid.shape[0] for grid in counts)
    gap = min(3.0, (ROW_WIDTH - cells) / (len(counts) - 1))
    left, last = (ROW_WIDTH - cells - gap * (len(counts) - 1)) / 2, len(counts) - 1
    sizes = []
    for level, (grid, name) in enumerate(zip(counts, level_names(scenario), strict=True)):
        side = grid.shape[0]
        top = side / 2
        axes.text(
            left + side / 2,
            top + 0.6,
            f"{name}  {side}×{side}",
            ha="center",
            color=theme.muted,
            fontsize=12,
        )
        draw_grid(axes, np.full(grid.shape, np.nan), (left, top), theme, theme.input)
        if level >= last - shown + 1:
            first, end = fields[level]
            box = grid[first : end + 1, first : end + 1]
            with matplotlib.rc_context({"font.size": 9 if side > 7 else 11}):
                draw_grid(axes, box, (left + first, top - first), theme, theme.window, "{:.0f}")
            outline(axes, (left + first, top - first), (end - first + 1,) * 2, theme.highlight)
            axes.text(
                left + side / 2,
                -top - 1.1,
                f"F = {end - first + 1}",
                ha="center",
                color=theme.highlight,
                fontsize=13,
            )
            sizes.append(end - first + 1)
        left += side + gap
    growth = " → ".join(str(size) for size in reversed(sizes))
    where = "（从输出回推到输入）" if len(sizes) > 1 else ""
    axes.text(
        23,
        -9.0,
        f"{scenario.title}：F = {growth}{where}",
        ha="center",
        color=theme.text,
        fontsize=15,
    )
    axes.text(
        23,
        -10.5,
        "格中的数 = 通往输出像素的路径条数（所有权重取 1 时的梯度）",
        ha="center",
        color=theme.muted,
        fontsize=12,
    )
    return render(axes)


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    written = []
    for name in themes:
        theme = THEMES[name]
        frames, durations = [], []
        for scenario in SCENARIOS:
            counts, fields = path_counts(scenario), calculator_fields(scenario)
            for shown in range(1, len(counts) + 1):
                frames.append(draw_frame(theme, scenario, counts, fields, shown))
                durations.append(LAST_FRAME_MS if shown == len(counts) else FRAME_MS)
        written.append(save_gif(frames, out_dir / f"{STEM}-{name}.gif", durations))
    return written


main = figure_cli(build, OUTPUT_DIR, "第 3 章：一个输出像素的感受野，一层一层往回追溯（GIF）。")

if __name__ == "__main__":
    sys.exit(main())
