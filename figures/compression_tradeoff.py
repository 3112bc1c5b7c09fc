"""Chart: test accuracy against the size of the saved file, for every compressed LeNet
(chapter 10): the mean over the seeds with an error bar of one standard deviation. Read from
the stored run of ``python -m cnnbook.compression.experiments``
(``snippets/compression/results/experiments.json``), the rows of the final comparison.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib
import matplotlib.ticker
from matplotlib.axes import Axes

from cnnbook.compression.experiments import load_results
from figures.common import (
    FIGURES_DIR,
    SNIPPETS_DIR,
    THEMES,
    Theme,
    figure_cli,
    save_charts,
)

OUTPUT_DIR = FIGURES_DIR / "compression"
STORED = SNIPPETS_DIR / "compression" / "results"
STEM = "accuracy-size"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (1100, 560)
LABELS = {
    "original": "原始 LeNet（float32）",
    "pruned": "细粒度剪枝 90%（CSR）",
    "channels": "通道剪枝",
    "low_rank": "低秩分解",
    "int8_dynamic": "int8，动态量化激活",
    "int8_static": "int8，静态量化激活",
    "deep_compression": "Deep Compression",
    "distilled": "蒸馏的学生",
    "distilled+int8": "蒸馏的学生 + int8",
    "channels+int8": "通道剪枝 + int8",
}
MARKERS = ("o", "s", "^", "v", "D", "d", "*", "P", "X", "h")
TICKS_KB = (5, 10, 20, 50, 100, 200)


def points(results: dict) -> list[tuple[str, float, float, float]]:
    """(label, file size in kB, mean test accuracy in %, its SD) of every compared network."""
    return [
        (
            LABELS[row["name"]],
            row["file_bytes"]["mean"] / 1e3,
            row["test_accuracy"]["mean"],
            row["test_accuracy"]["std"],
        )
        for row in results["comparison"]["rows"].values()
    ]


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    drawn = points(load_results(STORED))
    low = min(accuracy - sd for _, _, accuracy, sd in drawn)

    def draw(chart: Axes, theme: Theme) -> None:
        for marker, (label, size, accuracy, sd) in zip(MARKERS, drawn, strict=False):
            chart.errorbar(
                [size], [accuracy], yerr=[sd], marker=marker, markersize=12, capsize=5,
                linestyle="none", label=f"{label}：{size:.1f} kB，{accuracy:.2f}%",
            )  # fmt: skip
        chart.set_xscale("log")
        chart.set_xticks(TICKS_KB, [f"{tick:g}" for tick in TICKS_KB])
        chart.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        chart.set(
            xlabel="存盘文件 (kB，对数刻度)",
            ylabel="测试准确率 (%)，平均值 ± 标准差",
            ylim=(low - 0.3, 99.5),
        )
        chart.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=12)

    return save_charts(out_dir, STEM, themes, SIZE_PX, draw, rc={"font.size": 14})


main = figure_cli(build, OUTPUT_DIR, "第 10 章：每个压缩后的 LeNet 的测试准确率与保存文件的大小。")

if __name__ == "__main__":
    sys.exit(main())
