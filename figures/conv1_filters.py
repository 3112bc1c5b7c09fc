"""Grid: what LeNet's first layer learned — the six 5×5 kernels of conv1 and their feature maps.

The kernels and biases are the stored ones of one real run of the fast recipe
(``snippets/lenet/runs/fast.json``, seed 0; a trained network differs slightly from machine to
machine, a figure must regenerate bit for bit). The bottom row is computed here with
``torch.nn.functional.conv2d`` and ReLU from those weights, on the first test digit (read from
the MNIST test files, normalised like every input of the chapter).
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib
import torch
from torch.nn import functional as F

from cnnbook.data import normalize_pixels, read_split
from figures.common import FIGURES_DIR, THEMES, figure_cli, new_chart, render, save_png, themed
from figures.training_curves import load_run

OUTPUT_DIR = FIGURES_DIR / "lenet"
STEM = "conv1-filters"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (1000, 360)
TEST_INDEX = 0  # the digit whose feature maps are shown


def stored_filters() -> tuple[torch.Tensor, torch.Tensor]:
    """conv1's weight (6, 1, 5, 5) and bias (6,) of the stored fast run."""
    conv1 = load_run("fast")["conv1"]
    weight = torch.tensor(conv1["weight"], dtype=torch.float32).unsqueeze(1)
    return weight, torch.tensor(conv1["bias"], dtype=torch.float32)


def digit_and_maps(index: int = TEST_INDEX) -> tuple[torch.Tensor, torch.Tensor]:
    """The test digit (28, 28, uint8) and ReLU(conv1(x)) for it: (6, 24, 24)."""
    pixels, _ = read_split(train=False, download=False)
    weight, bias = stored_filters()
    maps = F.relu(F.conv2d(normalize_pixels(pixels[index : index + 1]), weight, bias))
    return pixels[index], maps[0]


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    weight, _ = stored_filters()
    digit, maps = digit_and_maps()
    limit = float(weight.abs().max())
    written = []
    for name in themes:
        theme = THEMES[name]
        with themed(theme), matplotlib.rc_context({"font.size": 14, "axes.grid": False}):
            figure, axes = new_chart(theme, SIZE_PX, rows=2, cols=1 + len(weight))
            axes[0, 0].imshow(digit.numpy(), cmap="gray", vmin=0, vmax=255)
            axes[0, 0].set_title("输入")
            axes[1, 0].set_visible(False)
            for k in range(len(weight)):
                axes[0, k + 1].imshow(weight[k, 0].numpy(), cmap="RdBu_r", vmin=-limit,
                                      vmax=limit, interpolation="nearest")  # fmt: skip
                axes[0, k + 1].set_title(f"卷积核 {k + 1}")
                axes[1, k + 1].imshow(maps[k].numpy(), cmap="gray", vmin=0,
                                      vmax=float(maps.max()))  # fmt: skip
                axes[1, k + 1].set_title(f"特征图 {k + 1}")
            for ax in axes.ravel():
                ax.set_xticks([])
                ax.set_yticks([])
            written.append(save_png(render(figure), out_dir / f"{STEM}-{name}.png"))
    return written


main = figure_cli(build, OUTPUT_DIR, "第 9 章：LeNet 第一层学到的卷积核及其特征图。")

if __name__ == "__main__":
    sys.exit(main())
