"""GIF: a 3x3 convolution with padding 1 and stride 2 on a 5x5 input, one output per frame.

The input and kernel come from ``snippets/arithmetic/conv_loops.py`` (the example on the page);
the padded input, every window and every output value are computed by torch.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from matplotlib.patches import Rectangle
from PIL import Image
from torch import Tensor, from_numpy
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
STEM = "conv-stride-padding"
OUTPUTS = [f"{STEM}-{theme}.gif" for theme in THEMES]
STRIDE, PADDING = 2, 1
SIZE_PX = (1000, 470)
LIMITS = (-0.6, 19.4, -2.6, 6.8)  # x_min, x_max, y_min, y_max in cell units (50 px per cell)
INPUT_X, KERNEL_X, OUTPUT_X, TOP = 0.0, 9.0, 14.5, 6.0  # TOP: upper edge of the padded grid
TEXT_X = 12.75  # centre of the explanations right of the input
PAD_FILL = {"light": "#eceff3", "dark": "#2b3038"}
FRAME_MS, LAST_FRAME_MS = 1400, 3000


def example_tensors() -> tuple[Tensor, Tensor]:
    """The 5x5 input (1, 1, 5, 5) and the 3x3 kernel (1, 1, 3, 3) shown on the page."""
    example = load_snippet("arithmetic/conv_loops.py")
    image = from_numpy(example["image"])[None, None]
    kernel = from_numpy(example["kernel"])[None, None]
    return image, kernel


def frame_numbers() -> list[dict]:
    """For each output position: where the window starts in the padded input, its values,
    the element-wise products and the output, all computed by torch."""
    image, kernel = example_tensors()
    padded = F.pad(image, (PADDING,) * 4)[0, 0]
    output = F.conv2d(image, kernel, stride=STRIDE, padding=PADDING)[0, 0]
    windows = F.unfold(image, 3, padding=PADDING, stride=STRIDE)[0]  # (9, number of windows)
    frames = []
    for index, (i, j) in enumerate(np.ndindex(*output.shape)):
        window = windows[:, index].reshape(3, 3)
        products = window * kernel[0, 0]
        frames.append(
            {
                "position": (i, j),
                "corner": (i * STRIDE, j * STRIDE),  # row, column in the padded input
                "window": window.int().tolist(),
                "products": products.int().flatten().tolist(),
                "output": int(output[i, j]),
                "padded": padded.int().tolist(),
            }
        )
    return frames


def draw_frame(theme: Theme, step: dict | None, filled: dict, kernel: np.ndarray) -> Image.Image:
    axes = new_canvas(theme, SIZE_PX, LIMITS)
    padded = np.array(filled["padded"], dtype=float)
    size = padded.shape[0]
    axes.text(
        INPUT_X + size / 2,
        TOP + 0.3,
        "输入 5×5，每侧补 1 圈 0",
        ha="center",
        color=theme.muted,
    )
    draw_grid(axes, np.full_like(padded, np.nan), (INPUT_X, TOP), theme, PAD_FILL[theme.name])
    for row, col in np.ndindex(size, size):
        if row in (0, size - 1) or col in (0, size - 1):  # the padding ring: zeros in grey
            axes.text(
                INPUT_X + col + 0.5,
                TOP - row - 0.5,
                "0",
                ha="center",
                va="center",
                color=theme.muted,
            )
    draw_grid(axes, padded[1:-1, 1:-1], (INPUT_X + 1, TOP - 1), theme, theme.input)
    axes.text(KERNEL_X + 1.5, TOP + 0.3, "卷积核 3×3", ha="center", color=theme.muted)
    draw_grid(axes, kernel, (KERNEL_X, TOP), theme, theme.kernel)
    axes.text(OUTPUT_X + 1.5, TOP + 0.3, "输出 3×3", ha="center", color=theme.muted)
    grid = np.full((3, 3), np.nan)
    for (i, j), value in filled["outputs"].items():
        grid[i, j] = value
    draw_grid(axes, grid, (OUTPUT_X, TOP), theme, theme.output)
    axes.text(
        TEXT_X, 1.9, "H' = W' = ⌊(5 + 2×1 − 3) / 2⌋ + 1 = 3", ha="center", color=theme.text
    )
    axes.text(
        TEXT_X,
        1.2,
        f"步长 {STRIDE}：窗口每次跳 {STRIDE} 格",
        ha="center",
        color=theme.muted,
    )
    if step is None:
        caption = "每个输出 = 窗口与卷积核逐元素相乘之和；窗口从第 0、2、4 行（列）开始"
    else:
        top, left = step["corner"]
        if left >= STRIDE:  # where the window was one step before: shows the stride
            axes.add_patch(
                Rectangle(
                    (INPUT_X + left - STRIDE, TOP - top - 3),
                    3,
                    3,
                    fill=False,
                    edgecolor=theme.muted,
                    linewidth=2,
                    linestyle="--",
                )
            )
        outline(axes, (INPUT_X + left, TOP - top), (3, 3), theme.highlight)
        i, j = step["position"]
        outline(axes, (OUTPUT_X + j, TOP - i), (1, 1), theme.highlight)
        terms = " + ".join(f"({p})" if p < 0 else str(p) for p in step["products"])
        caption = f"输出[{i},{j}] = {terms} = {step['output']}"
        axes.text(
            TEXT_X,
            0.3,
            f"窗口位于填充后输入的第 {top} 行、第 {left} 列",
            ha="center",
            color=theme.highlight,
        )
    axes.text(9.4, -2.05, caption, ha="center", color=theme.text, fontsize=14)
    return render(axes)


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    _, kernel = example_tensors()
    steps = frame_numbers()
    written = []
    for name in themes:
        theme = THEMES[name]
        frames, outputs = [], {}
        for step in steps:
            outputs[step["position"]] = step["output"]
            filled = {"padded": step["padded"], "outputs": dict(outputs)}
            frames.append(draw_frame(theme, step, filled, kernel[0, 0].numpy()))
        filled = {"padded": steps[0]["padded"], "outputs": outputs}
        frames.append(draw_frame(theme, None, filled, kernel[0, 0].numpy()))
        durations = [FRAME_MS] * len(steps) + [LAST_FRAME_MS]
        written.append(save_gif(frames, out_dir / f"{STEM}-{name}.gif", durations))
    return written


main = figure_cli(
    build,
    OUTPUT_DIR,
    "第 2 章：5×5 输入上填充 1、步长 2 的 3×3 卷积，每帧一个输出（GIF）。",
)

if __name__ == "__main__":
    sys.exit(main())
