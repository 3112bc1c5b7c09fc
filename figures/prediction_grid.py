"""Grid: test digits with their true and predicted labels, mistakes highlighted (chapter 9).

The predictions are the stored ones of one real run of the fast recipe
(``snippets/lenet/runs/fast.json``, 10,000 test predictions); the images and true labels are
read from the MNIST test files (``cnnbook.data.read_split``, ``$CNN_BOOK_DATA`` or ``data/``, no
download).
The grid shows the first 24 test digits, then the first 8 the network got wrong.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib
import torch

from cnnbook.data import read_split
from figures.common import FIGURES_DIR, THEMES, figure_cli, new_chart, render, save_png, themed
from figures.training_curves import load_run

OUTPUT_DIR = FIGURES_DIR / "lenet"
STEM = "prediction-grid"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (1000, 640)
ROWS, COLS = 4, 8
FIRST, MISTAKES = 24, 8


def stored_predictions() -> torch.Tensor:
    return torch.tensor([int(d) for d in load_run("fast")["test_predictions"]])


def grid_tiles() -> list[tuple[int, int, int]]:
    """(test index, true label, predicted label) of every tile, in reading order."""
    _, labels = read_split(train=False, download=False)
    predicted = stored_predictions()
    wrong = torch.nonzero(predicted != labels).flatten()
    chosen = list(range(FIRST)) + wrong[:MISTAKES].tolist()
    return [(i, int(labels[i]), int(predicted[i])) for i in chosen]


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    images, _ = read_split(train=False, download=False)
    tiles = grid_tiles()
    written = []
    for name in themes:
        theme = THEMES[name]
        wrong_colour = theme.series[1]
        with themed(theme), matplotlib.rc_context({"font.size": 14, "axes.grid": False}):
            figure, axes = new_chart(theme, SIZE_PX, rows=ROWS, cols=COLS)
            for ax, (index, truth, guess) in zip(axes.ravel(), tiles, strict=True):
                ax.imshow(images[index].numpy(), cmap="gray", vmin=0, vmax=255)
                mistake = truth != guess
                ax.set_title(f"真实 {truth}\n预测 {guess}", fontsize=13, linespacing=1.1,
                             color=wrong_colour if mistake else theme.text,
                             fontweight="bold" if mistake else "normal")  # fmt: skip
                ax.set_xticks([])
                ax.set_yticks([])
                for spine in ax.spines.values():
                    spine.set_color(wrong_colour if mistake else theme.grid)
                    spine.set_linewidth(4 if mistake else 1)
            written.append(save_png(render(figure), out_dir / f"{STEM}-{name}.png"))
    return written


main = figure_cli(build, OUTPUT_DIR, "第 9 章：测试图的真实标签与预测标签，认错的用红框标出。")

if __name__ == "__main__":
    sys.exit(main())
