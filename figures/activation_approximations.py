"""PNG: cheap stand-ins and limits of chapter 6's activations, four panels.

Hard sigmoids against sigmoid (the curves of ``snippets/activations/hard_sigmoid.py``),
hard-swish against SiLU, softplus with growing beta against ReLU, and the error of the
256-entry sigmoid lookup table of ``snippets/activations/lookup_sigmoid.py``. Every value is
computed by torch.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch  # every value drawn here is computed by torch
from torch import nn
from torch.nn import functional as F

from figures.common import (
    FIGURES_DIR,
    THEMES,
    Theme,
    figure_cli,
    load_snippet,
    save_charts,
    torch_default_dtype,
)

OUTPUT_DIR = FIGURES_DIR / "activations"
STEM = "approximations"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (960, 660)
BETAS = (1.0, 2.0, 5.0)
TABLE_SIZE = 256
LOOKUP_MODES = {"nearest": "取最近项", "linear": "线性插值"}

Curves = dict[str, np.ndarray]


def hard_sigmoid_curves() -> tuple[np.ndarray, Curves]:
    example = load_snippet("activations/hard_sigmoid.py")
    x = example["x"]
    curves = {"sigmoid": torch.sigmoid(x)} | example["definitions"]
    return x.numpy(), {name: values.numpy() for name, values in curves.items()}


def swish_curves() -> tuple[np.ndarray, Curves]:
    x = torch.linspace(-6, 6, 1201, dtype=torch.float64)
    curves = {"SiLU": nn.SiLU()(x), "hard-swish": nn.Hardswish()(x)}
    return x.numpy(), {name: values.numpy() for name, values in curves.items()}


def softplus_curves() -> tuple[np.ndarray, Curves]:
    x = torch.linspace(-3, 3, 1201, dtype=torch.float64)
    curves = {f"softplus，β = {beta:g}": F.softplus(x, beta=beta) for beta in BETAS}
    curves["ReLU"] = F.relu(x)
    return x.numpy(), {name: values.numpy() for name, values in curves.items()}


def lookup_error_curves() -> tuple[np.ndarray, Curves]:
    """The largest error in each window one table step wide (the raw error oscillates)."""
    example = load_snippet("activations/lookup_sigmoid.py")
    with torch_default_dtype(torch.float64):  # the snippet's table is float64, as in the script
        table = example["build_table"](TABLE_SIZE)
    per_step = round(table.step * 2**10)  # fine samples per table step
    x = torch.arange(-12 * 2**10, 12 * 2**10 + 1, dtype=torch.float64) / 2**10
    exact = torch.sigmoid(x)
    centres = F.avg_pool1d(x[None, None], per_step, per_step)[0, 0]
    curves = {}
    for mode, label in LOOKUP_MODES.items():
        error = (example["lookup"](table, x, mode) - exact).abs()
        curves[f"{label}，{TABLE_SIZE} 项"] = F.max_pool1d(error[None, None], per_step)[0, 0]
    return centres.numpy(), {name: values.numpy() for name, values in curves.items()}


LOOKUP_TITLE = "查找表 sigmoid：每个表格间距内的最大误差"
PANELS = [
    ("sigmoid 与三种 hard sigmoid", hard_sigmoid_curves),
    ("SiLU 与 hard-swish", swish_curves),
    ("β 增大时 softplus 逼近 ReLU", softplus_curves),
    (LOOKUP_TITLE, lookup_error_curves),
]


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    data = [(title, make()) for title, make in PANELS]

    def draw(axes: np.ndarray, theme: Theme) -> None:
        for ax, (title, (x, curves)) in zip(axes.flat, data, strict=True):
            for label, values in curves.items():
                ax.plot(x, values, linewidth=2, label=label)
            if title == LOOKUP_TITLE:
                ax.set_yscale("log")
                ax.axvspan(-8, 8, color=theme.window, alpha=0.6, linewidth=0)
                ax.text(0, 2e-6, "表格覆盖的范围", ha="center", color=theme.muted)
            ax.set_xlim(x[0], x[-1])
            ax.set_title(title, fontsize=12)
            ax.legend(loc="upper left", fontsize=10)

    return save_charts(out_dir, STEM, themes, SIZE_PX, draw, rows=2, cols=2)


main = figure_cli(build, OUTPUT_DIR, "第 6 章：激活函数的廉价替代与极限情形，四幅子图（PNG）。")

if __name__ == "__main__":
    sys.exit(main())
