"""Chart: training and validation accuracy of the textbook and the fast recipe (chapter 9).

The numbers are not recomputed here: a trained network differs slightly between machines and
thread counts, but a figure must regenerate bit for bit. They are read from the stored results
of one real run of each recipe, ``snippets/lenet/runs/{textbook,fast}.json``, written by
``python -m cnnbook.train --recipe … --history …`` (tests/test_lenet.py checks the fast run
against a fresh one).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

from figures.common import (
    FIGURES_DIR,
    REPO,
    THEMES,
    figure_cli,
    new_chart,
    render,
    save_png,
    themed,
)

OUTPUT_DIR = FIGURES_DIR / "lenet"
STEM = "training-curves"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
RUNS_DIR = REPO / "snippets" / "lenet" / "runs"
RECIPES = ("textbook", "fast")
LABELS = {"textbook": "教科书配方", "fast": "快速配方"}
SIZE_PX = (1000, 420)


def load_run(recipe: str) -> dict:
    """The stored summary of one training run (``TrainingRun.summary()`` as JSON)."""
    path = RUNS_DIR / f"{recipe}.json"
    if not path.is_file():
        raise ValueError(f"没有存档的训练记录 {path}：先用 python -m cnnbook.train --history 写出")
    return json.loads(path.read_text(encoding="utf-8"))


def accuracy_points(run: dict) -> tuple[list[float], list[float]]:
    """(epoch position, training accuracy) for every tenth of every epoch."""
    positions, values = [], []
    for record in run["history"]:
        parts = record["accuracy_curve"]
        for k, value in enumerate(parts, start=1):
            positions.append(record["epoch"] - 1 + k / len(parts))
            values.append(value)
    return positions, values


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    runs = {recipe: load_run(recipe) for recipe in RECIPES}
    written = []
    for name in themes:
        theme = THEMES[name]
        with themed(theme), matplotlib.rc_context({"font.size": 14}):
            figure, axes = new_chart(theme, SIZE_PX, rows=1, cols=2)
            train_axes, validation_axes = axes[0]
            for recipe, run in runs.items():
                positions, values = accuracy_points(run)
                train_axes.plot(positions, values, marker=".", linewidth=2, label=LABELS[recipe])
                epochs = [record["epoch"] for record in run["history"]]
                accuracy = [record["validation_accuracy"] for record in run["history"]]
                validation_axes.plot(epochs, accuracy, marker="o", linewidth=2,
                                     label=LABELS[recipe])  # fmt: skip
            train_axes.set(xlabel="轮数", ylabel="准确率（%）", ylim=(80, 100), xlim=(0, 5))
            train_axes.set_title("训练批次（每十分之一轮的平均）")
            validation_axes.set(xlabel="轮数", ylim=(92, 99.5), xlim=(0.5, 5.5))
            validation_axes.set_title("验证集（留出的 5,000 张）")
            validation_axes.set_xticks(range(1, 6))
            train_axes.legend(loc="lower right")
            written.append(save_png(render(figure), out_dir / f"{STEM}-{name}.png"))
    return written


main = figure_cli(build, OUTPUT_DIR, "第 9 章：教科书配方与快速配方的训练准确率与验证准确率。")

if __name__ == "__main__":
    sys.exit(main())
