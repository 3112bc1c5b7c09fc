"""Chart: stochastic pooling of one 3x3 window - probabilities and sampled frequencies (chapter 5).

The window, the probabilities p_i = a_i / sum(a) and the samples all come from
``snippets/operators/stochastic_pooling.py``; the frequencies are counted from its torch samples.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from figures.common import (
    FIGURES_DIR,
    THEMES,
    Theme,
    draw_grid,
    figure_cli,
    load_snippet,
    save_charts,
)

OUTPUT_DIR = FIGURES_DIR / "operators"
STEM = "stochastic-pooling"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
FONT_SIZE = 15  # the page shows the 1000-px image about 700 px wide
SIZE_PX = (1000, 400)


def window_statistics() -> dict:
    """The window, each positive value's probability and sampled frequency, the inference output."""
    example = load_snippet("operators/stochastic_pooling.py")
    values, probabilities = example["values"], example["probabilities"]
    samples = example["samples"]
    positive = sorted(set(values) - {0})
    return {
        "window": np.array(example["window"], dtype=float),
        "probabilities": [float(probabilities[i]) for i in range(len(values))],
        "values": positive,
        "p": [float(probabilities[values.index(v)]) for v in positive],
        "frequency": [(samples == v).float().mean().item() for v in positive],
        "draws": samples.numel(),
        "inference": example["inference"].item(),
    }


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    stats = window_statistics()

    def draw(axes: np.ndarray, theme: Theme) -> None:
        grid_axes, bar_axes = axes[0]
        grid_axes.set_xlim(-0.2, 3.2)
        grid_axes.set_ylim(-0.6, 3.2)
        grid_axes.set_aspect("equal")
        grid_axes.axis("off")
        draw_grid(grid_axes, stats["window"], (0, 3), theme, theme.input)
        for index, p in enumerate(stats["probabilities"]):
            row, col = divmod(index, 3)
            grid_axes.text(
                col + 0.5, 3 - row - 0.85, f"p={p:g}",
                ha="center", va="center", fontsize=13, color=theme.muted,
            )  # fmt: skip
        grid_axes.set_title("概率 pᵢ = aᵢ / Σ aⱼ")
        grid_axes.text(
            1.5, -0.35, f"推理输出 Σ pᵢaᵢ = {stats['inference']:g}",
            ha="center", va="center", color=theme.highlight, fontweight="bold",
        )  # fmt: skip

        positions = np.arange(len(stats["values"]))
        bar_axes.bar(positions - 0.2, stats["p"], width=0.4, label="概率 pᵢ")
        bar_axes.bar(
            positions + 0.2, stats["frequency"], width=0.4,
            label=f"{stats['draws']:,} 次训练抽样中的频率",
        )  # fmt: skip
        bar_axes.set_xticks(positions, [f"a = {v}" for v in stats["values"]])
        bar_axes.set(ylim=(0, 0.55), ylabel="所占比例")
        bar_axes.set_title("训练模式：抽到的值")
        bar_axes.legend(loc="upper left", fontsize=13)

    return save_charts(out_dir, STEM, themes, SIZE_PX, draw, cols=2, rc={"font.size": FONT_SIZE})


main = figure_cli(build, OUTPUT_DIR, "第 5 章：一个 3×3 窗口的随机池化：概率与抽样频率。")

if __name__ == "__main__":
    sys.exit(main())
