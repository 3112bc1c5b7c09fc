"""GIF: channel shuffle after a group convolution, step by step, and what it changes.

Twelve channels in three groups, as in ``snippets/variants/channel_shuffle.py``. The channel
order is computed by that snippet's ``channel_shuffle`` (and checked against
``nn.ChannelShuffle``); the last frame shows, computed with autograd, which input channels each
output channel of two stacked group convolutions depends on, without and with the shuffle.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from PIL import Image
from torch import nn

from figures.common import (
    FIGURES_DIR,
    THEMES,
    Theme,
    figure_cli,
    load_snippet,
    new_canvas,
    render,
    save_gif,
)

OUTPUT_DIR = FIGURES_DIR / "variants"
STEM = "group-shuffle"
OUTPUTS = [f"{STEM}-{theme}.gif" for theme in THEMES]
SIZE_PX = (1000, 500)
LIMITS = (-0.5, 31.5, -1.6, 14.4)
CHANNELS, GROUPS = 12, 3
PER_GROUP = CHANNELS // GROUPS
ROW_LEFT = 8.5  # left edge of a row of 12 channels (with a gap between groups)
FRAME_MS = (2200, 2200, 2200, 2200, 2800, 4500)


def shuffled_order() -> list[int]:
    channel_shuffle = load_snippet("variants/channel_shuffle.py")["channel_shuffle"]
    labels = torch.arange(CHANNELS).view(1, CHANNELS, 1, 1)
    order = channel_shuffle(labels, GROUPS).flatten().tolist()
    if order != nn.ChannelShuffle(GROUPS)(labels).flatten().tolist():
        raise ValueError("channel_shuffle 与 nn.ChannelShuffle 的结果不一致")
    return order


def dependencies(shuffle: bool) -> np.ndarray:
    """(output channel, input channel) -> True where two stacked group convs connect them,
    computed with autograd by the snippet's ``connected_pairs``."""
    connected_pairs = load_snippet("variants/channel_shuffle.py")["connected_pairs"]
    return connected_pairs(shuffle, CHANNELS, GROUPS).numpy()


def frame_numbers() -> dict:
    """Everything the GIF draws: the grids of the reshape and transpose, the order, the masks."""
    labels = torch.arange(CHANNELS)
    reshaped = labels.view(GROUPS, PER_GROUP)
    return {
        "reshaped": reshaped.tolist(),
        "transposed": reshaped.T.tolist(),
        "order": shuffled_order(),
        "depends_without_shuffle": dependencies(shuffle=False).tolist(),
        "depends_with_shuffle": dependencies(shuffle=True).tolist(),
    }


def channel_box(axes: Axes, corner: tuple[float, float], label: int, theme: Theme) -> None:
    """One channel as a box coloured by the group it came from; ``corner`` is its top-left."""
    x0, y0 = corner
    color = theme.series[label // PER_GROUP]
    axes.add_patch(Rectangle((x0, y0 - 1), 0.9, 0.9, facecolor=color, edgecolor=theme.grid))
    axes.text(
        x0 + 0.45,
        y0 - 0.55,
        str(label),
        ha="center",
        va="center",
        color=theme.background,
        fontweight="bold",
    )


def channel_row(axes: Axes, top: float, labels: list[int], theme: Theme, brackets: str) -> None:
    for index, label in enumerate(labels):
        left = ROW_LEFT + index + 0.5 * (index // PER_GROUP)
        channel_box(axes, (left, top), label, theme)
    for g in range(GROUPS):
        left = ROW_LEFT + g * (PER_GROUP + 0.5)
        axes.plot([left, left + PER_GROUP - 0.1], [top - 1.25] * 2, color=theme.muted, lw=2)
        axes.text(
            left + PER_GROUP / 2,
            top - 1.75,
            f"{brackets} {g}",
            ha="center",
            va="center",
            color=theme.muted,
        )


def grid_of_channels(axes: Axes, left: float, top: float, rows: list[list[int]], theme: Theme):
    for r, row in enumerate(rows):
        for c, label in enumerate(row):
            channel_box(axes, (left + c, top - r), label, theme)


def draw_steps(theme: Theme, numbers: dict, shown: int) -> Image.Image:
    axes = new_canvas(theme, SIZE_PX, LIMITS)
    muted = {"ha": "left", "va": "center", "color": theme.muted}
    axes.text(0, 12.5, "第一层分组卷积之后", **muted)
    channel_row(axes, 13, list(range(CHANNELS)), theme, "组")
    captions = [
        "颜色 = 算出该通道的第一层分组",
        f"变形（reshape）：{CHANNELS} 个通道 → {GROUPS} 行（组）× {PER_GROUP} 列",
        f"转置（transpose）：{GROUPS} × {PER_GROUP} → {PER_GROUP} × {GROUPS}",
        f"展平（flatten）：按行读出 {PER_GROUP} × {GROUPS} 的网格",
        f"第二层（groups={GROUPS}）：每一组都收到了全部 {GROUPS} 个组的通道",
    ]
    if shown >= 1:
        axes.text(0, 8.0, "变形", **muted)
        grid_of_channels(axes, 9.0, 9.5, numbers["reshaped"], theme)
    if shown >= 2:
        axes.text(14.5, 8.0, "转置", **muted)
        grid_of_channels(axes, 18.5, 10.0, numbers["transposed"], theme)
    if shown >= 3:
        axes.text(0, 3.0, "展平", **muted)
        label = "第二层的组" if shown >= 4 else "位置"
        channel_row(axes, 3.5, numbers["order"], theme, label)
    axes.text(15.5, -0.9, captions[shown], ha="center", color=theme.text, fontsize=15)
    return render(axes)


def dependency_matrix(axes: Axes, left: float, top: float, mask: list[list[bool]], theme: Theme):
    cell = 0.8
    for o, row in enumerate(mask):
        for c, connected in enumerate(row):
            fill = theme.series[c // PER_GROUP] if connected else theme.background
            axes.add_patch(
                Rectangle(
                    (left + c * cell, top - (o + 1) * cell),
                    cell,
                    cell,
                    facecolor=fill,
                    edgecolor=theme.grid,
                    lw=0.5,
                )
            )
    axes.text(left + 6 * cell, top + 0.45, "第一层的输入通道 →", ha="center", color=theme.muted)
    axes.text(
        left - 0.3,
        top - 6 * cell,
        "第二层的输出通道",
        ha="right",
        va="center",
        rotation=90,
        color=theme.muted,
    )


def draw_dependencies(theme: Theme, numbers: dict) -> Image.Image:
    axes = new_canvas(theme, SIZE_PX, LIMITS)
    without, with_shuffle = numbers["depends_without_shuffle"], numbers["depends_with_shuffle"]
    for left, mask, title in [
        (2.5, without, "不混洗"),
        (18.5, with_shuffle, "混洗后"),
    ]:
        count = sum(map(sum, mask))
        axes.text(
            left + 4.8,
            12.6,
            f"{title}：{len(mask) * len(mask[0])} 对中 {count} 对相连",
            ha="center",
            color=theme.text,
        )
        dependency_matrix(axes, left, 11.3, mask, theme)
    caption = "两层分组卷积：第二层的每个输出通道依赖第一层的哪些输入通道（autograd 求出）"
    axes.text(15.5, -0.9, caption, ha="center", color=theme.text, fontsize=15)
    return render(axes)


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    numbers = frame_numbers()
    written = []
    for name in themes:
        theme = THEMES[name]
        frames = [draw_steps(theme, numbers, shown) for shown in range(5)]
        frames.append(draw_dependencies(theme, numbers))
        written.append(save_gif(frames, out_dir / f"{STEM}-{name}.gif", FRAME_MS))
    return written


main = figure_cli(
    build,
    OUTPUT_DIR,
    "第 4 章：分组卷积之后的通道混洗，一步一步演示它改变了什么（GIF）。",
)

if __name__ == "__main__":
    sys.exit(main())
