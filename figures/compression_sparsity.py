"""Chart: LeNet's test accuracy against the fraction of weights pruned (chapter 10).

Lines: magnitude pruning without retraining, one global threshold or the same fraction in
every layer; the line is the mean over the seeds and the shading the range from the worst to
the best seed. Markers with error bars (± one standard deviation): the same sparsities after one
epoch of fine-tuning, pruned at once or gradually. Every value is read from the stored run of
``python -m cnnbook.compression.experiments`` (``snippets/compression/results/experiments.json``),
so the figure regenerates bit for bit.
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
STEM = "sparsity-accuracy"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (1000, 500)
CURVES = {"global": "全局比较（各层一起排序），不微调", "layer": "逐层剪同样比例，不微调"}
POINTS = {"one_shot_fine_tuned": "一次剪完 + 微调 1 轮", "gradual": "逐步剪枝（同样 1 轮）"}


def series(results: dict) -> dict[str, tuple[list[float], list[dict]]]:
    """(sparsity in %, accuracy statistics over seeds) of every drawn line and marker set."""
    pruning = results["pruning"]
    sparsities = [0.0, *(100 * s for s in pruning["sparsities"])]
    base = results["base"]["test_accuracy"]
    drawn = {
        label: (sparsities, [base, *pruning["one_shot"][scope].values()])
        for scope, label in CURVES.items()
    }
    recovery = list(pruning["recovery"].values())
    at = [100 * row["sparsity"] for row in recovery]
    for key, label in POINTS.items():
        drawn[label] = (at, [row[key] for row in recovery])
    return drawn


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    drawn = series(load_results(STORED))
    seeds = len(drawn[CURVES["global"]][1][0]["values"])

    def draw(chart: Axes, theme: Theme) -> None:
        for (label, (x, stats)), style in zip(
            drawn.items(),
            [{"marker": "o"}, {"marker": "s", "linestyle": "--"}, {"marker": "^"}, {"marker": "D"}],
            strict=True,
        ):
            if label in CURVES.values():
                draw_band(chart, x, stats, label=label, linewidth=2.2, **style)
            else:
                chart.errorbar(
                    x, [s["mean"] for s in stats], yerr=[s["std"] for s in stats],
                    linestyle="none", markersize=10, capsize=5, label=label, **style,
                )  # fmt: skip
        chart.set(xlabel="置零的权重 (%)", ylabel="测试准确率 (%)", xlim=(0, 100), ylim=(0, 100.5))
        chart.set_title(f"{seeds} 个种子：线为平均值，阴影为最差到最好的种子", fontsize=14)
        chart.legend(loc="lower left", fontsize=13)

    return save_charts(out_dir, STEM, themes, SIZE_PX, draw, rc={"font.size": 15})


main = figure_cli(build, OUTPUT_DIR, "第 10 章：LeNet 的测试准确率与剪掉的权重比例。")

if __name__ == "__main__":
    sys.exit(main())
