"""GIF: 2x2 max and average pooling with stride 2 and ceil_mode=True on a 5x5 input.

The input comes from ``snippets/arithmetic/pool_output_size.py``. With ceil_mode the last row and
column of windows hang over the edge of the input; the frames show which cells each window
covers, and the max and the average (over the covered cells only) that torch computes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from matplotlib.patches import Rectangle
from PIL import Image
from torch import Tensor
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

OUTPUT_DIR = FIGURES_DIR / "arithmetic"
STEM = "pooling-window"
OUTPUTS = [f"{STEM}-{theme}.gif" for theme in THEMES]
KERNEL = STRIDE = 2
SIZE_PX = (1000, 470)
LIMITS = (-0.6, 19.4, -2.6, 6.8)  # 50 px per cell
INPUT_X, MAX_X, AVG_X, TOP = 0.5, 9.0, 14.5, 6.0
FRAME_MS, LAST_FRAME_MS = 1400, 3000


def example_input() -> Tensor:
    """The 5x5 input (1, 1, 5, 5) of the page's ceil_mode example."""
    return load_snippet("arithmetic/pool_output_size.py")["image"]


def frame_numbers() -> list[dict]:
    """For each output position: the input cells the window covers, and torch's max and mean."""
    image = example_input()
    height, width = image.shape[-2:]
    max_out = F.max_pool2d(image, KERNEL, STRIDE, ceil_mode=True)[0, 0]
    avg_out = F.avg_pool2d(image, KERNEL, STRIDE, ceil_mode=True)[0, 0]
    frames = []
    for i, j in np.ndindex(*max_out.shape):
        top, left = i * STRIDE, j * STRIDE
        covered = image[0, 0, top : min(top + KERNEL, height), left : min(left + KERNEL, width)]
        frames.append(
            {
                "position": (i, j),
                "corner": (top, left),
                "covered": covered.int().tolist(),
                "max": int(max_out[i, j]),
                "average": float(avg_out[i, j]),
            }
        )
    return frames


def draw_frame(theme: Theme, step: dict | None, done: list[dict], image: np.ndarray) -> Image.Image:
    axes = new_canvas(theme, SIZE_PX, LIMITS)
    size = image.shape[0]
    axes.text(
        INPUT_X + 3,
        TOP + 0.3,
        "输入 5×5（虚线格在输入之外）",
        ha="center",
        color=theme.muted,
    )
    for k in range(size + 1):  # the row and the column beyond the input, where windows overhang
        for row, col in ((size, k), (k, size)):
            axes.add_patch(
                Rectangle(
                    (INPUT_X + col, TOP - row - 1),
                    1,
                    1,
                    fill=False,
                    edgecolor=theme.grid,
                    linewidth=1,
                    linestyle=":",
                )
            )
    draw_grid(axes, image, (INPUT_X, TOP), theme, theme.input)
    max_grid, avg_grid = np.full((3, 3), np.nan), np.full((3, 3), np.nan)
    for frame in done:
        max_grid[frame["position"]] = frame["max"]
        avg_grid[frame["position"]] = frame["average"]
    axes.text(MAX_X + 1.5, TOP + 0.3, "最大池化", ha="center", color=theme.muted)
    draw_grid(axes, max_grid, (MAX_X, TOP), theme, theme.output)
    axes.text(AVG_X + 1.5, TOP + 0.3, "平均池化", ha="center", color=theme.muted)
    draw_grid(axes, avg_grid, (AVG_X, TOP), theme, theme.output, fmt="{:.4g}")
    axes.text(
        13.0,
        1.9,
        "ceil_mode=True：H' = W' = ⌈(5 − 2) / 2⌉ + 1 = 3",
        ha="center",
        color=theme.text,
    )
    axes.text(
        13.0,
        1.2,
        "（向下取整只得 2，会丢掉最后一行和一列）",
        ha="center",
        color=theme.muted,
    )
    if step is None:
        caption = "伸出输入的窗口只对它盖住的格子取平均"
    else:
        top, left = step["corner"]
        outline(axes, (INPUT_X + left, TOP - top), (KERNEL, KERNEL), theme.highlight)
        for x0 in (MAX_X, AVG_X):
            i, j = step["position"]
            outline(axes, (x0 + j, TOP - i), (1, 1), theme.highlight)
        values = [v for row in step["covered"] for v in row]
        listed = ", ".join(map(str, values))
        caption = (
            f"max({listed}) = {step['max']}     "
            f"({' + '.join(map(str, values))}) / {len(values)} = {step['average']:.4g}"
        )
        axes.text(
            13.0,
            0.3,
            f"窗口盖住 4 格中的 {len(values)} 格",
            ha="center",
            color=theme.highlight,
        )
    axes.text(9.4, -2.05, caption, ha="center", color=theme.text, fontsize=14)
    return render(axes)


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    image = example_input()[0, 0].numpy()
    steps = frame_numbers()
    written = []
    for name in themes:
        theme = THEMES[name]
        frames = [draw_frame(theme, step, steps[: n + 1], image) for n, step in enumerate(steps)]
        frames.append(draw_frame(theme, None, steps, image))
        durations = [FRAME_MS] * len(steps) + [LAST_FRAME_MS]
        written.append(save_gif(frames, out_dir / f"{STEM}-{name}.gif", durations))
    return written


main = figure_cli(
    build,
    OUTPUT_DIR,
    "第 2 章：5×5 输入上步长 2、ceil_mode=True 的 2×2 最大池化与平均池化（GIF）。",
)

if __name__ == "__main__":
    sys.exit(main())
