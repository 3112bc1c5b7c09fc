"""GIF: a 3x3 kernel with dilation 2 on a 7x7 input, one output position per frame.

The input and kernel come from ``snippets/variants/dilated_conv.py``; the outputs are
``F.conv2d(..., dilation=2)`` and the zero-inserted 5x5 kernel is that snippet's ``insert_zeros``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch.nn.functional as F
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from PIL import Image

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

OUTPUT_DIR = FIGURES_DIR / "variants"
STEM = "dilated-conv"
OUTPUTS = [f"{STEM}-{theme}.gif" for theme in THEMES]
SIZE_PX = (1000, 380)
LIMITS = (-0.5, 28.5, -1.8, 9.2)
DILATION = 2
K = 3  # the kernel side of the snippet
EFFECTIVE = DILATION * (K - 1) + 1
TOP = 8.0
INPUT_X, KERNEL_X, OUTPUT_X, SPREAD_X = 0.5, 9.5, 15.5, 21.5
FRAME_MS, LAST_FRAME_MS = 1500, 3500


def example() -> dict:
    return load_snippet("variants/dilated_conv.py")


def frame_numbers() -> list[dict]:
    """For each output position: the 9 sampled input pixels, the products and the output."""
    snippet = example()
    image, kernel = snippet["image"], snippet["kernel"]
    output = F.conv2d(image.view(1, 1, 7, 7), kernel.view(1, 1, 3, 3), dilation=DILATION)[0, 0]
    frames = []
    for i in range(output.shape[0]):
        for j in range(output.shape[1]):
            sampled = [(i + DILATION * u, j + DILATION * v) for u in range(3) for v in range(3)]
            products = [
                int(image[r, c] * kernel[u, v])
                for (r, c), (u, v) in zip(sampled, np.ndindex(3, 3), strict=True)
            ]
            frames.append(
                {
                    "position": (i, j),
                    "sampled": sampled,
                    "products": products,
                    "output": int(output[i, j]),
                }
            )
    return frames


def static_canvas(theme: Theme, snippet: dict) -> Axes:
    """What every frame shares: the input, the kernel, the empty output, the 5x5 equivalent."""
    image, kernel = snippet["image"].numpy(), snippet["kernel"]
    spread = snippet["insert_zeros"](kernel, DILATION).numpy()
    axes = new_canvas(theme, SIZE_PX, LIMITS)
    title = {"ha": "center", "color": theme.muted}
    rows, cols = image.shape
    k = kernel.shape[-1]
    axes.text(INPUT_X + cols / 2, TOP + 0.4, f"输入 {rows}×{cols}", **title)
    axes.text(KERNEL_X + k / 2, TOP + 0.4, f"卷积核 {k}×{k}，D={DILATION}", **title)
    axes.text(OUTPUT_X + 1.5, TOP + 0.4, "输出 3×3", **title)
    axes.text(
        SPREAD_X + len(spread) / 2, TOP + 0.4, f"等同于这个 {len(spread)}×{len(spread)}", **title
    )
    draw_grid(axes, image, (INPUT_X, TOP), theme, theme.input)
    draw_grid(axes, kernel.numpy(), (KERNEL_X, TOP - 1), theme, theme.kernel)
    draw_grid(axes, np.full((3, 3), np.nan), (OUTPUT_X, TOP - 1), theme, theme.output)
    draw_grid(axes, spread, (SPREAD_X, TOP), theme, theme.kernel)
    for r, c in np.ndindex(*spread.shape):
        if r % DILATION or c % DILATION:  # an inserted zero: dim it
            dim = Rectangle(
                (SPREAD_X + c, TOP - r - 1),
                1,
                1,
                facecolor=theme.background,
                edgecolor=theme.grid,
                alpha=0.55,
            )
            axes.add_patch(dim)
    return axes


def draw_frame(axes: Axes, theme: Theme, step: dict | None, filled: dict) -> Image.Image:
    """Add this frame's outputs, outlines and caption to the static canvas, render, remove them."""
    kept_patches, kept_texts = len(axes.patches), len(axes.texts)
    for (i, j), value in filled.items():
        axes.text(
            OUTPUT_X + j + 0.5,
            TOP - 1 - i - 0.5,
            f"{value:g}",
            ha="center",
            va="center",
            color=theme.text,
        )
    if step is None:
        caption = (
            f"{K * K} 个权重覆盖 {EFFECTIVE}×{EFFECTIVE} 的范围："
            f"等效大小 D(K − 1) + 1 = {DILATION}×({K} − 1) + 1 = {EFFECTIVE}"
        )
    else:
        i, j = step["position"]
        window = Rectangle(
            (INPUT_X + j, TOP - i - 5),
            5,
            5,
            fill=False,
            edgecolor=theme.highlight,
            linewidth=1.5,
            linestyle="--",
        )
        axes.add_patch(window)
        for r, c in step["sampled"]:
            outline(axes, (INPUT_X + c, TOP - r), (1, 1), theme.highlight)
        outline(axes, (OUTPUT_X + j, TOP - 1 - i), (1, 1), theme.highlight)
        terms = " + ".join(f"({p})" for p in step["products"])
        caption = f"输出[{i},{j}] = {terms} = {step['output']}"
    axes.text(14, -0.9, caption, ha="center", color=theme.text, fontsize=15)
    image = render(axes)
    for artist in [*axes.patches[kept_patches:], *axes.texts[kept_texts:]]:
        artist.remove()
    return image


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    steps, snippet = frame_numbers(), example()
    written = []
    for name in themes:
        theme = THEMES[name]
        axes = static_canvas(theme, snippet)
        frames, filled = [], {}
        for step in steps:
            filled[step["position"]] = step["output"]
            frames.append(draw_frame(axes, theme, step, filled))
        frames.append(draw_frame(axes, theme, None, filled))
        durations = [FRAME_MS] * len(steps) + [LAST_FRAME_MS]
        written.append(save_gif(frames, out_dir / f"{STEM}-{name}.gif", durations))
    return written


main = figure_cli(
    build,
    OUTPUT_DIR,
    "第 4 章：7×7 输入上空洞率为 2 的 3×3 卷积核，每帧一个输出位置（GIF）。",
)

if __name__ == "__main__":
    sys.exit(main())
