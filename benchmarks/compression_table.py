"""The final comparison of chapter 10: every compressed LeNet with its accuracy, parameters,
saved file, compression ratio, MACs and measured latency.

Accuracy, parameters, file size and MACs are the stored results of
``python -m cnnbook.compression.experiments`` (``snippets/compression/results/
experiments.json``); only the time is measured here. Latency depends on the architecture and
the kernels, not on the values of the weights, so each network is rebuilt with random weights in
the shape the experiments produced: the original LeNet; the same LeNet with the stored fraction
of its weights set to zero (fine-grained pruning keeps the dense shape and the dense kernels);
the narrower LeNet of channel pruning; the int8 LeNet (``torch._int_mm``); the distilled
student; the narrow LeNet in int8. Times are ``cnnbook.compression.latency.measure_latency``
(eval mode, ``inference_mode``, one thread, warm-up, median of the timed calls) for a batch of
1 and a batch of 250, the networks taking turns for five rounds (each round starting one
network later), the smallest round kept; the machine's load average when the measurement
starts is printed too.
``--quick``: the same table with a few repeats.
"""

from __future__ import annotations

import sys

import torch
from torch import nn

from benchmarks.common import benchmark_cli, machine_line, starting_load_line
from cnnbook.compression import pruning
from cnnbook.compression.experiments import load_results
from cnnbook.compression.latency import measure_latency
from cnnbook.compression.quantization import quantize_int8
from cnnbook.model import LeNet

LARGE_BATCH = 250
LABELS = {
    "original": "原始 LeNet",
    "pruned": "细粒度剪枝 90%",
    "channels": "通道剪枝",
    "int8": "int8",
    "distilled": "蒸馏的学生",
    "channels+int8": "通道剪枝 + int8",
}


ROUNDS = 5  # every network is timed once per round, the rounds one after another


def repeats(quick: bool, heavy: bool = False) -> dict:
    if quick:
        return {"warmup": 1, "repeats": 3}
    return {"warmup": 2, "repeats": 8} if heavy else {"warmup": 10, "repeats": 80}


def rebuilt(row: dict) -> nn.Module:
    """A random-weight network of the row's architecture (and sparsity, and number format)."""
    model = LeNet(channels=tuple(row["channels"]), hidden=tuple(row["hidden"])).eval()
    if "sparsity" in row:
        pruning.apply_masks(model, pruning.magnitude_masks(model, row["sparsity"], "global"))
    return quantize_int8(model) if row["format"] == "int8" else model


def best_round_median(models: list[nn.Module], batch_size: int, quick: bool) -> list[float]:
    """Seconds per batch of each model: the smallest of its per-round medians. The models take
    turns, so a burst of work from another process slows all of them alike or only one round
    of one of them; such interference can only make a time longer, so the smallest median is
    the least disturbed one."""
    counts = repeats(quick, heavy=batch_size > 1)
    medians: list[list[float]] = [[] for _ in models]
    for start in range(1 if quick else ROUNDS):
        for step in range(len(models)):
            k = (start + step) % len(models)  # each round starts one network later
            medians[k].append(measure_latency(models[k], batch_size, threads=1, **counts).median)
    return [min(values) for values in medians]


def comparison_table(quick: bool) -> list[str]:
    rows = load_results()["comparison"]
    torch.manual_seed(0)
    models = [rebuilt(row) for row in rows]
    single = best_round_median(models, 1, quick)
    batch = best_round_median(models, LARGE_BATCH, quick)
    lines = [
        "| 网络 | 准确率 | 参数（非零） | 文件 (kB) | 压缩比 | MACs "
        f"| 延迟：批 1 / 批 {LARGE_BATCH} |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row, one, many in zip(rows, single, batch, strict=True):
        parameters = f"{row['parameters']:,}"
        if row["nonzero_parameters"] != row["parameters"]:
            parameters += f"（{row['nonzero_parameters']:,}）"
        lines.append(
            f"| {LABELS[row['name']]} | {row['test_accuracy']:.2f}% | {parameters} "
            f"| {row['file_bytes'] / 1e3:.1f} | {row['compression_ratio']:.2f} | {row['macs']:,} "
            f"| {one * 1e6:,.0f} µs / {many * 1e3:.2f} ms |"
        )
    return lines


def run(quick: bool) -> str:
    load = starting_load_line()
    return "\n".join(
        [
            *comparison_table(quick),
            "",
            f"每个时间都只用 1 个线程，是 {ROUNDS} 轮测量中最小的那一轮的中位数。{load}",
            "",
            machine_line(threads=1),
        ]
    )


main = benchmark_cli(run, __doc__)

if __name__ == "__main__":
    sys.exit(main())
