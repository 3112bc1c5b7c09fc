"""LeNet on MNIST: the textbook recipe against the fast one (wall time, accuracy, peak memory).

Every training run is a fresh subprocess (``python -c`` calling ``cnnbook.training.train``), so
each one pays for reading and decoding the MNIST files itself and no run warms the caches of the
next. Two times are reported per run: ``train()``'s own clock, which starts before the data is
read and stops after the final test evaluation, and the whole process (interpreter start and
``import torch`` included), timed from outside. Peak memory is the subprocess's peak resident
set size (``getrusage(RUSAGE_SELF).ru_maxrss`` read at its end, in MiB = 2^20 bytes), and in
brackets how much more that is than a baseline subprocess that only imports PyTorch and cnnbook.

A second table times the two input pipelines alone (one epoch of batches, no training), and a
third takes the fast recipe's training epoch apart: the same epoch without ``channels_last``,
with batches of 64, and on one intra-op thread (each timed three times, round robin, median).
``--quick`` trains on 2,000 images for one epoch and reads 100 batches: the same tables, much
less work. The data must be in ``$CNN_BOOK_DATA`` or ``data/``; it is fetched (untimed) first
if it is not.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import benchmark_cli, machine_line

REPO = Path(__file__).resolve().parent.parent
FAST_SEEDS = (0, 1, 2)
QUICK_SAMPLES, QUICK_BATCHES = 2_000, 100

TRAIN_CHILD = """
import json, resource, sys
from cnnbook.training import RECIPES, train
recipe, seeds, epochs, samples = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
for seed in map(int, seeds.split(",")):
    run = train(RECIPES[recipe], seed=seed, epochs=int(epochs) if epochs != "-" else None,
                train_samples=int(samples) if samples != "-" else None, download=False)
    print(json.dumps({"seed": seed, "seconds": run.seconds, "data_seconds": run.data_seconds,
                      "test_accuracy": run.test_accuracy, "epochs": run.recipe.epochs,
                      "threads": run.threads, "train_samples": run.train_samples,
                      "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

IMPORT_CHILD = """
import json, resource
import torch, torchvision, cnnbook.training
print(json.dumps({"peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

PIPELINE_CHILD = """
import json, sys, time
import torch
from torch.utils import data as torch_data  # DataLoader: the textbook pipeline
from cnnbook.data import load_digits, mnist_dataset, shuffled_batches, textbook_transform
limit = int(sys.argv[1])


def time_batches(make_batches):
    start, count = time.perf_counter(), 0
    for _ in make_batches():
        count += 1
        if count == limit:
            break
    return {"seconds": time.perf_counter() - start, "batches": count}


loader = lambda: torch_data.DataLoader(mnist_dataset(train=True, download=False,
                                          transform=textbook_transform()),
                            batch_size=64, shuffle=True)
tensors = lambda: shuffled_batches(load_digits(train=True, download=False), 128,
                                   torch.Generator().manual_seed(0))
print(json.dumps({"dataloader": time_batches(loader), "tensors": time_batches(tensors)}))
"""

ABLATION_CHILD = """
import json, math, sys, time
from dataclasses import replace
import torch
from cnnbook.data import load_digits, shuffled_batches, validation_split
from cnnbook.model import LeNet
from cnnbook.training import FAST, make_optimizer, make_scheduler, train_one_epoch
limit, repeats = int(sys.argv[1]), int(sys.argv[2])
digits = load_digits(download=False)
train_ids = validation_split()[0][:limit]
variants = {"fast": (FAST, None), "contiguous": (replace(FAST, channels_last=False), None),
            "batch64": (replace(FAST, batch_size=64), None), "one_thread": (FAST, 1)}
threads, reports = torch.get_num_threads(), {}


def epoch(recipe, ids):
    layout = torch.channels_last if recipe.channels_last else torch.contiguous_format
    torch.manual_seed(0)
    model = LeNet().to(memory_format=layout)
    optimizer = make_optimizer(model, recipe)
    steps = math.ceil(len(ids) / recipe.batch_size)
    scheduler = make_scheduler(optimizer, recipe, steps)
    batches = shuffled_batches(digits, recipe.batch_size, torch.Generator().manual_seed(0), ids)
    start = time.perf_counter()
    train_one_epoch(model, batches, optimizer, scheduler, memory_format=layout,
                    label_smoothing=recipe.label_smoothing)
    return time.perf_counter() - start, steps


for name, (recipe, thread_count) in variants.items():  # warm-up: build the kernels first
    torch.set_num_threads(thread_count or threads)
    epoch(recipe, train_ids[: 4 * recipe.batch_size])
times = {name: [] for name in variants}
for _ in range(repeats):  # round robin, so a busy moment of the machine hits every variant
    for name, (recipe, thread_count) in variants.items():
        torch.set_num_threads(thread_count or threads)
        seconds, steps = epoch(recipe, train_ids)
        times[name].append(seconds)
        reports[name] = {"steps": steps, "batch_size": recipe.batch_size,
                         "threads": torch.get_num_threads()}
for name in variants:
    reports[name]["seconds"] = sorted(times[name])[len(times[name]) // 2]  # the median
print(json.dumps(reports))
"""
ABLATIONS = {
    "fast": "fast 的一轮",
    "contiguous": "改用 NCHW 布局",
    "batch64": "批大小 64",
    "one_thread": "只用 1 个线程",
}


def child(code: str, *args: str, quick: bool = False) -> tuple[dict, float]:
    """Run ``code`` in a fresh interpreter in the repository; its JSON line and the wall time.

    ``quick`` runs (the tests') use one intra-op thread: tests run two at a time on two cores,
    and oversubscribed threads can make a run many times slower without measuring anything.
    """
    env = {**os.environ, **({"OMP_NUM_THREADS": "1"} if quick else {})}
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO, capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise ValueError(f"benchmark subprocess failed: {last}")
    reports = [json.loads(line) for line in result.stdout.strip().splitlines()]
    return (reports[0] if len(reports) == 1 else reports), seconds


def ensure_data() -> None:
    """Fetch MNIST first if needed, so no timed run includes a download."""
    from cnnbook.data import mnist_dataset

    for train in (True, False):
        mnist_dataset(train=train)


def train_rows(recipe: str, seeds: tuple[int, ...], quick: bool) -> list[dict]:
    """One subprocess per seed; ``quick`` runs every seed in one subprocess (the same table,
    fewer PyTorch imports), so there "整个进程" is the subprocess's time divided by the seeds."""
    limits = (str(1), str(QUICK_SAMPLES)) if quick else ("-", "-")
    groups = [seeds] if quick else [(seed,) for seed in seeds]
    rows = []
    for group in groups:
        reports, seconds = child(TRAIN_CHILD, recipe, ",".join(map(str, group)), *limits,
                                 quick=quick)  # fmt: skip
        reports = reports if isinstance(reports, list) else [reports]
        rows += [{**report, "recipe": recipe, "process_seconds": seconds / len(group)}
                 for report in reports]  # fmt: skip
    return rows


def mib(kib: float) -> str:
    return f"{kib / 1024:.0f}"


def training_table(rows: list[dict], baseline_kib: int) -> list[str]:
    lines = [
        "| 配方 | 种子 | 读数据 (s) | 合计 (s) | 进程 (s) | 测试准确率 | 峰值 RSS (MiB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['recipe']} | {row['seed']} | {row['data_seconds']:.1f} "
            f"| {row['seconds']:.1f} | {row['process_seconds']:.1f} "
            f"| {row['test_accuracy']:.2f}% "
            f"| {mib(row['peak_kib'])} (+{mib(row['peak_kib'] - baseline_kib)}) |"
        )
    return lines


def summary_lines(rows: list[dict], baseline_kib: int) -> list[str]:
    textbook, fast = rows[0], [row for row in rows if row["recipe"] == "fast"]
    accuracies = [row["test_accuracy"] for row in fast]
    fast_median = statistics.median(row["seconds"] for row in fast)
    return [
        f"textbook 训练 {textbook['epochs']} 轮，fast 训练 {fast[0]['epochs']} 轮。"
        f"fast 的 {len(fast)} 个种子：测试准确率平均 {statistics.mean(accuracies):.2f}%，"
        f"最低 {min(accuracies):.2f}%；合计时间的中位数 {fast_median:.1f} s。"
        f"fast 比 textbook 快 {textbook['seconds'] / fast_median:.1f} 倍"
        f"（合计时间之比，{textbook['seconds']:.1f} s ÷ {fast_median:.1f} s）。",
        "",
        "“合计”是 `train()` 从读数据之前到最后一次测试评估结束的时间；"
        "“进程”是整个子进程的时间，另含启动解释器与 `import torch`。"
        "峰值 RSS 括号里的数，是比只导入 PyTorch 与 cnnbook 的进程"
        f"（{mib(baseline_kib)} MiB）多出的部分。",
    ]


def pipeline_table(quick: bool) -> list[str]:
    report, _ = child(PIPELINE_CHILD, str(QUICK_BATCHES if quick else 10**9), quick=quick)
    loader, tensors = report["dataloader"], report["tensors"]
    return [
        "| 输入管线：只取一轮数据，不训练 | 批大小 | 批数 | 时间 (s) | 每批 (ms) |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| DataLoader，逐样本变换 | 64 | {loader['batches']} "
        f"| {loader['seconds']:.2f} | {1e3 * loader['seconds'] / loader['batches']:.2f} |",
        f"| 张量，按乱序索引取批（含解码与归一化） | 128 | {tensors['batches']} "
        f"| {tensors['seconds']:.2f} | {1e3 * tensors['seconds'] / tensors['batches']:.2f} |",
    ]


def ablation_table(quick: bool) -> list[str]:
    limit, repeats = (QUICK_SAMPLES, 1) if quick else (10**9, 3)
    reports, _ = child(ABLATION_CHILD, str(limit), str(repeats), quick=quick)
    reference = reports["fast"]["seconds"]
    lines = [
        "| 一轮训练（3 次轮流测量的中位数） | 批大小 | 线程 | 步数 | 时间 (s) | 相对 fast |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for variant, label in ABLATIONS.items():
        report = reports[variant]
        lines.append(
            f"| {label} | {report['batch_size']} | {report['threads']} | {report['steps']} "
            f"| {report['seconds']:.2f} | {report['seconds'] / reference:.2f} |"
        )
    return lines


def load_line(start: tuple[float, float, float], end: tuple[float, float, float]) -> str:
    """Other programs on the machine slow the runs down (two-thread runs most): say how busy it
    was, as the 1-minute load average (runnable processes) before and after the measurements."""
    return (
        f"测量期间的系统负载（1 分钟平均可运行进程数）：开始时 {start[0]:.2f}，"
        f"结束时 {end[0]:.2f}。"
    )


def run(quick: bool) -> str:
    load_at_start = os.getloadavg()
    ensure_data()
    baseline, _ = child(IMPORT_CHILD, quick=quick)
    rows = train_rows("textbook", (0,), quick) + train_rows("fast", FAST_SEEDS, quick)
    lines = [
        *training_table(rows, baseline["peak_kib"]),
        "",
        *summary_lines(rows, baseline["peak_kib"]),
        "",
        *pipeline_table(quick),
        "",
        *ablation_table(quick),
        "",
        machine_line(),
        "",
        load_line(load_at_start, os.getloadavg()),
    ]
    return "\n".join(lines)


main = benchmark_cli(run, __doc__)

if __name__ == "__main__":
    sys.exit(main())
