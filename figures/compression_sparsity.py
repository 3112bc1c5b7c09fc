"""Chart: LeNet's test accuracy against the fraction of weights pruned (chapter 10).

Lines: magnitude pruning without retraining, one global threshold or the same fraction in
every layer. Markers: the same sparsities after one epoch of fine-tuning, pruned at once or
gradually. Every value is read from the stored run of ``python -m cnnbook.compression.
experiments`` (``snippets/compression/results/experiments.json``), so the figure regenerates
bit for bit; tests/test_compression.py checks the stored run against a fresh one.
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
STEM = "sparsity-accuracy"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (1000, 460)


def series(results: dict) -> dict[str, tuple[list[float], list[float]]]:
    """(sparsity in %, test accuracy in %) of every drawn line and marker set."""
    pruning = results["pruning"]
    sparsities = [100 * s for s in [0.0, *pruning["sparsities"]]]
    base = results["base"]["test_accuracy"]
    recovery = pruning["recovery"]
    at = [100 * row["sparsity"] for row in recovery]
    return {
        "global, no fine-tuning": (sparsities, [base, *pruning["one_shot"]["global"]]),
        "per layer, no fine-tuning": (sparsities, [base, *pruning["one_shot"]["layer"]]),
        "global, then 1 epoch fine-tuning": (at, [r["one_shot_fine_tuned"] for r in recovery]),
        "gradual during 1 epoch": (at, [r["gradual"] for r in recovery]),
    }


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    drawn = series(load_results())
    styles = [
        {"linestyle": "-", "marker": "o"},
        {"linestyle": "--", "marker": "s"},
        {"linestyle": "none", "marker": "^", "markersize": 11},
        {"linestyle": "none", "marker": "D", "markersize": 10},
    ]

    def draw(chart: Axes, theme: Theme) -> None:
        for style, (label, (x, y)) in zip(styles, drawn.items(), strict=True):
            chart.plot(x, y, linewidth=2.2, label=label, **style)
        chart.set(
            xlabel="weights set to zero (%)",
            ylabel="test accuracy (%)",
            xlim=(0, 100),
            ylim=(0, 100.5),
        )
        chart.legend(loc="lower left", fontsize=13)

    return save_charts(out_dir, STEM, themes, SIZE_PX, draw, rc={"font.size": 15})


main = figure_cli(build, OUTPUT_DIR, __doc__)

if __name__ == "__main__":
    sys.exit(main())
