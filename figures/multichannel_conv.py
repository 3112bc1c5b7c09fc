"""GIF: the worked multi-channel convolution of chapter 1, one output position per frame.

The numbers come from ``snippets/overview/multichannel_conv.py`` (the same input, filter and
bias as on the page); every per-channel sum and every output value is computed by torch.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

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

OUTPUT_DIR = FIGURES_DIR / "overview"
STEM = "multichannel-conv"
OUTPUTS = [f"{STEM}-{theme}.gif" for theme in THEMES]
SIZE_PX = (1000, 470)
LIMITS = (-0.5, 26.5, -6.8, 6.6)  # x_min, x_max, y_min, y_max in cell units
CHANNEL_X = (0.0, 6.5, 13.0)  # left edge of each input channel
OUTPUT_X = 21.0
FRAME_MS, LAST_FRAME_MS = 1300, 3000


def example_tensors() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Input (1, 3, 5, 5), weight (1, 3, 3, 3) and bias (1,) of the chapter-1 example."""
    example = load_snippet("overview/multichannel_conv.py")
    x = torch.tensor(example["image"], dtype=torch.float32).unsqueeze(0)
    w = torch.tensor(example["kernels"], dtype=torch.float32).unsqueeze(0)
    b = torch.tensor([example["bias"]], dtype=torch.float32)
    return x, w, b


def frame_numbers() -> list[dict]:
    """For each output position: the window, each channel's sum, the bias and the output."""
    x, w, b = example_tensors()
    channels = x.shape[1]
    # groups=C keeps the channels apart: per_channel[0, c] is channel c's 2-D convolution
    per_channel = F.conv2d(x, w.reshape(channels, 1, 3, 3), groups=channels)[0]
    output = F.conv2d(x, w, b)[0, 0]
    return [
        {
            "position": (i, j),
            "channel_sums": [int(v) for v in per_channel[:, i, j]],
            "bias": int(b[0]),
            "output": int(output[i, j]),
        }
        for i in range(output.shape[0])
        for j in range(output.shape[1])
    ]


def draw_frame(theme: Theme, step: dict | None, filled: dict, x, w) -> object:
    axes = new_canvas(theme, SIZE_PX, LIMITS)
    top = 5.5
    for c, left in enumerate(CHANNEL_X):
        axes.text(left + 2.5, top + 0.35, f"输入通道 {c}", ha="center", color=theme.muted)
        draw_grid(axes, x[c], (left, top), theme, theme.input)
        kernel_left = left + 1
        axes.text(kernel_left + 1.5, -0.15, f"卷积核 {c}", ha="center", color=theme.muted)
        draw_grid(axes, w[c], (kernel_left, -0.4), theme, theme.kernel)
        if step is not None:
            i, j = step["position"]
            outline(axes, (left + j, top - i), (3, 3), theme.highlight)
            axes.text(
                kernel_left + 1.5, -4.2, f"和 = {step['channel_sums'][c]}",
                ha="center", color=theme.highlight,
            )  # fmt: skip
    axes.text(OUTPUT_X + 1.5, top + 0.35, "输出（3×3）", ha="center", color=theme.muted)
    grid = np.full((3, 3), np.nan)
    for (i, j), value in filled.items():
        grid[i, j] = value
    draw_grid(axes, grid, (OUTPUT_X, top - 1), theme, theme.output)
    if step is None:
        caption = "每个输出 = 3 个通道各自的和 + 偏置"
    else:
        i, j = step["position"]
        outline(axes, (OUTPUT_X + j, top - 1 - i), (1, 1), theme.highlight)
        sums = " + ".join(f"({s})" for s in step["channel_sums"])
        caption = f"输出[{i},{j}] = {sums} + 偏置 {step['bias']} = {step['output']}"
    axes.text(13, -6.0, caption, ha="center", color=theme.text, fontsize=15)
    return render(axes)


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    x, w, _ = example_tensors()
    x, w = x[0].numpy(), w[0].numpy()
    steps = frame_numbers()
    written = []
    for name in themes:
        theme = THEMES[name]
        frames, filled = [], {}
        for step in steps:
            filled[step["position"]] = step["output"]
            frames.append(draw_frame(theme, step, dict(filled), x, w))
        frames.append(draw_frame(theme, None, filled, x, w))
        durations = [FRAME_MS] * len(steps) + [LAST_FRAME_MS]
        written.append(save_gif(frames, out_dir / f"{STEM}-{name}.gif", durations))
    return written


main = figure_cli(build, OUTPUT_DIR, "第 1 章：多通道卷积的算例，每帧一个输出位置（GIF）。")

if __name__ == "__main__":
    sys.exit(main())
