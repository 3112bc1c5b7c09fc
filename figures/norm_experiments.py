"""Charts of chapter 7's measurements: BN against GN over batch sizes, training with and
without BN, and with and without Dropout.

Every number drawn is read from ``snippets/normalization/results/experiments.json``, which
``python -m cnnbook.norm_experiments`` wrote; lines are means over the seeds, bands and error
bars one sample standard deviation, dots single seeds.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes

from cnnbook.norm_experiments import NORMS, load_results
from figures.common import FIGURES_DIR, THEMES, Theme, figure_cli, save_charts

OUTPUT_DIR = FIGURES_DIR / "normalization"
STEMS = ("small-batch", "bn-training", "dropout-training")
OUTPUTS = [f"{stem}-{theme}.png" for stem in STEMS for theme in THEMES]
FONT = {"font.size": 14}
BN_LABELS = {"plain": "无 BN", "bn": "有 BN"}
DROPOUT_LABELS = {"p=0": "无 Dropout", "p=0.5": "Dropout p = 0.5"}


def band(axes: Axes, x, summary: dict, colour: str, label: str, style: str = "-") -> None:
    """The mean as a line, mean ± one standard deviation as a shaded band."""
    mean, sd = np.array(summary["mean"]), np.array(summary["sd"])
    axes.plot(x, mean, style, color=colour, linewidth=2.2, label=label)
    axes.fill_between(x, mean - sd, mean + sd, color=colour, alpha=0.25, linewidth=0)


def draw_small_batch(axes: Axes, theme: Theme, part: dict) -> None:
    sizes = np.array(part["batch_sizes"], dtype=float)
    for index, norm in enumerate(NORMS):
        colour, shift = theme.series[index], 1.06 ** (index * 2 - 1)  # side by side
        for seed_values in np.array(part[norm]["seeds"]).T:
            axes.plot(sizes * shift, seed_values, "o", color=colour, alpha=0.45, markersize=5)
        axes.errorbar(
            sizes * shift, part[norm]["mean"], yerr=part[norm]["sd"], color=colour,
            linewidth=2.2, capsize=5, marker="s", label=f"{norm}：均值 ± 标准差",
        )  # fmt: skip
    axes.set_xscale("log", base=2)
    axes.set_xticks(sizes, [f"{s:g}" for s in sizes])
    axes.set(xlabel="批大小 B", ylabel="测试准确率（%）")
    axes.set_title("BN 与 GN：不同批大小下训练同样多的图像（圆点：单个种子）")
    axes.legend(loc="lower right")


def draw_bn_training(axes: np.ndarray, theme: Theme, part: dict) -> None:
    for chart, lr in zip(axes.flat, part["lrs"], strict=True):
        for index, (name, label) in enumerate(BN_LABELS.items()):
            band(chart, part["steps"], part[name][f"lr={lr:g}"]["loss"], theme.series[index], label)
        chart.axhline(math.log(10), color=theme.muted, linestyle=":", linewidth=1.5,
                      label="ln 10（随机猜测时的损失）")  # fmt: skip
        chart.set(xlabel="训练步数", ylabel="训练损失（每 10 步平均）")
        chart.set_title(f"学习率 {lr:g}（SGD）")
        chart.legend(loc="lower left", fontsize=12)


def draw_dropout(axes: np.ndarray, theme: Theme, part: dict) -> None:
    charts = dict(zip(("train_loss", "test_loss", "test_accuracy"), axes.flat, strict=True))
    for index, (key, label) in enumerate(DROPOUT_LABELS.items()):
        for measure, chart in charts.items():
            band(chart, part["epochs"], part[key][measure], theme.series[index], label)
    charts["train_loss"].set_yscale("log")
    titles = {
        "train_loss": "训练集损失（对数坐标）",
        "test_loss": "测试集损失",
        "test_accuracy": "测试准确率（%）",
    }
    for measure, chart in charts.items():
        chart.set(xlabel="轮次")
        chart.set_title(titles[measure])
    charts["train_loss"].legend(loc="lower left", fontsize=12)


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    results = load_results()
    written = save_charts(
        out_dir, "small-batch", themes, (1000, 480),
        lambda axes, theme: draw_small_batch(axes, theme, results["small_batch"]), rc=FONT,
    )  # fmt: skip
    written += save_charts(
        out_dir, "bn-training", themes, (1000, 420),
        lambda axes, theme: draw_bn_training(axes, theme, results["bn_training"]),
        cols=2, rc=FONT,
    )  # fmt: skip
    written += save_charts(
        out_dir, "dropout-training", themes, (1000, 380),
        lambda axes, theme: draw_dropout(axes, theme, results["dropout"]), cols=3, rc=FONT,
    )  # fmt: skip
    return written


main = figure_cli(
    build,
    OUTPUT_DIR,
    "第 7 章的测量：不同批大小下的 BN 与 GN、有无 BN 的训练、有无 Dropout 的训练。",
)

if __name__ == "__main__":
    sys.exit(main())
