"""The final comparison of chapter 10: every compressed LeNet with its accuracy (mean ± SD over
the seeds), parameters, saved file, compression ratio, MACs and measured latency.

Accuracy, parameters, file size and MACs are the stored results of
``python -m cnnbook.compression.experiments`` (``snippets/compression/results/experiments.json``);
only the time is measured here. Latency depends on the architecture and the kernels, not on the
values of the weights, so each network is rebuilt with random weights in the shape the
experiments produced: the original LeNet; the same LeNet with the stored fraction of its
weights at zero (fine-grained pruning keeps the dense shape and kernels; Deep Compression's
file also decodes to such a dense network); the narrower LeNet of channel pruning; the
low-rank LeNet; the dynamic and the static int8 LeNet (``torch._int_mm``); the distilled
student, and the int8 versions of the narrow networks. One thread, batch 1 and batch 250, the
networks taking turns (``measure_rotated``), the quietest round kept.
``--quick``: the same table with a few repeats.
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

import torch
from torch import nn

from benchmarks.common import (
    Result,
    benchmark_cli,
    machine,
    machine_line,
    measure_rotated,
    starting_load_line,
)
from cnnbook.compression import pruning
from cnnbook.compression.experiments import load_results
from cnnbook.compression.int8 import observe_inputs, quantize_int8, quantize_static
from cnnbook.compression.lowrank import factorize_layers
from cnnbook.model import LeNet
from cnnbook.timing import intra_op_threads

STORED = Path(__file__).resolve().parents[1] / "snippets" / "compression" / "results"
LARGE_BATCH = 250
LABELS = {
    "original": "原始 LeNet",
    "pruned": "细粒度剪枝 90%",
    "channels": "通道剪枝",
    "low_rank": "低秩分解（fc1、fc2）",
    "int8_dynamic": "int8，动态量化激活",
    "int8_static": "int8，静态量化激活",
    "deep_compression": "Deep Compression",
    "distilled": "蒸馏的学生",
    "distilled+int8": "蒸馏的学生 + int8",
    "channels+int8": "通道剪枝 + int8",
}
ROUNDS = 5


def counts(quick: bool, batch: int) -> dict:
    if quick:
        return {"rounds": 1, "warmup": 1, "repeats": 2}
    return {"rounds": ROUNDS, "warmup": 3, "repeats": 30 if batch == 1 else 8}


def rebuilt(row: dict, settings: dict) -> nn.Module:
    """A random-weight network of the row's architecture, sparsity and number format."""
    torch.manual_seed(0)
    channels = tuple(row.get("channels", (6, 16)))
    hidden = tuple(row.get("hidden", (120, 84)))
    model = LeNet(channels=channels, hidden=hidden).eval()
    if row["name"] in ("pruned", "deep_compression"):
        sparsity = settings["compared_sparsity"]
        pruning.apply_masks(model, pruning.magnitude_masks(model, sparsity, "global"))
    if row["name"] == "low_rank":
        rank = settings["compared_rank"]
        model = factorize_layers(model, {"fc1": rank, "fc2": rank})
    if row["name"] == "int8_dynamic":
        return quantize_int8(model)
    if row["format"] == "int8":
        calibration = torch.randn(500, 1, 28, 28, generator=torch.Generator().manual_seed(1))
        return quantize_static(model, observe_inputs(model, [calibration]))
    return model


def latencies(models: dict[str, nn.Module], batch: int, quick: bool) -> dict[str, float]:
    """Seconds per batch of each network, measured in turns."""
    images = torch.randn(batch, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    with intra_op_threads(1), torch.inference_mode():
        cases = {name: partial(model, images) for name, model in models.items()}
        return {n: t.median for n, t in measure_rotated(cases, **counts(quick, batch)).items()}


def pm(stat: dict, digits: int = 2) -> str:
    return f"{stat['mean']:.{digits}f} ± {stat['std']:.{digits}f}"


def run(quick: bool) -> Result:
    load = starting_load_line()
    results = load_results(STORED)
    rows = list(results["comparison"]["rows"].values())
    models = {row["name"]: rebuilt(row, results["settings"]) for row in rows}
    single, batch = latencies(models, 1, quick), latencies(models, LARGE_BATCH, quick)
    seeds = len(results["settings"]["seeds"])
    lines = [
        f"| 网络 | 测试准确率 (%) | 参数（非零） | 文件 (kB) | 压缩比 | MACs "
        f"| 延迟：批 1 / 批 {LARGE_BATCH} |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        name = row["name"]
        parameters = f"{row['parameters']:,}"
        if row["nonzero_parameters"] != row["parameters"]:
            parameters += f"（{row['nonzero_parameters']:,}）"
        lines.append(
            f"| {LABELS[name]} | {pm(row['test_accuracy'])} | {parameters} "
            f"| {row['file_bytes']['mean'] / 1e3:.1f} | {row['compression_ratio']['mean']:.2f} "
            f"| {row['macs']:,} | {single[name] * 1e6:,.0f} µs / {batch[name] * 1e3:.2f} ms |"
        )
    values = {
        "large_batch": LARGE_BATCH,
        "latency_us": {name: round(seconds * 1e6, 1) for name, seconds in single.items()},
        f"latency_batch_{LARGE_BATCH}_ms": {n: round(s * 1e3, 3) for n, s in batch.items()},
        "machine": machine(1),
    }
    return Result(
        "\n".join(
            [
                *lines,
                "",
                f"准确率是 {seeds} 个种子的平均值 ± 标准差。每个时间都只用 1 个线程，"
                f"各个网络轮流测量，取最安静的一轮的中位数。{load}",
                "",
                machine_line(threads=1),
            ]
        ),
        values,
    )


main = benchmark_cli(
    run,
    "第 10 章的最终对比：每个压缩后的 LeNet 的准确率、参数量、文件大小、压缩比、MACs 与实测延迟。",
)

if __name__ == "__main__":
    sys.exit(main())
