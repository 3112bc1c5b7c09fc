"""Chart: the confusion matrix of the fast recipe on the 10,000 test digits (chapter 9).

Row = true digit, column = predicted digit, each cell a count. The predictions are the stored
ones of one real run (``snippets/lenet/runs/fast.json``); the true labels are read from the
MNIST test files (``cnnbook.data.read_split``). The counts are computed with ``torch.bincount``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib
import torch
from matplotlib.patches import Rectangle

from cnnbook.data import read_split
from figures.common import FIGURES_DIR, THEMES, figure_cli, new_chart, render, save_png, themed
from figures.prediction_grid import stored_predictions

OUTPUT_DIR = FIGURES_DIR / "lenet"
STEM = "confusion-matrix"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (760, 700)


def confusion_matrix(truth: torch.Tensor, predicted: torch.Tensor, classes: int = 10):
    """counts[t, p] = how many images of digit t were predicted as p."""
    return torch.bincount(truth * classes + predicted, minlength=classes**2).reshape(
        classes, classes
    )


def stored_confusion() -> torch.Tensor:
    return confusion_matrix(read_split(train=False, download=False)[1], stored_predictions())


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    counts = stored_confusion()
    largest_mistake = int((counts - torch.diag(torch.diag(counts))).max())
    written = []
    for name in themes:
        theme = THEMES[name]
        with themed(theme), matplotlib.rc_context({"font.size": 14, "axes.grid": False}):
            figure, axes = new_chart(theme, SIZE_PX)
            ax = axes[0, 0]
            for (row, col), value in ((rc, int(v)) for rc, v in _cells(counts)):
                if row == col:
                    fill, alpha = theme.output, 1.0
                elif value:
                    fill, alpha = theme.series[1], 0.25 + 0.75 * value / largest_mistake
                else:
                    continue
                ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, facecolor=fill, alpha=alpha))
                ax.text(col, row, str(value), ha="center", va="center", color=theme.text,
                        fontsize=12 if row == col else 13)  # fmt: skip
            ax.set(xlim=(-0.5, 9.5), ylim=(9.5, -0.5), xlabel="预测的数字",
                   ylabel="真实的数字")  # fmt: skip
            ax.set_xticks(range(10))
            ax.set_yticks(range(10))
            ax.set_aspect("equal")
            wrong = int(counts.sum() - counts.trace())
            ax.set_title(f"{int(counts.sum()):,} 张测试图中认错 {wrong} 张")
            for k in range(11):
                ax.axhline(k - 0.5, color=theme.grid, linewidth=0.6)
                ax.axvline(k - 0.5, color=theme.grid, linewidth=0.6)
            written.append(save_png(render(figure), out_dir / f"{STEM}-{name}.png"))
    return written


def _cells(counts: torch.Tensor):
    for row in range(counts.shape[0]):
        for col in range(counts.shape[1]):
            yield (row, col), counts[row, col]


main = figure_cli(build, OUTPUT_DIR, "第 9 章：快速配方在全部测试图上的混淆矩阵。")

if __name__ == "__main__":
    sys.exit(main())
