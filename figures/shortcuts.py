"""Diagram: an addition shortcut (ResNet) next to a concatenation shortcut (DenseNet) (chapter 5).

Box heights are proportional to channel counts. The shapes, tensor sizes and the cost of the
following 3x3 convolution are those computed by torch in
``snippets/operators/shortcut_add_concat.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, Rectangle

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

OUTPUT_DIR = FIGURES_DIR / "operators"
STEM = "shortcuts"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (1000, 400)
LIMITS = (0.0, 25.0, 0.0, 10.0)
UNITS_PER_CHANNEL = 2.6 / 64  # a 64-channel tensor is drawn 2.6 units tall
BOX_WIDTH = 2.4
INPUT_BOTTOMS = (2.9, 6.1)  # x below, F(x) above


def shortcut_numbers() -> dict:
    """Shapes and costs from the chapter-5 snippet, keyed "add" and "concat"."""
    example = load_snippet("operators/shortcut_add_concat.py")
    inputs = [tuple(example["x"].shape), tuple(example["f_x"].shape)]
    return {
        "inputs": inputs,
        "add": {**example["costs"]["相加"], "shape": tuple(example["added"].shape)},
        "concat": {**example["costs"]["拼接"], "shape": tuple(example["joined"].shape)},
    }


def tensor_box(
    axes: Axes, theme: Theme, corner: tuple[float, float], channels: int, fill: str, label: str
) -> float:
    """A tensor drawn as a box whose height is proportional to its channels; returns the height."""
    height = channels * UNITS_PER_CHANNEL
    axes.add_patch(
        Rectangle(corner, BOX_WIDTH, height, facecolor=fill, edgecolor=theme.grid, linewidth=1.5)
    )
    axes.text(corner[0] + BOX_WIDTH / 2, corner[1] + height / 2, label,
              ha="center", va="center", color=theme.text, fontsize=11.5)  # fmt: skip
    return height


def arrow(axes: Axes, theme: Theme, start: tuple[float, float], end: tuple[float, float]) -> None:
    axes.add_patch(
        FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=18, color=theme.muted, lw=1.8)
    )


def shape_label(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape[1:])


def draw_inputs(axes: Axes, theme: Theme, left: float, numbers: dict) -> None:
    fills = (theme.input, theme.kernel)
    for name, shape, bottom, fill in zip(
        ("x", "F(x)"), numbers["inputs"], INPUT_BOTTOMS, fills, strict=True
    ):
        tensor_box(axes, theme, (left, bottom), shape[1], fill, f"{name}\n{shape_label(shape)}")


def draw_addition(axes: Axes, theme: Theme, left: float, numbers: dict) -> None:
    draw_inputs(axes, theme, left, numbers)
    middle = 5.8
    plus_x = left + 4.2
    axes.text(plus_x, middle, "+", ha="center", va="center", fontsize=34,
              color=theme.highlight, fontweight="bold")  # fmt: skip
    arrow(axes, theme, (left + BOX_WIDTH, 4.2), (plus_x - 0.4, middle - 0.4))
    arrow(axes, theme, (left + BOX_WIDTH, 7.4), (plus_x - 0.4, middle + 0.4))
    out_left = left + 6.0
    arrow(axes, theme, (plus_x + 0.4, middle), (out_left, middle))
    result = numbers["add"]
    height = result["channels"] * UNITS_PER_CHANNEL
    tensor_box(axes, theme, (out_left, middle - height / 2), result["channels"], theme.output,
               f"x + F(x)\n{shape_label(result['shape'])}")  # fmt: skip


def draw_concatenation(axes: Axes, theme: Theme, left: float, numbers: dict) -> None:
    draw_inputs(axes, theme, left, numbers)
    out_left, out_bottom = left + 6.0, 3.2
    arrow(axes, theme, (left + BOX_WIDTH, 4.2), (out_left - 0.1, out_bottom + 1.3))
    arrow(axes, theme, (left + BOX_WIDTH, 7.4), (out_left - 0.1, out_bottom + 3.9))
    axes.text(left + 4.2, 5.8, "拼接", ha="center", va="center", fontsize=17,
              color=theme.highlight, fontweight="bold")  # fmt: skip
    bottom = out_bottom
    for name, shape, fill in zip(
        ("x", "F(x)"), numbers["inputs"], (theme.input, theme.kernel), strict=True
    ):
        bottom += tensor_box(axes, theme, (out_left, bottom), shape[1], fill, name)
    axes.text(out_left + BOX_WIDTH / 2, out_bottom - 0.4, shape_label(numbers["concat"]["shape"]),
              ha="center", va="center", color=theme.text, fontsize=13)  # fmt: skip


def draw_caption(axes: Axes, theme: Theme, left: float, title: str, cost: dict) -> None:
    axes.text(left + 4.2, 9.4, title, ha="center", va="center", color=theme.text, fontsize=17)
    summary = (
        f"合并后的张量 {cost['megabytes']:.2f} MB（float32）\n"
        f"下一层 3×3 卷积（输出 {cost['out_channels']} 通道）：\n"
        f"{cost['params']:,} 个参数，{cost['macs'] / 1e6:.1f} M MACs"
    )
    axes.text(left + 4.2, 1.1, summary, ha="center", va="center", color=theme.muted, fontsize=13)


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    numbers = shortcut_numbers()
    written = []
    for name in themes:
        theme = THEMES[name]
        axes = new_canvas(theme, SIZE_PX, LIMITS)
        draw_addition(axes, theme, 1.5, numbers)
        draw_caption(axes, theme, 1.5, "相加（ResNet）", numbers["add"])
        draw_concatenation(axes, theme, 14.0, numbers)
        draw_caption(axes, theme, 14.0, "拼接（DenseNet）", numbers["concat"])
        axes.plot([12.5, 12.5], [0.4, 9.8], color=theme.grid, lw=1)
        written.append(save_png(render(axes), out_dir / f"{STEM}-{name}.png"))
    return written


main = figure_cli(
    build,
    OUTPUT_DIR,
    "第 5 章：加法捷径连接（ResNet）与拼接捷径连接（DenseNet）并排对比。",
)

if __name__ == "__main__":
    sys.exit(main())
