"""PNG: where a 3x3 deformable convolution samples, with offsets that follow an object's outline.

Left: the regular 3x3 grid at three output positions on the edge of an ellipse. Right: offsets
(built deterministically, as a trained network might learn them) move the nine points onto the
outline. The drawn points are not our arithmetic: they are read back from
``torchvision.ops.deform_conv2d`` run on a coordinate image (channel 0 = row, channel 1 = column),
whose bilinear sampling returns exactly the position it samples.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.patches import Ellipse, Rectangle
from torchvision.ops import deform_conv2d

from figures.common import (
    FIGURES_DIR,
    THEMES,
    Theme,
    figure_cli,
    new_canvas,
    render,
    save_png,
)

OUTPUT_DIR = FIGURES_DIR / "variants"
STEM = "deformable-sampling"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE = 20  # the input is SIZE x SIZE pixels
SIZE_PX = (1000, 530)
LIMITS = (-0.5, 42.5, -2.0, 21.6)
PANEL_X = (0.0, 22.0)
TOP = 20.0
CENTRE, RADII = (9.5, 9.5), (6.0, 8.0)  # (row, col) of the ellipse and its two half-axes
ANGLES = (200.0, 70.0, -35.0)  # where on the outline the three output positions sit (degrees)
ARC_STEP = 0.13  # radians between neighbouring sampling points along the outline
TAPS = [(u - 1, v - 1) for u in range(3) for v in range(3)]  # row-major, as in deform_conv2d


def on_outline(angle: float) -> tuple[float, float]:
    return (CENTRE[0] - RADII[0] * math.sin(angle), CENTRE[1] + RADII[1] * math.cos(angle))


def offsets_and_targets() -> tuple[torch.Tensor, list[dict]]:
    """The offset tensor (1, 18, SIZE, SIZE) and, per output position, where it should sample."""
    offset = torch.zeros(1, 2 * len(TAPS), SIZE, SIZE, dtype=torch.float64)
    positions = []
    for degrees in ANGLES:
        angle = math.radians(degrees)
        row, col = (round(v) for v in on_outline(angle))
        along = [on_outline(angle + (t - 4) * ARC_STEP) for t in range(len(TAPS))]
        # hand the points along the arc to the taps in the order the taps lie along the tangent,
        # so that no two offsets cross
        tangent = (-RADII[0] * math.cos(angle), -RADII[1] * math.sin(angle))
        order = sorted(
            range(len(TAPS)), key=lambda t: TAPS[t][0] * tangent[0] + TAPS[t][1] * tangent[1]
        )
        targets = [along[order.index(t)] for t in range(len(TAPS))]
        for t, ((du, dv), (ty, tx)) in enumerate(zip(TAPS, targets, strict=True)):
            offset[0, 2 * t, row, col] = ty - (row + du)  # dy first ...
            offset[0, 2 * t + 1, row, col] = tx - (col + dv)  # ... then dx
        positions.append({"position": (row, col), "targets": targets})
    return offset, positions


def sampled_points(offset: torch.Tensor) -> torch.Tensor:
    """(18, SIZE, SIZE): for every output position and tap t, the (row, col) deform_conv2d reads."""
    rows, cols = torch.meshgrid(
        torch.arange(SIZE, dtype=torch.float64),
        torch.arange(SIZE, dtype=torch.float64),
        indexing="ij",
    )
    coords = torch.stack([rows, cols]).unsqueeze(0)
    pick = torch.zeros(2 * len(TAPS), 2, 3, 3, dtype=torch.float64)
    for t, (du, dv) in enumerate(TAPS):
        pick[2 * t, 0, du + 1, dv + 1] = 1  # output channel 2t: the row tap t samples
        pick[2 * t + 1, 1, du + 1, dv + 1] = 1  # output channel 2t+1: its column
    return deform_conv2d(coords, offset, pick, padding=1)[0]


def frame_numbers() -> list[dict]:
    """Per output position: the regular grid, the targets, and what deform_conv2d sampled."""
    offset, positions = offsets_and_targets()
    with_offsets, without = sampled_points(offset), sampled_points(torch.zeros_like(offset))
    for entry in positions:
        row, col = entry["position"]
        entry["regular"] = [tuple(without[2 * t : 2 * t + 2, row, col].tolist()) for t in range(9)]
        entry["sampled"] = [
            tuple(with_offsets[2 * t : 2 * t + 2, row, col].tolist()) for t in range(9)
        ]
    return positions


def draw_panel(axes: Axes, left: float, theme: Theme, points: list[dict], key: str) -> None:
    inside = np.zeros((SIZE, SIZE), dtype=bool)
    for r, c in np.ndindex(SIZE, SIZE):
        inside[r, c] = ((r - CENTRE[0]) / RADII[0]) ** 2 + ((c - CENTRE[1]) / RADII[1]) ** 2 <= 1
    for (r, c), filled in np.ndenumerate(inside):
        fill = theme.input if filled else theme.background
        axes.add_patch(
            Rectangle((left + c, TOP - r - 1), 1, 1, facecolor=fill, edgecolor=theme.grid, lw=0.3)
        )
    axes.add_patch(
        Ellipse(
            (left + CENTRE[1] + 0.5, TOP - CENTRE[0] - 0.5),
            2 * RADII[1],
            2 * RADII[0],
            fill=False,
            edgecolor=theme.muted,
            lw=1.5,
            linestyle="--",
        )
    )
    for color, entry in zip(theme.series, points, strict=False):
        row, col = entry["position"]
        axes.add_patch(
            Rectangle((left + col, TOP - row - 1), 1, 1, fill=False, edgecolor=color, lw=2.5)
        )
        ys = [TOP - y - 0.5 for y, _ in entry[key]]
        xs = [left + x + 0.5 for _, x in entry[key]]
        if key == "sampled":
            for (ry, rx), (sy, sx) in zip(entry["regular"], entry[key], strict=True):
                axes.plot(
                    [left + rx + 0.5, left + sx + 0.5],
                    [TOP - ry - 0.5, TOP - sy - 0.5],
                    color=color,
                    lw=0.8,
                    alpha=0.6,
                )
        axes.scatter(
            xs, ys, s=36, color=color, edgecolors=theme.background, linewidths=0.8, zorder=3
        )


def draw(theme: Theme, points: list[dict]) -> object:
    axes = new_canvas(theme, SIZE_PX, LIMITS)
    titles = ("规则的 3×3 采样（偏移为 0）", "可变形卷积：偏移让采样点贴着轮廓")
    for left, key, title in zip(PANEL_X, ("regular", "sampled"), titles, strict=True):
        draw_panel(axes, left, theme, points, key)
        axes.text(left + SIZE / 2, TOP + 0.6, title, ha="center", color=theme.text)
    caption = "方块：输出位置；圆点：deform_conv2d 为每个输出位置采样的 9 个点"
    axes.text(21, -1.1, caption, ha="center", color=theme.muted, fontsize=14)
    return render(axes)


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    points = frame_numbers()
    return [save_png(draw(THEMES[name], points), out_dir / f"{STEM}-{name}.png") for name in themes]


main = figure_cli(
    build,
    OUTPUT_DIR,
    "第 4 章：3×3 可变形卷积在哪里取样，偏移沿着物体的轮廓（PNG）。",
)

if __name__ == "__main__":
    sys.exit(main())
