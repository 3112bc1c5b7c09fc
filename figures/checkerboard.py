"""PNG: checkerboard artefacts when a constant 4x4 image is upsampled to 8x8 three ways.

Top row: all weights 1, so each number counts how many kernel copies cover that output pixel.
Bottom row: random weights (standing in for learned ones). The outputs are computed by
``upsample`` of ``snippets/variants/checkerboard.py`` (conv_transpose2d, interpolate, conv2d).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
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

OUTPUT_DIR = FIGURES_DIR / "variants"
STEM = "checkerboard"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (1000, 640)
LIMITS = (-3.2, 29.6, -1.4, 19.6)
PANEL_X = (0.0, 10.0, 20.0)
ROW_TOPS = (18.0, 8.6)
TITLES = {
    "k3s2": "转置卷积 K=3, S=2",
    "k4s2": "转置卷积 K=4, S=2",
    "resize_conv": "最近邻放大 2 倍，再做 3×3 卷积",
}


def frame_numbers() -> dict[str, dict[str, list[list[float]]]]:
    """For each method: the 8x8 output with weights 1 and with seeded random weights."""
    snippet = load_snippet("variants/checkerboard.py")
    upsample, sizes = snippet["upsample"], snippet["KERNEL_SIZES"]
    generator = torch.Generator().manual_seed(0)
    numbers = {}
    for method, k in sizes.items():
        ones = upsample(method, torch.ones(1, 1, k, k))[0, 0]
        random = upsample(method, torch.randn(1, 1, k, k, generator=generator))[0, 0]
        numbers[method] = {"ones": ones.tolist(), "random": random.tolist()}
    return numbers


def blend(low: str, high: str, t: float) -> tuple[float, float, float]:
    a, b = np.array(to_rgb(low)), np.array(to_rgb(high))
    return tuple(float(v) for v in a + (b - a) * t)


def heat_grid(axes: Axes, values: np.ndarray, corner: tuple[float, float], theme: Theme, fmt: str):
    """Cells shaded from the input colour (smallest) to the highlight colour (largest)."""
    low, high = values.min(), values.max()
    span = high - low if high - low > 1e-6 else 1.0
    x0, y0 = corner
    for (r, c), value in np.ndenumerate(values):
        fill = blend(theme.input, theme.highlight, float((value - low) / span))
        luminance = 0.2126 * fill[0] + 0.7152 * fill[1] + 0.0722 * fill[2]
        text = "#111111" if luminance > 0.5 else "#f5f5f5"
        axes.add_patch(
            Rectangle((x0 + c, y0 - r - 1), 1, 1, facecolor=fill, edgecolor=theme.grid, lw=0.6)
        )
        axes.text(
            x0 + c + 0.5,
            y0 - r - 0.5,
            fmt.format(value),
            ha="center",
            va="center",
            color=text,
            fontsize=10,
        )


def draw(theme: Theme, numbers: dict) -> object:
    axes = new_canvas(theme, SIZE_PX, LIMITS)
    for top, key, label, fmt in [
        (ROW_TOPS[0], "ones", "权重全为 1", "{:.0f}"),
        (ROW_TOPS[1], "random", "随机权重", "{:.1f}"),
    ]:
        axes.text(-0.5, top - 4, label, ha="right", va="center", rotation=90, color=theme.muted)
        for left, (method, title) in zip(PANEL_X, TITLES.items(), strict=True):
            values = np.array(numbers[method][key])
            heat_grid(axes, values, (left, top), theme, fmt)
            axes.text(left + 4, top + 0.4, title, ha="center", color=theme.text)
    caption = (
        "输入：4×4 的常数图像；每个输出都是 8×8（颜色：每幅小图的最小值为蓝色，越大越接近橙色）"
    )
    axes.text(13, -0.8, caption, ha="center", color=theme.muted, fontsize=14)
    return render(axes)


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    numbers = frame_numbers()
    return [
        save_png(draw(THEMES[name], numbers), out_dir / f"{STEM}-{name}.png") for name in themes
    ]


main = figure_cli(
    build,
    OUTPUT_DIR,
    "第 4 章：把常数 4×4 图像用三种方法放大到 8×8 时的棋盘格伪影（PNG）。",
)

if __name__ == "__main__":
    sys.exit(main())
