"""PNG: the gridding effect: which input pixels one output of three stacked dilated 3x3 convs uses.

The masks are ``touched_pixels`` of ``snippets/variants/dilated_stack.py``: the gradient of one
output with respect to the input, with all weights 1, so each number is the count of paths from
that input pixel to the output (blank cells are never used).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from matplotlib.patches import Rectangle

from figures.common import (
    FIGURES_DIR,
    THEMES,
    Theme,
    draw_grid,
    figure_cli,
    load_snippet,
    new_canvas,
    render,
    save_png,
)

OUTPUT_DIR = FIGURES_DIR / "variants"
STEM = "gridding"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (1000, 540)
LIMITS = (-0.5, 28.5, -1.6, 14.1)
STACKS = ([2, 2, 2], [1, 2, 3])
PANEL_X = (0.5, 15.0)
TOP = 13.0


def frame_numbers() -> list[dict]:
    """For each stack: the dilations, the path counts (13x13) and how many pixels are used."""
    touched_pixels = load_snippet("variants/dilated_stack.py")["touched_pixels"]
    panels = []
    for dilations in STACKS:
        paths = touched_pixels(dilations).round().int().numpy()
        panels.append(
            {"dilations": dilations, "paths": paths.tolist(), "used": int((paths > 0).sum())}
        )
    return panels


def draw(theme: Theme, panels: list[dict]) -> object:
    axes = new_canvas(theme, SIZE_PX, LIMITS)
    for left, panel in zip(PANEL_X, panels, strict=True):
        paths = np.array(panel["paths"], dtype=float)
        size = paths.shape[0]
        shown = np.where(paths > 0, paths, np.nan)
        draw_grid(axes, shown, (left, TOP), theme, theme.output, fmt="{:.0f}")
        for r, c in zip(*np.nonzero(paths == 0), strict=True):
            axes.add_patch(
                Rectangle(
                    (left + c, TOP - r - 1),
                    1,
                    1,
                    facecolor=theme.background,
                    edgecolor=theme.grid,
                    linewidth=0.5,
                )
            )
        dilations = ", ".join(map(str, panel["dilations"]))
        title = f"空洞率 {dilations}：用到 {panel['used']} / {size * size} 个像素"
        axes.text(left + size / 2, TOP + 0.45, title, ha="center", color=theme.text)
    caption = "格中的数：从该输入像素到输出的路径条数（3×3 卷积核，步长 1）"
    axes.text(14, -0.9, caption, ha="center", color=theme.muted, fontsize=14)
    return render(axes)


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    panels = frame_numbers()
    return [save_png(draw(THEMES[name], panels), out_dir / f"{STEM}-{name}.png") for name in themes]


main = figure_cli(
    build,
    OUTPUT_DIR,
    "第 4 章：网格效应——三层堆叠的 3×3 空洞卷积，一个输出用到哪些输入像素（PNG）。",
)

if __name__ == "__main__":
    sys.exit(main())
