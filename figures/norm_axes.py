"""Diagram: which numbers BatchNorm, LayerNorm, InstanceNorm and GroupNorm normalise together
(chapter 7).

Each panel is the (B, C) grid of ``snippets/normalization/norm_axes.py``; one cell stands for a
whole H×W feature map. The shaded cells are those one output element (the outlined cell)
depends on through the shared mean and variance: the cells where autograd finds a non-zero
gradient of that element, computed with the snippet's torch modules.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from figures.common import (
    FIGURES_DIR,
    THEMES,
    Theme,
    figure_cli,
    load_snippet,
    new_canvas,
    render,
    save_png,
)

OUTPUT_DIR = FIGURES_DIR / "normalization"
STEM = "norm-axes"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (1000, 250)
CHOSEN = (1, 2)  # the output element's (sample, channel): its group is shaded
TITLES = {
    "BatchNorm2d": "批量归一化 BN",
    "LayerNorm": "层归一化 LN",
    "InstanceNorm2d": "实例归一化 IN",
    "GroupNorm": "组归一化 GN",
}
GAP = 1.6  # between panels, in cells


def shared_statistics() -> tuple[dict[str, np.ndarray], int]:
    """Per module, a (B, C) boolean map of the feature maps that share statistics with the
    chosen element (non-zero gradient of that output element), and the GroupNorm group count."""
    example = load_snippet("normalization/norm_axes.py")
    x = example["x"].clone().requires_grad_()
    maps = {}
    for name, (_, _, module) in example["variants"].items():
        output = module.train()(x)
        (grad,) = torch.autograd.grad(output[CHOSEN[0], CHOSEN[1], 0, 0], x)
        maps[name] = (grad.abs().amax(dim=(2, 3)) > 0).numpy()
    return maps, example["G"]


def draw_panel(axes: Axes, theme: Theme, left: float, title: str, shared: np.ndarray) -> None:
    rows, cols = shared.shape
    top = rows + 0.2
    for (b, c), together in np.ndenumerate(shared):
        fill = theme.highlight if together else theme.input
        axes.add_patch(Rectangle((left + c, top - b - 1), 1, 1, facecolor=fill,
                                 edgecolor=theme.grid, linewidth=1))  # fmt: skip
    b, c = CHOSEN
    axes.add_patch(Rectangle((left + c, top - b - 1), 1, 1, fill=False,
                             edgecolor=theme.text, linewidth=3))  # fmt: skip
    axes.text(left + cols / 2, top + 0.35, title, ha="center", va="bottom", fontsize=15,
              color=theme.text)  # fmt: skip
    axes.text(left + cols / 2, top - rows - 0.35, "通道 c →", ha="center", va="top",
              color=theme.muted, fontsize=12)  # fmt: skip
    axes.text(left - 0.25, top - rows / 2, "样本 b →", ha="right", va="center", rotation=270,
              color=theme.muted, fontsize=12)  # fmt: skip


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    maps, groups = shared_statistics()
    rows, cols = next(iter(maps.values())).shape
    width = len(maps) * cols + (len(maps) - 1) * GAP
    limits = (-0.9, width + 0.6, -0.9, rows + 1.35)
    written = []
    for name in themes:
        theme = THEMES[name]
        axes = new_canvas(theme, SIZE_PX, limits)
        for index, (module, shared) in enumerate(maps.items()):
            title = TITLES[module] + (f"（G = {groups}）" if module == "GroupNorm" else "")
            draw_panel(axes, theme, index * (cols + GAP), title, shared)
        written.append(save_png(render(axes), out_dir / f"{STEM}-{name}.png"))
    return written


main = figure_cli(
    build,
    OUTPUT_DIR,
    "第 7 章：BatchNorm、LayerNorm、InstanceNorm 与 GroupNorm 各把哪些数放在一起归一化。",
)

if __name__ == "__main__":
    sys.exit(main())
