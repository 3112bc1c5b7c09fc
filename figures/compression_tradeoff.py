"""Chart: test accuracy against the size of the saved file, for every compressed LeNet
(chapter 10). Read from the stored run of ``python -m cnnbook.compression.experiments``
(``snippets/compression/results/experiments.json``), the rows of the final comparison.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib
import matplotlib.ticker
from matplotlib.axes import Axes

from cnnbook.compression.experiments import load_results
from figures.common import (
    FIGURES_DIR,
    THEMES,
    Theme,
    figure_cli,
    save_charts,
)

OUTPUT_DIR = FIGURES_DIR / "compression"
STEM = "accuracy-size"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (1000, 480)
LABELS = {
    "original": "original (float32)",
    "pruned": "pruned 90% (CSR)",
    "channels": "channel-pruned",
    "int8": "int8",
    "distilled": "distilled student",
    "channels+int8": "channel-pruned + int8",
}
MARKERS = ("o", "s", "^", "D", "v", "P")
TICKS_KB = (15, 20, 30, 50, 100, 200)


def points(results: dict) -> list[tuple[str, float, float]]:
    """(label, file size in kB, test accuracy in %) of every network of the comparison."""
    return [
        (LABELS[row["name"]], row["file_bytes"] / 1e3, row["test_accuracy"])
        for row in results["comparison"]
    ]


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    drawn = points(load_results())
    low = min(accuracy for _, _, accuracy in drawn)

    def draw(chart: Axes, theme: Theme) -> None:
        for marker, (label, size, accuracy) in zip(MARKERS, drawn, strict=True):
            chart.plot(
                [size],
                [accuracy],
                marker=marker,
                markersize=13,
                linestyle="none",
                label=f"{label}: {size:.1f} kB, {accuracy:.2f}%",
            )
        chart.set_xscale("log")
        chart.set_xticks(TICKS_KB, [f"{tick:g}" for tick in TICKS_KB])
        chart.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        chart.set(
            xlabel="saved file (kB, log scale)",
            ylabel="test accuracy (%)",
            ylim=(low - 0.6, 99.6),
        )
        chart.legend(loc="lower right", fontsize=13)

    return save_charts(out_dir, STEM, themes, SIZE_PX, draw, rc={"font.size": 15})


main = figure_cli(build, OUTPUT_DIR, __doc__)

if __name__ == "__main__":
    sys.exit(main())
