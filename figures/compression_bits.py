"""Chart: LeNet's test accuracy with its weights quantised to 8 … 2 bits (chapter 10).

One line per scheme (symmetric or asymmetric, one scale per tensor or per output channel):
the mean over the seeds, with the range from the worst to the best seed shaded; activations
stay float. Read from the stored run of ``python -m cnnbook.compression.experiments``
(``snippets/compression/results/experiments.json``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from matplotlib.axes import Axes

from cnnbook.compression.experiments import load_results
from cnnbook.compression.experiments.tables import SCHEME_NAMES
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
STEM = "bits-accuracy"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (1000, 480)
STYLES = (
    {"linestyle": "-", "marker": "o"},
    {"linestyle": "--", "marker": "s"},
    {"linestyle": "-.", "marker": "^"},
    {"linestyle": ":", "marker": "D"},
)


def series(results: dict) -> dict[str, tuple[list[int], list[dict]]]:
    quantization = results["quantization"]
    return {
        SCHEME_NAMES[scheme]: (quantization["bits"], list(stats.values()))
        for scheme, stats in quantization["schemes"].items()
    }


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    results = load_results(STORED)
    drawn = series(results)

    def draw(chart: Axes, theme: Theme) -> None:
        chart.axhline(
            results["base"]["test_accuracy"]["mean"],
            color=theme.muted,
            linewidth=1.5,
            linestyle=(0, (2, 2)),
            label="float32（平均）",
        )
        for style, (scheme, (x, stats)) in zip(STYLES, drawn.items(), strict=True):
            draw_band(chart, x, stats, linewidth=2.2, markersize=8, label=scheme, **style)
        chart.set(
            xlabel="每个权重的位数",
            ylabel="测试准确率 (%)",
            xlim=(8.3, 1.7),
            ylim=(0, 100.5),
        )
        chart.set_xticks(results["quantization"]["bits"])
        chart.legend(loc="lower left", fontsize=13)

    return save_charts(out_dir, STEM, themes, SIZE_PX, draw, rc={"font.size": 15})


main = figure_cli(build, OUTPUT_DIR, "第 10 章：LeNet 的权重量化到 8 … 2 位时的测试准确率。")

if __name__ == "__main__":
    sys.exit(main())
