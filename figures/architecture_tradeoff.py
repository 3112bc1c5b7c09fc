"""Chart (chapter 8): ImageNet-1K top-1 accuracy against MACs and against measured CPU latency
for the fourteen networks of the comparison table, both on log scales. Read from the table's
results (``benchmarks/results/architecture_latency.json``, written by ``make bench``); the
networks with depthwise convolutions are drawn with their own marker.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib.ticker
import numpy as np
from matplotlib.axes import Axes

from benchmarks.common import RESULTS_DIR
from figures.common import FIGURES_DIR, THEMES, Theme, figure_cli, save_charts

OUTPUT_DIR = FIGURES_DIR / "architectures"
STEM = "accuracy-cost"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SIZE_PX = (1000, 1250)
RESULTS = RESULTS_DIR / "architecture_latency.json"
DEPTHWISE = {  # networks built mostly from depthwise (or channel-wise) convolutions
    "mobilenet_v2",
    "mobilenet_v3_large",
    "mobilenet_v3_small",
    "shufflenet_v2_x1_0",
    "efficientnet_b0",
    "convnext_tiny",
}
OFFSETS = {"googlenet": (6, -14)}  # GoogLeNet and ResNet-18 share an accuracy: label one below


def load_points(path: Path = RESULTS) -> list[dict]:
    """One dict per network: name, label, MACs (G), latency (ms), acc@1 (%)."""
    models = json.loads(path.read_text(encoding="utf-8"))["models"]
    return [
        {
            "name": name,
            "label": row["label"],
            "gmacs": row["macs"] / 1e9,
            "latency_ms": row["latency_ms"],
            "acc1": row["acc1"],
        }
        for name, row in models.items()
    ]


def draw_panel(chart: Axes, points: list[dict], key: str, theme: Theme, xlabel: str) -> None:
    for depthwise, marker, colour, label in [
        (False, "o", theme.series[0], "普通卷积为主"),
        (True, "^", theme.series[1], "含深度卷积"),
    ]:
        chosen = [p for p in points if (p["name"] in DEPTHWISE) == depthwise]
        chart.plot(
            [p[key] for p in chosen],
            [p["acc1"] for p in chosen],
            marker=marker,
            markersize=9,
            linestyle="none",
            color=colour,
            label=label,
        )
    for point in points:
        chart.annotate(
            point["label"],
            (point[key], point["acc1"]),
            textcoords="offset points",
            xytext=OFFSETS.get(point["name"], (6, 4)),
            fontsize=12,
            color=theme.text,
        )
    chart.set_xscale("log")
    chart.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
    span = np.array([p[key] for p in points])
    chart.set_xlim(span.min() / 1.6, span.max() * 2.2)
    chart.set(xlabel=xlabel, ylabel="ImageNet-1K top-1 准确率（%）", ylim=(54, 85))
    chart.legend(loc="lower right", fontsize=13)


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    points = load_points()

    def draw(axes: np.ndarray, theme: Theme) -> None:
        draw_panel(axes[0, 0], points, "gmacs", theme, "乘加次数（G MACs，对数刻度）")
        draw_panel(
            axes[1, 0], points, "latency_ms", theme, "CPU 延迟（ms，批大小 1、单线程，对数刻度）"
        )

    return save_charts(out_dir, STEM, themes, SIZE_PX, draw, rows=2, rc={"font.size": 15})


main = figure_cli(
    build,
    OUTPUT_DIR,
    "第 8 章：对比表中各网络的 ImageNet-1K top-1 准确率与 MACs、实测 CPU 延迟的关系。",
)

if __name__ == "__main__":
    sys.exit(main())
