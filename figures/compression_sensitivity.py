"""Chart: sensitivity of each LeNet layer to magnitude pruning (chapter 10).

One line per layer: validation accuracy when only that layer loses the given fraction of its
weights (the others untouched, no retraining), the mean over the seeds with the range from the
worst to the best seed shaded. Read from the stored run of
``python -m cnnbook.compression.experiments`` (``snippets/compression/results/experiments.json``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from matplotlib.axes import Axes

from cnnbook.compression.experiments import load_results
from figures.common import (
    FIGURES_DIR,
    SNIPPETS_DIR,
    THEMES,
    Theme,
    draw_band,
    figure_cli,
    save_charts,
)

OUTPUT_DIR = FIGURES_DIR / "compression"
STORED = SNIPPETS_DIR / "compression" / "results"
STEM = "layer-sensitivity"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (1000, 480)
MARKERS = ("o", "s", "^", "D", "v")


def series(results: dict) -> dict[str, tuple[list[float], list[dict]]]:
    """Per layer: (sparsity in %, validation accuracy statistics), from the unpruned network."""
    pruning = results["pruning"]
    unpruned = results["base"]["validation_accuracy"]
    sparsities = [0.0, *(100 * s for s in pruning["sparsities"])]
    return {
        layer: (sparsities, [unpruned, *stats.values()])
        for layer, stats in pruning["sensitivity"].items()
    }


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    drawn = series(load_results(STORED))

    def draw(chart: Axes, theme: Theme) -> None:
        for marker, (layer, (x, stats)) in zip(MARKERS, drawn.items(), strict=True):
            draw_band(chart, x, stats, label=f"只剪 {layer}", marker=marker, linewidth=2.2)
        chart.set(
            xlabel="这一层置零的权重 (%)",
            ylabel="验证集准确率 (%)",
            xlim=(0, 100),
            ylim=(0, 100.5),
        )
        chart.legend(loc="lower left", fontsize=13)

    return save_charts(out_dir, STEM, themes, SIZE_PX, draw, rc={"font.size": 15})


main = figure_cli(build, OUTPUT_DIR, "第 10 章：LeNet 各层对幅值剪枝的敏感度。")

if __name__ == "__main__":
    sys.exit(main())
