"""Chart: the fast recipe's one-cycle learning rate and Adam's beta1, step by step (chapter 9).

Every plotted value is what PyTorch's ``OneCycleLR`` sets, read from the optimiser after each
step of ``cnnbook.training``'s own scheduler for the fast recipe (2 epochs of 430 steps), beside
the textbook recipe's constant learning rate. No training is needed: the schedule depends only on
the number of steps.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

from cnnbook.data import TRAIN_SIZE, VALIDATION_SIZE
from cnnbook.model import LeNet
from cnnbook.training import FAST, TEXTBOOK, Recipe, make_optimizer, make_scheduler
from figures.common import FIGURES_DIR, THEMES, Theme, figure_cli, save_charts

OUTPUT_DIR = FIGURES_DIR / "lenet"
STEM = "lr-schedule"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (1000, 400)


def steps_per_epoch(recipe: Recipe) -> int:
    return math.ceil((TRAIN_SIZE - VALIDATION_SIZE) / recipe.batch_size)


def schedule(recipe: Recipe = FAST) -> tuple[list[float], list[float]]:
    """The learning rate and Adam's beta1 in effect at every training step of ``recipe``."""
    optimizer = make_optimizer(LeNet(), recipe)
    scheduler = make_scheduler(optimizer, recipe, steps_per_epoch(recipe))
    rates, betas = [], []
    for _ in range(recipe.epochs * steps_per_epoch(recipe)):
        group = optimizer.param_groups[0]
        rates.append(group["lr"])
        betas.append(group["betas"][0] if "betas" in group else math.nan)
        optimizer.step()  # no gradients: the parameters stay as they are
        if scheduler is not None:
            scheduler.step()
    return rates, betas


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    rates, betas = schedule(FAST)
    steps = np.arange(len(rates))
    per_epoch = steps_per_epoch(FAST)
    peak = int(np.argmax(rates))

    def draw(axes: np.ndarray, theme: Theme) -> None:
        rate_axes, beta_axes = axes[0]
        rate_axes.plot(steps, rates, linewidth=2.4, label="快速配方：one-cycle")
        rate_axes.axhline(TEXTBOOK.lr, color=theme.series[1], linestyle="--", linewidth=2,
                          label="教科书配方：恒为 0.01")  # fmt: skip
        rate_axes.axvline(peak, color=theme.muted, linestyle=":", linewidth=1.5)
        rate_axes.annotate(f"第 {peak + 1} 步达到峰值", (peak, max(rates)), xytext=(14, -34),
                           textcoords="offset points", color=theme.text)  # fmt: skip
        rate_axes.set(xlabel="训练步数", ylabel="学习率", xlim=(0, len(rates)), ylim=(0, 0.014))
        rate_axes.set_title("学习率")
        rate_axes.legend(loc="upper right", fontsize=12)
        beta_axes.plot(steps, betas, linewidth=2.4, color=theme.series[2])
        beta_axes.set(xlabel="训练步数", xlim=(0, len(betas)), ylim=(0.84, 0.96))
        beta_axes.set_title("Adam 的 β₁（一阶矩的衰减率）")
        for ax in (rate_axes, beta_axes):
            ax.axvline(per_epoch, color=theme.grid, linewidth=1)
            ax.text(per_epoch + 8, ax.get_ylim()[0] + 0.04 * (ax.get_ylim()[1] - ax.get_ylim()[0]),
                    "第 2 轮开始", color=theme.muted, fontsize=12)  # fmt: skip

    return save_charts(out_dir, STEM, themes, SIZE_PX, draw, cols=2, rc={"font.size": 14})


main = figure_cli(build, OUTPUT_DIR, "第 9 章：快速配方每一步的 one-cycle 学习率与 Adam 的 beta1。")

if __name__ == "__main__":
    sys.exit(main())
