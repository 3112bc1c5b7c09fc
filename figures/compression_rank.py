"""Chart: low-rank factorisation of LeNet's fc1 and fc2 (chapter 10).

Left: the share of fc1's squared Frobenius norm ("energy") that its r largest singular values
keep. Right: test accuracy with fc1 and fc2 replaced by their rank-r truncated SVD, without
retraining (line: mean over the seeds, shading: worst to best seed) and after one epoch of
fine-tuning (markers, ± one standard deviation). Read from the stored run of
``python -m cnnbook.compression.experiments`` (``snippets/compression/results/experiments.json``).
"""

from __future__ import annotations

import sys
from itertools import accumulate
from pathlib import Path

import numpy as np

from cnnbook.compression.experiments import load_results
from cnnbook.compression.stats import spread
from figures.common import (
    FIGURES_DIR,
    SNIPPETS_DIR,
    THEMES,
    Theme,
    draw_band,
    figure_cli,
    save_charts,
)

OUTPUT_DIR = FIGURES_DIR / "compression"
STORED = SNIPPETS_DIR / "compression" / "results"
STEM = "low-rank"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (1100, 460)


def energy_curve(results: dict) -> tuple[list[int], list[dict]]:
    """(rank r, statistics over seeds of the energy share kept by the r largest values, in %)."""
    per_seed = []
    for values in results["low_rank"]["fc1_singular_values"]:
        squares = [v * v for v in values]
        per_seed.append([100 * part / sum(squares) for part in accumulate(squares)])
    ranks = list(range(1, len(per_seed[0]) + 1))
    return ranks, [spread([run[k] for run in per_seed]) for k in range(len(ranks))]


def accuracy_curves(results: dict) -> dict[str, tuple[list[int], list[dict]]]:
    rows = list(results["low_rank"]["rows"].values())
    tuned = list(results["low_rank"]["fine_tuned"].values())
    return {
        "不微调": ([r["rank"] for r in rows], [r["test_accuracy"] for r in rows]),
        "微调 1 轮": ([r["rank"] for r in tuned], [r["after"] for r in tuned]),
    }


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    results = load_results(STORED)
    ranks, energy = energy_curve(results)
    curves = accuracy_curves(results)
    base = results["base"]["test_accuracy"]["mean"]

    def draw(axes: np.ndarray, theme: Theme) -> None:
        left, right = axes[0, 0], axes[0, 1]
        draw_band(left, ranks, energy, linewidth=2.2, label="fc1（120 × 256）")
        left.set(xlabel="保留的秩 r", ylabel="保留的能量 (%)", xlim=(0, ranks[-1]), ylim=(0, 101))
        left.legend(loc="lower right", fontsize=13)
        right.axhline(
            base, color=theme.muted, linewidth=1.5, linestyle=(0, (2, 2)), label="原网络（平均）"
        )
        x, stats = curves["不微调"]
        draw_band(right, x, stats, marker="o", linewidth=2.2, label="不微调")
        x, stats = curves["微调 1 轮"]
        right.errorbar(
            x, [s["mean"] for s in stats], yerr=[s["std"] for s in stats], marker="D",
            markersize=10, capsize=5, linestyle="none", label="微调 1 轮",
        )  # fmt: skip
        right.set_xscale("log", base=2)
        right.set_xticks(curves["不微调"][0], [str(r) for r in curves["不微调"][0]])
        right.set(xlabel="fc1、fc2 的秩 r（对数刻度）", ylabel="测试准确率 (%)", ylim=(0, 100.5))
        right.legend(loc="lower right", fontsize=13)

    return save_charts(out_dir, STEM, themes, SIZE_PX, draw, cols=2, rc={"font.size": 14})


main = figure_cli(build, OUTPUT_DIR, "第 10 章：LeNet 的 fc1 与 fc2 的低秩分解。")

if __name__ == "__main__":
    sys.exit(main())
