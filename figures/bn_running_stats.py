"""Chart: BatchNorm's running mean following the batch means with momentum 0.1 (chapter 7).

The batches, their means and the running means after every step are those of
``snippets/normalization/batchnorm_running_stats.py``, computed by ``nn.BatchNorm2d``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
from matplotlib.axes import Axes
from torch import nn

from figures.common import (
    FIGURES_DIR,
    THEMES,
    Theme,
    figure_cli,
    load_snippet,
    save_charts,
)

OUTPUT_DIR = FIGURES_DIR / "normalization"
STEM = "bn-running-stats"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
FONT_SIZE = 15  # the page shows the 1000-px image about 700 px wide
SIZE_PX = (1000, 420)


def running_statistics() -> dict[str, torch.Tensor]:
    """Each batch's mean (steps 1..60), the running mean at steps 0..60, the population mean."""
    example = load_snippet("normalization/batchnorm_running_stats.py")
    initial = nn.BatchNorm2d(3).running_mean  # the running mean before any batch: zeros
    return {
        "batch_means": torch.stack(example["batch_means"]),
        "running_means": torch.stack([initial, *example["history"]]),
        "true_mean": example["true_mean"],
    }


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    stats = running_statistics()
    steps = torch.arange(0, stats["batch_means"].shape[0] + 1)

    def draw(chart: Axes, theme: Theme) -> None:
        for channel in range(stats["batch_means"].shape[1]):
            colour = theme.series[channel]
            chart.plot(
                steps[1:], stats["batch_means"][:, channel], "o", markersize=4, color=colour,
                alpha=0.6, label=f"通道 {channel}：批均值",
            )  # fmt: skip
            chart.plot(
                steps, stats["running_means"][:, channel], "-", linewidth=2.4, color=colour,
                label=f"通道 {channel}：running_mean",
            )  # fmt: skip
            chart.axhline(
                stats["true_mean"][channel].item(), color=colour, linestyle=":", linewidth=1.5,
                label=f"通道 {channel}：总体均值",
            )  # fmt: skip
        chart.set(xlim=(-1, steps[-1].item() + 1), xlabel="训练步数（批）", ylabel="均值")
        chart.set_title("running_mean ← 0.9·running_mean + 0.1·批均值")
        chart.figure.legend(loc="outside right center", fontsize=12)

    return save_charts(out_dir, STEM, themes, SIZE_PX, draw, rc={"font.size": FONT_SIZE})


main = figure_cli(
    build,
    OUTPUT_DIR,
    "第 7 章：BatchNorm 的滑动均值（momentum 0.1）怎样跟随每一批的均值。",
)

if __name__ == "__main__":
    sys.exit(main())
