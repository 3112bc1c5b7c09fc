"""GIF: a transposed convolution (2x2 input, 3x3 kernel, stride 2) seen two ways.

First each input element scatters ``x[i, j] * kernel`` into the 5x5 output; then the same output
is read off an ordinary convolution of the zero-inserted, padded input with the flipped kernel.
The example is ``snippets/variants/transposed_as_conv.py``; every number is computed by torch.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
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
STEM = "transposed-conv"
OUTPUTS = [f"{STEM}-{theme}.gif" for theme in THEMES]
SIZE_PX = (1000, 470)
LIMITS = (-0.5, 23.0, -2.0, 8.6)
STRIDE, K = 2, 3
TOP = 7.0
ZERO_POSITIONS = [(0, 0), (0, 1), (1, 1), (2, 2), (2, 3), (4, 4)]
FRAME_MS, SUM_MS = 1800, 3000


def example() -> tuple[torch.Tensor, torch.Tensor]:
    snippet = load_snippet("variants/transposed_as_conv.py")
    return snippet["x"], snippet["w"]


def transposed(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    return F.conv_transpose2d(x.view(1, 1, *x.shape), w.view(1, 1, K, K), stride=STRIDE)[0, 0]


def padded_input(x: torch.Tensor) -> torch.Tensor:
    """Zeros between the elements (stride - 1 of them), then K - 1 - P = 2 zeros around."""
    spread = x.new_zeros((x.shape[0] - 1) * STRIDE + 1, (x.shape[1] - 1) * STRIDE + 1)
    spread[::STRIDE, ::STRIDE] = x
    return F.pad(spread, (K - 1,) * 4)


def frame_numbers() -> list[dict]:
    x, w = example()
    frames = []
    mask = torch.zeros_like(x)
    for i, j in np.ndindex(*x.shape):
        mask[i, j] = 1
        frames.append(
            {
                "phase": "scatter",
                "input": (i, j),
                "value": int(x[i, j]),
                "contribution": (x[i, j] * w).int().tolist(),
                "partial": transposed(x * mask, w).int().tolist(),  # elements so far
            }
        )
    padded, flipped = padded_input(x), w.flip(0, 1)
    output = transposed(x, w)
    for r, c in ZERO_POSITIONS:
        frames.append(
            {
                "phase": "zero_insertion",
                "position": (r, c),
                "window": padded[r : r + K, c : c + K].int().tolist(),
                "terms": (padded[r : r + K, c : c + K] * flipped).int().flatten().tolist(),
                "value": int(output[r, c]),
            }
        )
    return frames


def draw_scatter(theme: Theme, step: dict, x, w) -> Image.Image:
    axes = new_canvas(theme, SIZE_PX, LIMITS)
    title = {"ha": "center", "color": theme.muted}
    axes.text(1.5, TOP + 0.4, f"输入 {len(x)}×{len(x)}", **title)
    draw_grid(axes, x, (0.5, TOP), theme, theme.input)
    axes.text(6.0, TOP + 0.4, f"卷积核 {K}×{K}", **title)
    draw_grid(axes, w, (4.5, TOP), theme, theme.kernel)
    i, j = step["input"]
    outline(axes, (0.5 + j, TOP - i), (1, 1), theme.highlight)
    axes.text(11.0, TOP + 0.4, f"x[{i},{j}] × 卷积核", **title)
    draw_grid(axes, np.array(step["contribution"]), (9.5, TOP), theme, theme.window)
    size = len(step["partial"])
    axes.text(18.5, TOP + 0.4, f"输出 {size}×{size}（累加中）", **title)
    draw_grid(axes, np.array(step["partial"]), (16.0, TOP), theme, theme.output)
    outline(axes, (16.0 + STRIDE * j, TOP - STRIDE * i), (K, K), theme.highlight)
    caption = (
        f"撒：把 {step['value']} × 卷积核加到第 {STRIDE * i}–{STRIDE * i + K - 1} 行、"
        f"第 {STRIDE * j}–{STRIDE * j + K - 1} 列（步长 {STRIDE}）"
    )
    axes.text(11.25, -1.2, caption, ha="center", color=theme.text, fontsize=15)
    return render(axes)


def draw_zero_insertion(theme: Theme, step: dict, padded, flipped, output) -> Image.Image:
    axes = new_canvas(theme, SIZE_PX, LIMITS)
    title = {"ha": "center", "color": theme.muted}
    edge = K - 1  # D(K − 1) − P with D = 1, P = 0: what padded_input adds
    axes.text(4.0, TOP + 0.4, f"插零后四周各填充 {edge}", **title)
    draw_grid(axes, padded, (0.5, TOP), theme, theme.input)
    axes.text(10.5, TOP + 0.4, "翻转后的卷积核", **title)
    draw_grid(axes, flipped, (9.0, TOP - 2), theme, theme.kernel)
    r, c = step["position"]
    outline(axes, (0.5 + c, TOP - r), (K, K), theme.highlight)
    shown = np.full(output.shape, np.nan)
    for rr, cc in ZERO_POSITIONS[: ZERO_POSITIONS.index((r, c)) + 1]:
        shown[rr, cc] = output[rr, cc]
    axes.text(18.5, TOP + 0.4, f"同样的输出 {len(output)}×{len(output)}", **title)
    draw_grid(axes, shown, (16.0, TOP - 1), theme, theme.output)
    outline(axes, (16.0 + c, TOP - 1 - r), (1, 1), theme.highlight)
    caption = f"步长 1 的普通卷积：输出[{r},{c}] = Σ(窗口 × 翻转的卷积核) = {step['value']}"
    axes.text(11.25, -1.2, caption, ha="center", color=theme.text, fontsize=15)
    return render(axes)


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    x, w = example()
    steps = frame_numbers()
    padded, flipped = padded_input(x).numpy(), w.flip(0, 1).numpy()
    output = transposed(x, w).numpy()
    written = []
    for name in themes:
        theme = THEMES[name]
        frames, durations = [], []
        for step in steps:
            if step["phase"] == "scatter":
                frames.append(draw_scatter(theme, step, x.numpy(), w.numpy()))
            else:
                frames.append(draw_zero_insertion(theme, step, padded, flipped, output))
            durations.append(FRAME_MS)
        durations[3] = durations[-1] = SUM_MS  # the last scatter and the last conv frame
        written.append(save_gif(frames, out_dir / f"{STEM}-{name}.gif", durations))
    return written


main = figure_cli(
    build,
    OUTPUT_DIR,
    "第 4 章：从两个角度看转置卷积（2×2 输入、3×3 卷积核、步长 2）（GIF）。",
)

if __name__ == "__main__":
    sys.exit(main())
