"""Inference latency of LeNet and AlexNet (chapter 10, 评估指标): batch 1 against a large
batch, one thread against all, and what skipping warm-up or ``inference_mode`` does.

The weights are random (latency depends on the architecture and the kernels, not on the
values). Every timed call runs in ``model.eval()`` and ``torch.inference_mode()`` with a fixed
thread count. The cases of one thread count take turns (``measure_rotated``: several rounds,
each starting one case later, the quietest round's median kept), so no case is always measured
first, with cold caches. The second table shows what the rules guard against: the very first
call of a freshly built network (cold, no warm-up) and calls with autograd recording (no
``inference_mode``), rotated with the same warm case. ``--quick``: the same tables, few repeats.
"""

from __future__ import annotations

import sys
import time
from functools import partial

import torch
from torch import nn
from torchvision import models

from benchmarks.common import (
    Result,
    benchmark_cli,
    machine,
    machine_line,
    measure_rotated,
    starting_load_line,
)
from cnnbook.model import LeNet
from cnnbook.timing import intra_op_threads

LENET, ALEXNET = (1, 28, 28), (3, 224, 224)


def counts(quick: bool, heavy: bool = False) -> dict:
    if quick:
        return {"rounds": 1, "warmup": 1, "repeats": 2}
    return (
        {"rounds": 3, "warmup": 2, "repeats": 5}
        if heavy
        else {"rounds": 5, "warmup": 5, "repeats": 30}
    )


def inference(model: nn.Module, images: torch.Tensor) -> torch.Tensor:
    with torch.inference_mode():
        return model(images)


def recording(model: nn.Module, images: torch.Tensor) -> torch.Tensor:
    return model(images)  # autograd records the graph: parameters require gradients


def cases_table(quick: bool) -> tuple[list[dict], float]:
    """LeNet and AlexNet at batch 1 and a large batch, 1 thread and every thread; with one
    thread, LeNet at batch 1 also without ``inference_mode`` (recording the graph), in the same
    rotation. Returns the rows and the milliseconds of that recording case."""
    torch.manual_seed(0)
    lenet, alexnet = LeNet().eval(), models.alexnet(weights=None).eval()
    generator = torch.Generator().manual_seed(0)
    cases = [
        ("LeNet", lenet, 1, LENET),
        ("LeNet", lenet, 1000, LENET),
        ("AlexNet", alexnet, 1, ALEXNET),
    ]
    rows, recorded = [], 0.0
    for threads in sorted({1, torch.get_num_threads()}):
        group = {}
        for name, model, batch, shape in cases:
            images = torch.randn((batch, *shape), generator=generator)
            group[(name, batch)] = partial(inference, model, images)
            if threads == 1 and (name, batch) == ("LeNet", 1):
                group[("recording", 1)] = partial(recording, model, images)
        if threads > 1:
            images = torch.randn((32, *ALEXNET), generator=generator)
            group[("AlexNet", 32)] = partial(inference, alexnet, images)
        with intra_op_threads(threads):
            light = {k: v for k, v in group.items() if k[0] != "AlexNet"}
            heavy = {k: v for k, v in group.items() if k[0] == "AlexNet"}
            timings = measure_rotated(light, **counts(quick))
            timings |= measure_rotated(heavy, **counts(quick, heavy=True))
        if ("recording", 1) in timings:
            recorded = round(timings.pop(("recording", 1)).median * 1e3, 3)
        for (name, batch), timing in timings.items():
            rows.append(
                {
                    "network": name,
                    "batch": batch,
                    "threads": threads,
                    "median_ms": round(timing.median * 1e3, 3),
                    "fastest_ms": round(timing.fastest * 1e3, 3),
                    "slowest_ms": round(timing.slowest * 1e3, 3),
                }
            )
    return rows, recorded


def cold_call() -> float:
    """Milliseconds of the very first call of a freshly built LeNet (batch 1, 1 thread)."""
    image = torch.randn(1, *LENET, generator=torch.Generator().manual_seed(1))
    with intra_op_threads(1):
        fresh = LeNet().eval()
        start = time.perf_counter()
        inference(fresh, image)
        return round((time.perf_counter() - start) * 1e3, 3)


def markdown(rows: list[dict], rules: dict) -> list[str]:
    lines = [
        "| 网络 | 批大小 | 线程 | 中位数 (ms) | 最快–最慢 (ms) | 每张图 (µs) | 每秒图数 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in sorted(rows, key=lambda r: (r["network"] != "LeNet", r["batch"], r["threads"])):
        median = row["median_ms"] / 1e3
        lines.append(
            f"| {row['network']} | {row['batch']} | {row['threads']} | {row['median_ms']:.3f} "
            f"| {row['fastest_ms']:.3f}–{row['slowest_ms']:.3f} "
            f"| {median / row['batch'] * 1e6:,.1f} | {row['batch'] / median:,.0f} |"
        )
    return [
        *lines,
        "",
        "| LeNet，批大小 1，1 个线程 | 时间 (ms) |",
        "| --- | ---: |",
        f"| 新建网络后的第一次调用（不预热） | {rules['cold_ms']:.3f} |",
        f"| 预热之后，`inference_mode`，中位数 | {rules['warm_ms']:.3f} |",
        f"| 预热之后，不用 `inference_mode`（记录计算图），中位数 | {rules['recording_ms']:.3f} |",
    ]


def run(quick: bool) -> Result:
    load = starting_load_line()
    cold = cold_call()  # first: nothing has warmed up yet
    rows, recorded = cases_table(quick)
    [warm] = [r for r in rows if (r["network"], r["batch"], r["threads"]) == ("LeNet", 1, 1)]
    rules = {"cold_ms": cold, "warm_ms": warm["median_ms"], "recording_ms": recorded}
    lines = [
        *markdown(rows, rules),
        "",
        f"同一线程数的情形轮流测量，取最安静的一轮的中位数。{load}",
        "",
        machine_line(),
    ]
    cases = {f"{r['network']}_batch{r['batch']}_threads{r['threads']}": r for r in rows}
    return Result("\n".join(lines), {"cases": cases, **rules, "machine": machine()})


main = benchmark_cli(
    run,
    "第 10 章（评估指标）：LeNet 与 AlexNet 的推理延迟——批大小 1 与大批、单线程与全部线程、"
    "省去预热或 inference_mode 的影响。",
)

if __name__ == "__main__":
    sys.exit(main())
