"""Chart: overfitting on 1,000 training images, and what three regularisers do (chapter 9).

The numbers are not recomputed here (a figure must regenerate bit for bit, a training run
differs slightly between machines): they are the stored results of ``python -m
cnnbook.overfitting``, ``snippets/lenet/runs/overfitting.json`` — per setting and seed, the
training and validation accuracy and loss after every epoch. Lines are means over the seeds,
shaded bands span the lowest to the highest seed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from cnnbook.overfitting import SETTINGS, load_results
from figures.common import FIGURES_DIR, THEMES, Theme, figure_cli, save_charts

OUTPUT_DIR = FIGURES_DIR / "lenet"
STEM = "overfitting"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (1000, 420)
SHORT_LABELS = {"baseline": "不加正则化", "weight_decay": "权重衰减", "shifts": "随机平移",
                "dropout": "Dropout"}  # fmt: skip


def curve(runs: list[dict], key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, lowest and highest over the seeds of one per-epoch series."""
    values = np.array([run[key] for run in runs], dtype=np.float64)
    return values.mean(axis=0), values.min(axis=0), values.max(axis=0)


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    results = load_results()
    runs = results["runs"]
    epochs = np.arange(1, results["plan"]["epochs"] + 1)

    def draw(axes: np.ndarray, theme: Theme) -> None:
        accuracy_axes, loss_axes = axes[0]
        baseline = runs["baseline"]
        for key, label, style in (("train_accuracy", "训练图", "--"),
                                  ("validation_accuracy", "验证集", "-")):  # fmt: skip
            mean, low, high = curve(baseline, key)
            accuracy_axes.plot(epochs, mean, style, linewidth=2.2, label=label)
            accuracy_axes.fill_between(epochs, low, high, alpha=0.2)
        accuracy_axes.set(xlabel="轮数", ylabel="准确率（%）", xlim=(1, epochs[-1]),
                          ylim=(80, 100.5))  # fmt: skip
        accuracy_axes.set_title("不加正则化：训练图与验证集")
        accuracy_axes.legend(loc="lower right")
        for key in SETTINGS:
            mean, low, high = curve(runs[key], "validation_loss")
            (line,) = loss_axes.plot(epochs, mean, linewidth=2.2, label=SHORT_LABELS[key])
            loss_axes.fill_between(epochs, low, high, alpha=0.15, color=line.get_color())
        mean, _, _ = curve(baseline, "train_loss")
        loss_axes.plot(epochs, mean, ":", color=theme.muted, linewidth=2,
                       label="训练损失（不加正则化）")  # fmt: skip
        loss_axes.set(xlabel="轮数", ylabel="损失", xlim=(1, epochs[-1]), ylim=(0, 0.6))
        loss_axes.set_title("验证集上的损失")
        loss_axes.legend(loc="upper right", fontsize=12)

    return save_charts(out_dir, STEM, themes, SIZE_PX, draw, cols=2, rc={"font.size": 14})


main = figure_cli(build, OUTPUT_DIR, "第 9 章：小训练集上的过拟合，以及三种正则化的作用。")

if __name__ == "__main__":
    sys.exit(main())
