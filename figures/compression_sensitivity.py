"""Chart: sensitivity of each LeNet layer to magnitude pruning (chapter 10).

One line per layer: validation accuracy when only that layer loses the given fraction of its
weights (the others untouched, no retraining). Read from the stored run of
``python -m cnnbook.compression.experiments`` (``snippets/compression/results/
experiments.json``).
"""

from __future__ import annotations

import sys
from pathlib import Path

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
STEM = "layer-sensitivity"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (1000, 460)
MARKERS = ("o", "s", "^", "D", "v")


def series(results: dict) -> dict[str, tuple[list[float], list[float]]]:
    """Per layer: (sparsity in %, validation accuracy in %), starting from the unpruned network."""
    pruning = results["pruning"]
    unpruned = results["base"]["validation_accuracy"]
    sparsities = [0.0, *(100 * s for s in pruning["sparsities"])]
    return {
        layer: (sparsities, [unpruned, *values]) for layer, values in pruning["sensitivity"].items()
    }


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    drawn = series(load_results())

    def draw(chart: Axes, theme: Theme) -> None:
        for marker, (layer, (x, y)) in zip(MARKERS, drawn.items(), strict=True):
            chart.plot(x, y, marker=marker, linewidth=2.2, label=layer)
        chart.set(
            xlabel="weights of this layer set to zero (%)",
            ylabel="validation accuracy (%)",
            xlim=(0, 100),
            ylim=(0, 100.5),
        )
        chart.legend(loc="lower left", fontsize=13, title="pruned layer")

    return save_charts(out_dir, STEM, themes, SIZE_PX, draw, rc={"font.size": 15})


main = figure_cli(build, OUTPUT_DIR, __doc__)

if __name__ == "__main__":
    sys.exit(main())
