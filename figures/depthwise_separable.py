"""GIF: a depthwise separable convolution, first per channel (depthwise), then across (pointwise).

The input, the three depthwise kernels and the 2x3 pointwise weights come from
``snippets/variants/depthwise_pointwise.py``; every value drawn is computed by torch.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.axes import Axes
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
STEM = "depthwise-separable"
OUTPUTS = [f"{STEM}-{theme}.gif" for theme in THEMES]
SIZE_PX = (1000, 500)
LIMITS = (-0.5, 31.5, -1.6, 14.4)  # x_min, x_max, y_min, y_max in cell units
ROW_TOPS = (13.0, 8.7, 4.4)  # top edge of input channel c
INPUT_X, KERNEL_X, DEPTHWISE_X = 1.5, 7.0, 12.0
POINTWISE_X, POINTWISE_TOP = 17.0, 8.2
OUTPUT_X, OUTPUT_TOPS = 25.0, (11.0, 5.6)
FRAME_MS, LAST_FRAME_MS = 1000, 3500


def example_tensors() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Input (1, 3, 4, 4), depthwise weight (3, 1, 3, 3), pointwise weight (2, 3, 1, 1)."""
    example = load_snippet("variants/depthwise_pointwise.py")
    x = torch.tensor(example["image"], dtype=torch.float32).unsqueeze(0)
    depthwise = torch.tensor(example["depthwise_kernels"], dtype=torch.float32).unsqueeze(1)
    pointwise = torch.tensor(example["pointwise_weights"], dtype=torch.float32)[:, :, None, None]
    return x, depthwise, pointwise


def frame_numbers() -> list[dict]:
    """One entry per frame: the stage, the channel, the position, the terms and the value."""
    x, depthwise, pointwise = example_tensors()
    per_channel = F.conv2d(x, depthwise, groups=3)[0]  # (3, 2, 2)
    mixed = F.conv2d(per_channel.unsqueeze(0), pointwise)[0]  # (2, 2, 2)
    frames = []
    for c in range(3):
        for i in range(2):
            for j in range(2):
                window = x[0, c, i : i + 3, j : j + 3]
                frames.append(
                    {
                        "stage": "depthwise",
                        "channel": c,
                        "position": (i, j),
                        "terms": [int(v) for v in (window * depthwise[c, 0]).flatten()],
                        "value": int(per_channel[c, i, j]),
                    }
                )
    for o in range(2):
        for i in range(2):
            for j in range(2):
                weights, inputs = pointwise[o, :, 0, 0], per_channel[:, i, j]
                frames.append(
                    {
                        "stage": "pointwise",
                        "channel": o,
                        "position": (i, j),
                        "weights": [int(v) for v in weights],
                        "inputs": [int(v) for v in inputs],
                        "terms": [int(v) for v in weights * inputs],
                        "value": int(mixed[o, i, j]),
                    }
                )
    return frames


def static_canvas(theme: Theme, tensors: tuple) -> Axes:
    """Everything that stays the same in every frame: titles, inputs, weights, empty outputs."""
    x, depthwise, pointwise = (t.numpy() for t in tensors)
    axes = new_canvas(theme, SIZE_PX, LIMITS)
    label = {"va": "center", "color": theme.muted}
    for left, width, text in [
        (INPUT_X, 4, "输入"),
        (KERNEL_X, 3, "深度卷积核"),
        (DEPTHWISE_X, 2, "深度卷积输出"),
        (POINTWISE_X, 3, "逐点 1×1 权重"),
        (OUTPUT_X, 2, "输出"),
    ]:
        axes.text(left + width / 2, ROW_TOPS[0] + 0.75, text, ha="center", color=theme.muted)
    empty = np.full((2, 2), np.nan)
    for c, top in enumerate(ROW_TOPS):
        axes.text(INPUT_X - 0.4, top - 2, f"c{c}", ha="right", **label)
        draw_grid(axes, x[0, c], (INPUT_X, top), theme, theme.input)
        draw_grid(axes, depthwise[c, 0], (KERNEL_X, top - 0.5), theme, theme.kernel)
        draw_grid(axes, empty, (DEPTHWISE_X, top - 1), theme, theme.window)
        axes.text(POINTWISE_X + c + 0.5, POINTWISE_TOP + 0.3, f"c{c}", ha="center", **label)
    draw_grid(axes, pointwise[:, :, 0, 0], (POINTWISE_X, POINTWISE_TOP), theme, theme.kernel)
    for o, top in enumerate(OUTPUT_TOPS):
        axes.text(POINTWISE_X - 0.2, POINTWISE_TOP - 0.5 - o, f"o{o}", ha="right", **label)
        axes.text(OUTPUT_X + 2.4, top - 1, f"o{o}", ha="left", **label)
        draw_grid(axes, empty, (OUTPUT_X, top), theme, theme.output)
    return axes


def draw_frame(axes: Axes, theme: Theme, step: dict | None, filled: dict) -> Image.Image:
    """Add this frame's values, outlines and caption to the static canvas, render, take them off."""
    kept_patches, kept_texts = len(axes.patches), len(axes.texts)
    for (stage, channel, i, j), value in filled.items():
        left, top = (
            (DEPTHWISE_X, ROW_TOPS[channel] - 1)
            if stage == "depthwise"
            else (OUTPUT_X, OUTPUT_TOPS[channel])
        )
        axes.text(
            left + j + 0.5, top - i - 0.5, f"{value:g}", ha="center", va="center", color=theme.text
        )
    axes.text(
        15.5, -0.9, caption(step, weight_counts()), ha="center", color=theme.text, fontsize=15
    )
    if step is not None:
        highlight(axes, theme, step)
    image = render(axes)
    for artist in [*axes.patches[kept_patches:], *axes.texts[kept_texts:]]:
        artist.remove()
    return image


def highlight(axes: Axes, theme: Theme, step: dict) -> None:
    i, j = step["position"]
    color = theme.highlight
    if step["stage"] == "depthwise":
        top = ROW_TOPS[step["channel"]]
        outline(axes, (INPUT_X + j, top - i), (3, 3), color)
        outline(axes, (KERNEL_X, top - 0.5), (3, 3), color)
        outline(axes, (DEPTHWISE_X + j, top - 1 - i), (1, 1), color)
    else:
        for top in ROW_TOPS:
            outline(axes, (DEPTHWISE_X + j, top - 1 - i), (1, 1), color)
        outline(axes, (POINTWISE_X, POINTWISE_TOP - step["channel"]), (3, 1), color)
        outline(axes, (OUTPUT_X + j, OUTPUT_TOPS[step["channel"]] - i), (1, 1), color)


def weight_counts() -> dict[str, int]:
    """How many weights each layer of the example has (torch counts them)."""
    _, depthwise, pointwise = example_tensors()
    return {
        "kernels": depthwise.shape[0],
        "depthwise": depthwise.numel(),
        "out": pointwise.shape[0],
        "in": pointwise.shape[1],
        "pointwise": pointwise.numel(),
    }


def caption(step: dict | None, counts: dict[str, int]) -> str:
    """c0–c2 are the input (and depthwise output) channels, o0–o1 the output channels."""
    if step is None:
        return (
            f"深度卷积：{counts['kernels']} 个卷积核，共 {counts['depthwise']} 个权重  |  "
            f"逐点卷积：{counts['out']} × {counts['in']} = {counts['pointwise']} 个权重"
        )
    i, j = step["position"]
    if step["stage"] == "depthwise":
        c = step["channel"]
        value = step["value"]
        return f"深度卷积：只用通道 c{c}，c{c}[{i},{j}] = Σ(窗口 × 卷积核 {c}) = {value}"
    terms = " + ".join(f"{w}×({v})" for w, v in zip(step["weights"], step["inputs"], strict=True))
    return f"逐点卷积：o{step['channel']}[{i},{j}] = {terms} = {step['value']}"


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    tensors = example_tensors()
    steps = frame_numbers()
    written = []
    for name in themes:
        theme = THEMES[name]
        axes = static_canvas(theme, tensors)
        frames, filled = [], {}
        for step in steps:
            i, j = step["position"]
            filled[(step["stage"], step["channel"], i, j)] = step["value"]
            frames.append(draw_frame(axes, theme, step, filled))
        frames.append(draw_frame(axes, theme, None, filled))
        durations = [FRAME_MS] * len(steps) + [LAST_FRAME_MS]
        written.append(save_gif(frames, out_dir / f"{STEM}-{name}.gif", durations))
    return written


main = figure_cli(
    build,
    OUTPUT_DIR,
    "第 4 章：深度可分离卷积，先逐通道（深度卷积）再跨通道（逐点卷积）（GIF）。",
)

if __name__ == "__main__":
    sys.exit(main())
