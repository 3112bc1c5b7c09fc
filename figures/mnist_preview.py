"""Grid: the first 24 MNIST training digits with their labels (chapter 9).

The images and labels are read from the MNIST files (``cnnbook.data.read_split``) in the
data directory ``$CNN_BOOK_DATA`` or ``data/``; nothing is downloaded (``python -m
cnnbook.train`` fetches the files once).
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib
import numpy as np

from cnnbook.data import read_split
from figures.common import FIGURES_DIR, THEMES, figure_cli, new_chart, render, save_png, themed

OUTPUT_DIR = FIGURES_DIR / "lenet"
STEM = "mnist-preview"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (1000, 420)
ROWS, COLS = 3, 8


def preview_digits(count: int = ROWS * COLS) -> tuple[np.ndarray, list[int]]:
    """The first ``count`` training images (uint8, 28×28) and their labels."""
    images, labels = read_split(train=True, download=False)
    return images[:count].numpy(), labels[:count].tolist()


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    images, labels = preview_digits()
    written = []
    for name in themes:
        theme = THEMES[name]
        with themed(theme), matplotlib.rc_context({"font.size": 15, "axes.grid": False}):
            figure, axes = new_chart(theme, SIZE_PX, rows=ROWS, cols=COLS)
            for ax, image, label in zip(axes.ravel(), images, labels, strict=True):
                ax.imshow(image, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
                ax.set_title(f"标签 {label}", fontsize=14)
                ax.set_xticks([])
                ax.set_yticks([])
            written.append(save_png(render(figure), out_dir / f"{STEM}-{name}.png"))
    return written


main = figure_cli(build, OUTPUT_DIR, "第 9 章：MNIST 的前几张训练图及其标签。")

if __name__ == "__main__":
    sys.exit(main())
