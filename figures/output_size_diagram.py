"""PNG: where the windows of a 1-D convolution fall, for two configurations, with the formula.

For each configuration the strip is the padded input (padding cells in grey), and each row below
it is one output: dots mark the input cells that output reads (K dots, D cells apart), rows start
S cells apart. The output length and every window's positions are computed by torch.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import torch
from matplotlib.axes import Axes
from matplotlib.patches import Circle, Rectangle
from torch.nn import functional as F

from figures.common import FIGURES_DIR, THEMES, Theme, figure_cli, new_canvas, render, save_png

OUTPUT_DIR = FIGURES_DIR / "arithmetic"
STEM = "output-size"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (1000, 560)
LIMITS = (-1.8, 18.2, -11.0, 0.2)  # 50 px per cell
ROW_STEP = 0.6  # vertical distance between two windows
PAD_FILL = {"light": "#eceff3", "dark": "#2b3038"}


@dataclass(frozen=True)
class Config:
    width: int
    kernel: int
    stride: int
    padding: int
    dilation: int


CONFIGS = [Config(9, 3, 3, 1, 1), Config(10, 3, 2, 3, 3)]


def strip_numbers(config: Config) -> dict:
    """torch's output length, and for each output the padded-input positions its window reads.

    ``taps`` unfolds a signal holding each cell's own padded position, so every value is where a
    tap lands; ``read`` unfolds the input (values 1..W) with torch's own zero padding, so a tap
    that lands in the padding reads 0 and any other reads input cell value-1.
    """
    w, k, s, p, d = config.width, config.kernel, config.stride, config.padding, config.dilation
    size = F.conv1d(torch.zeros(1, 1, w), torch.zeros(1, 1, k), None, s, p, d).shape[-1]
    positions = torch.arange(w + 2 * p, dtype=torch.float32)[None, None, None]
    taps = F.unfold(positions, (1, k), dilation=(1, d), stride=(1, s))[0].T
    labels = torch.arange(1, w + 1, dtype=torch.float32)[None, None, None]
    read = F.unfold(labels, (1, k), dilation=(1, d), padding=(0, p), stride=(1, s))[0].T
    tap_lists = taps.int().tolist()
    used = {t for window in tap_lists for t in window}
    return {
        "output_size": size,
        "taps": tap_lists,
        "read": (read.int() - 1).tolist(),  # input index, or -1 for a padding cell
        "unused": [t for t in range(w + 2 * p) if t not in used],
    }


def formula(config: Config, size: int) -> str:
    w, k, s, p, d = config.width, config.kernel, config.stride, config.padding, config.dilation
    numerator = w + 2 * p - d * (k - 1) - 1
    return (
        f"W' = ⌊({w} + 2×{p} − {d}×({k} − 1) − 1) / {s}⌋ + 1 "
        f"= ⌊{numerator} / {s}⌋ + 1 = {size}"
    )


def draw_config(axes: Axes, theme: Theme, config: Config, top: float) -> float:
    """Draw one configuration whose title sits at ``top``; return the y below it."""
    numbers = strip_numbers(config)
    w, p = config.width, config.padding
    title = (
        f"W = {w}，每侧 P = {p}，K = {config.kernel}，D = {config.dilation}，"
        f"S = {config.stride}  →  {numbers['output_size']} 个输出"
    )
    axes.text(-1.6, top, title, ha="left", va="top", color=theme.text)
    strip_top = top - 0.75
    for cell in range(w + 2 * p):
        inside = p <= cell < p + w
        axes.add_patch(
            Rectangle(
                (cell, strip_top - 1),
                1,
                1,
                edgecolor=theme.grid,
                linewidth=1,
                facecolor=theme.input if inside else PAD_FILL[theme.name],
            )
        )
        label = f"x{cell - p}" if inside else "0"
        axes.text(
            cell + 0.5,
            strip_top - 0.5,
            label,
            ha="center",
            va="center",
            color=theme.text if inside else theme.muted,
            fontsize=11,
        )
        if cell in numbers["unused"]:
            axes.add_patch(
                Rectangle(
                    (cell, strip_top - 1),
                    1,
                    1,
                    fill=False,
                    hatch="//",
                    edgecolor=theme.series[1],
                    linewidth=0,
                )
            )
    axes.text(-0.3, strip_top - 0.5, "输入", ha="right", va="center", color=theme.muted)
    y = strip_top - 1 - ROW_STEP
    for index, window in enumerate(numbers["taps"]):
        axes.plot([window[0] + 0.5, window[-1] + 0.5], [y, y], color=theme.highlight, linewidth=2)
        for tap in window:
            axes.add_patch(Circle((tap + 0.5, y), 0.17, color=theme.highlight))
        axes.text(-0.3, y, f"y{index}", ha="right", va="center", color=theme.text, fontsize=11)
        y -= ROW_STEP
    axes.text(
        -1.6,
        y - 0.05,
        formula(config, numbers["output_size"]),
        ha="left",
        va="top",
        color=theme.text,
    )
    return y - 0.9


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    written = []
    for name in themes:
        theme = THEMES[name]
        axes = new_canvas(theme, SIZE_PX, LIMITS)
        top = -0.1
        for config in CONFIGS:
            top = draw_config(axes, theme, config, top)
        axes.text(
            17.9,
            -10.75,
            "斜线格：从未被读取",
            ha="right",
            va="bottom",
            color=theme.series[1],
            fontsize=11,
        )
        written.append(save_png(render(axes), out_dir / f"{STEM}-{name}.png"))
    return written


main = figure_cli(
    build,
    OUTPUT_DIR,
    "第 2 章：两种设置下一维卷积的窗口落在哪里，附输出尺寸公式（PNG）。",
)

if __name__ == "__main__":
    sys.exit(main())
