"""Chart: L1, MSE, smooth L1 and Huber losses and their derivatives (chapter 7).

Every plotted value is computed by torch: the losses by ``nn.L1Loss``, ``nn.MSELoss``,
``nn.SmoothL1Loss`` and ``nn.HuberLoss`` (``reduction="none"``), the derivatives by autograd.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

from figures.common import (
    FIGURES_DIR,
    THEMES,
    Theme,
    figure_cli,
    save_charts,
)

OUTPUT_DIR = FIGURES_DIR / "normalization"
STEM = "loss-curves"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
FONT_SIZE = 15  # the page shows the 1000-px image about 700 px wide
SIZE_PX = (1000, 420)
BETA = 2.0  # the beta of smooth L1 and the delta of Huber drawn in the chart
LINE_STYLES = ("-", "--", "-.", ":")


def loss_functions() -> dict[str, nn.Module]:
    return {
        "L1": nn.L1Loss(reduction="none"),
        "MSE（L2）": nn.MSELoss(reduction="none"),
        f"Smooth L1，β = {BETA:g}": nn.SmoothL1Loss(reduction="none", beta=BETA),
        f"Huber，δ = {BETA:g}": nn.HuberLoss(reduction="none", delta=BETA),
    }


def loss_curves() -> tuple[torch.Tensor, dict[str, tuple[torch.Tensor, torch.Tensor]]]:
    """Errors e in [-4, 4] and, per loss, (loss(e), dloss/de) from torch."""
    # Exact steps of 0.02 with e = 0 itself (torch.linspace rounds differently per instruction
    # set: on AVX-512 its middle point was -4e-16, where L1's derivative is -1 instead of 0).
    errors = torch.arange(-200, 201, dtype=torch.float64) / 50
    curves = {}
    for name, loss_fn in loss_functions().items():
        e = errors.clone().requires_grad_()
        values = loss_fn(e, torch.zeros_like(e))
        (grad,) = torch.autograd.grad(values.sum(), e)
        curves[name] = (values.detach(), grad)
    return errors, curves


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    errors, curves = loss_curves()

    def draw(axes: np.ndarray, theme: Theme) -> None:
        loss_axes, grad_axes = axes[0]
        for style, (label, (values, grad)) in zip(LINE_STYLES, curves.items(), strict=True):
            loss_axes.plot(errors, values, linestyle=style, linewidth=2.2, label=label)
            grad_axes.plot(errors, grad, linestyle=style, linewidth=2.2, label=label)
        loss_axes.set(xlim=(-4, 4), ylim=(0, 5), xlabel="误差 e = 预测 − 目标")
        loss_axes.set_title("损失")
        grad_axes.set(xlim=(-4, 4), ylim=(-4.5, 4.5), xlabel="误差 e = 预测 − 目标")
        grad_axes.set_title("损失对误差的导数")
        loss_axes.legend(loc="upper center", fontsize=13)

    return save_charts(out_dir, STEM, themes, SIZE_PX, draw, cols=2, rc={"font.size": FONT_SIZE})


main = figure_cli(build, OUTPUT_DIR, "第 7 章：L1、MSE、smooth L1 与 Huber 损失及其导数。")

if __name__ == "__main__":
    sys.exit(main())
