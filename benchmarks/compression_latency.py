"""Inference latency of LeNet and AlexNet (chapter 10, 评估指标): batch 1 against a large
batch, one thread against all, and what skipping warm-up or ``inference_mode`` does.

The weights are random (latency depends on the architecture and the kernels, not on the
values). Every time is ``cnnbook.compression.latency.measure_latency``: ``model.eval()``,
``torch.inference_mode()``, a fixed thread count, warm-up calls, then the median of many timed
calls with the quartiles. The first table also shows what the rules guard against: the very
first call of a fresh network (no warm-up) and calls with autograd recording (no
``inference_mode``). The compressed networks are timed by ``benchmarks/compression_table.py``.
``--quick``: the same tables with a few repeats.
"""

from __future__ import annotations

import sys
import time

import torch
from torch import nn
from torchvision import models

from benchmarks.common import benchmark_cli, machine_line, starting_load_line
from cnnbook.compression.latency import Latency, measure_latency
from cnnbook.model import LeNet
from cnnbook.timing import intra_op_threads


def repeats(quick: bool, heavy: bool = False) -> dict:
    if quick:
        return {"warmup": 1, "repeats": 3}
    return {"warmup": 3, "repeats": 10} if heavy else {"warmup": 10, "repeats": 50}


def time_ms(latency: Latency) -> str:
    return f"{latency.median * 1e3:.3f}"


def spread_ms(latency: Latency) -> str:
    return f"{latency.lower_quartile * 1e3:.3f}–{latency.upper_quartile * 1e3:.3f}"


def single_call(model: nn.Module, images: torch.Tensor, threads: int, *, inference: bool) -> float:
    """Seconds of one call (no warm-up) with autograd on or off."""
    with intra_op_threads(threads):
        start = time.perf_counter()
        if inference:
            with torch.inference_mode():
                model(images)
        else:
            model(images)
        return time.perf_counter() - start


def lenet_and_alexnet(quick: bool) -> list[str]:
    torch.manual_seed(0)
    lenet, alexnet = LeNet().eval(), models.alexnet(weights=None).eval()
    all_threads = torch.get_num_threads()
    lines = [
        "| 网络 | 批大小 | 线程 | 中位数 (ms) | 四分位距 (ms) | 每张图 (µs) | 每秒图数 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    cases = [
        (lenet, "LeNet", 1, 1, (1, 28, 28)),
        (lenet, "LeNet", 1, all_threads, (1, 28, 28)),
        (lenet, "LeNet", 1000, 1, (1, 28, 28)),
        (lenet, "LeNet", 1000, all_threads, (1, 28, 28)),
        (alexnet, "AlexNet", 1, 1, (3, 224, 224)),
        (alexnet, "AlexNet", 1, all_threads, (3, 224, 224)),
        (alexnet, "AlexNet", 32, all_threads, (3, 224, 224)),
    ]
    for model, name, batch, threads, shape in cases:
        latency = measure_latency(
            model,
            batch,
            threads=threads,
            image_shape=shape,
            **repeats(quick, heavy=name == "AlexNet"),
        )
        lines.append(
            f"| {name} | {batch} | {latency.threads} | {time_ms(latency)} | {spread_ms(latency)} "
            f"| {latency.per_image * 1e6:,.1f} | {batch / latency.median:,.0f} |"
        )
    fresh = LeNet().eval()
    image = torch.randn(1, 1, 28, 28)
    first = single_call(fresh, image, 1, inference=True)
    warm = measure_latency(fresh, 1, threads=1, **repeats(quick))
    recording = [single_call(fresh, image, 1, inference=False) for _ in range(20)]
    recording.sort()
    lines += [
        "",
        "| LeNet，批大小 1，1 个线程 | 时间 (ms) |",
        "| --- | ---: |",
        f"| 新建网络后的第一次调用（不预热） | {first * 1e3:.3f} |",
        f"| 预热之后，`inference_mode`，中位数 | {time_ms(warm)} |",
        f"| 预热之后，不用 `inference_mode`（记录计算图），20 次的中位数 "
        f"| {recording[len(recording) // 2] * 1e3:.3f} |",
    ]
    return lines


def run(quick: bool) -> str:
    load = starting_load_line()
    lines = [
        *lenet_and_alexnet(quick),
        "",
        load,
        "",
        machine_line(),
    ]
    return "\n".join(lines)


main = benchmark_cli(run, __doc__)

if __name__ == "__main__":
    sys.exit(main())
