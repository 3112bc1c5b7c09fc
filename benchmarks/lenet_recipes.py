"""LeNet on MNIST: the textbook recipe against the fast one, side by side, and where the time goes.

Both recipes are measured in the same run of this benchmark, on the same machine, taking turns:
for every seed one fresh process per recipe runs exactly what a reader runs, ``python -m
cnnbook.train --recipe R --seed S --quiet --no-download --history FILE``, and the recipe that
goes first alternates from seed to seed (like ``measure_rotated``: no recipe always meets a cold
cache or a machine still busy with the previous run). Each run gives two times: in-process,
``train()``'s own clock (from before reading the data to the end of the final test
evaluation, read from the history file), and the whole process, timed from outside (interpreter
start, imports, training, exit). The first table lists every run, the next line the medians
and their ratios — the numbers the page quotes.

The second table says where the time goes, per recipe: starting Python and importing (timed in
separate processes that only import), and the phases ``train()`` records in the history (reading
the data, training, validation, test). The third splits one training step of the fast recipe
(data, forward and loss, backward, optimiser and schedule, the rest): five rounds of 50 steps,
the quietest round reported. The fourth times one fast epoch with one change each (NCHW, batches
of 64, one thread) with ``measure_rotated``. The last times the two input pipelines alone.

``--quick`` trains on 2,000 images for one epoch and times fewer steps: the same tables, much
less work. The data must be in ``$CNN_BOOK_DATA`` or ``data/`` (fetched, untimed, if missing).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Result, benchmark_cli, machine, machine_line

REPO = Path(__file__).resolve().parent.parent
SEEDS = (0, 1, 2)
RECIPES = ("textbook", "fast")
LABELS = {"textbook": "教科书配方", "fast": "快速配方"}
QUICK_SAMPLES, QUICK_BATCHES, QUICK_STEPS = 2_000, 100, 10
RUN_KEYS = ("recipe", "seed", "seconds", "process_seconds", "test_accuracy")

IMPORT_CHILD = """
import json, sys, time
start = time.perf_counter()
import torch, cnnbook.training
middle = time.perf_counter()
import torch._dynamo  # what torch.optim imports when the first optimiser is made
dynamo = time.perf_counter()
if sys.argv[1] == "textbook":
    import torchvision
print(json.dumps({"torch_and_cnnbook": middle - start, "dynamo": dynamo - middle,
                  "torchvision": time.perf_counter() - dynamo}))
"""

STEP_CHILD = """
import json, math, sys, time
import torch
from torch.nn import functional as F
from cnnbook.data import load_digits, shuffled_batches, validation_split
from cnnbook.model import LeNet
from cnnbook.training import FAST, make_optimizer, make_scheduler
steps, rounds = int(sys.argv[1]), int(sys.argv[2])
digits = load_digits(download=False)
train_ids = validation_split()[0]
torch.manual_seed(0)
model = LeNet().to(memory_format=torch.channels_last)
optimizer = make_optimizer(model, FAST)
scheduler = make_scheduler(optimizer, FAST, math.ceil(len(train_ids) / FAST.batch_size))
generator = torch.Generator().manual_seed(0)
batches = shuffled_batches(digits, FAST.batch_size, generator, train_ids)
model.train()


def next_batch():
    global batches
    try:
        return next(batches)
    except StopIteration:
        batches = shuffled_batches(digits, FAST.batch_size, generator, train_ids)
        return next(batches)


def step(parts):
    t0 = time.perf_counter()
    images, labels = next_batch()
    images = images.contiguous(memory_format=torch.channels_last)
    t1 = time.perf_counter()
    logits = model(images)
    loss = F.cross_entropy(logits, labels, label_smoothing=FAST.label_smoothing)
    t2 = time.perf_counter()
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    t3 = time.perf_counter()
    optimizer.step()
    scheduler.step()
    t4 = time.perf_counter()
    loss.item(), (logits.argmax(dim=1) == labels).sum().item()
    t5 = time.perf_counter()
    for name, seconds in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
        parts[name] += seconds


names = ("data", "forward", "backward", "optimizer", "other")
for _ in range(10):  # warm-up: kernels, the allocator
    step(dict.fromkeys(names, 0.0))
best = None
for _ in range(rounds):  # the quietest round: the one with the smallest total
    parts = dict.fromkeys(names, 0.0)
    for _ in range(steps):
        step(parts)
    if best is None or sum(parts.values()) < sum(best.values()):
        best = parts
print(json.dumps({name: seconds / steps for name, seconds in best.items()}))
"""

EPOCH_CHILD = """
import json, math, sys, time
from dataclasses import replace
import torch
from benchmarks.common import measure_rotated
from cnnbook.data import load_digits, shuffled_batches, validation_split
from cnnbook.model import LeNet
from cnnbook.training import FAST, make_optimizer, make_scheduler, train_one_epoch
limit, rounds = int(sys.argv[1]), int(sys.argv[2])
digits = load_digits(download=False)
train_ids = validation_split()[0][:limit]
threads = torch.get_num_threads()
variants = {"fast": (FAST, threads), "contiguous": (replace(FAST, channels_last=False), threads),
            "batch64": (replace(FAST, batch_size=64), threads), "one_thread": (FAST, 1)}


def epoch(recipe, thread_count):
    torch.set_num_threads(thread_count)
    layout = torch.channels_last if recipe.channels_last else torch.contiguous_format
    torch.manual_seed(0)
    model = LeNet().to(memory_format=layout)
    optimizer = make_optimizer(model, recipe)
    scheduler = make_scheduler(optimizer, recipe, math.ceil(len(train_ids) / recipe.batch_size))
    batches = shuffled_batches(digits, recipe.batch_size, torch.Generator().manual_seed(0),
                               train_ids)
    train_one_epoch(model, batches, optimizer, scheduler, memory_format=layout,
                    label_smoothing=recipe.label_smoothing)
    torch.set_num_threads(threads)


timings = measure_rotated({name: (lambda v=v: epoch(*v)) for name, v in variants.items()},
                          rounds=rounds, warmup=0, repeats=1)
print(json.dumps({name: {"seconds": timings[name].median, "batch_size": recipe.batch_size,
                         "threads": thread_count,
                         "steps": math.ceil(len(train_ids) / recipe.batch_size)}
                  for name, (recipe, thread_count) in variants.items()}))
"""
EPOCH_LABELS = {
    "fast": "fast 的一轮",
    "contiguous": "改用 NCHW 布局",
    "batch64": "批大小 64",
    "one_thread": "只用 1 个线程",
}

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


def python_child(code: str, *args: str, quick: bool) -> dict:
    """Run ``code`` in a fresh interpreter in the repository; the JSON it prints.

    ``quick`` runs (the tests') use one intra-op thread: tests run two at a time on two cores,
    and oversubscribed threads can make a run many times slower without measuring anything.
    """
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO, capture_output=True, text=True, check=False, env=child_env(quick),
    )  # fmt: skip
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["（没有输出）"])[-1]
        raise ValueError(f"基准测试的子进程失败：{last}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def child_env(quick: bool) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), **({"OMP_NUM_THREADS": "1"} if quick else {})}


def training_process(recipe: str, seed: int, quick: bool, folder: Path) -> dict:
    """One ``python -m cnnbook.train`` process: its history and the whole process's time."""
    history = folder / f"{recipe}-{seed}.json"
    limits = ["--epochs", "1", "--train-samples", str(QUICK_SAMPLES)] if quick else []
    command = [sys.executable, "-m", "cnnbook.train", "--recipe", recipe, "--seed", str(seed),
               "--quiet", "--no-download", "--history", str(history), *limits]  # fmt: skip
    start = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False,
                            env=child_env(quick))  # fmt: skip
    process_seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise ValueError(f"cnnbook.train 失败：{result.stderr.strip()[-300:]}")
    run = json.loads(history.read_text(encoding="utf-8"))
    return {**run, "recipe": recipe, "seed": seed, "process_seconds": process_seconds}


def side_by_side(quick: bool) -> list[dict]:
    """Every seed, both recipes, the first recipe alternating (textbook first for seed 0)."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for turn, seed in enumerate(SEEDS):
            order = RECIPES if turn % 2 == 0 else RECIPES[::-1]
            rows += [training_process(recipe, seed, quick, Path(folder)) for recipe in order]
    return sorted(rows, key=lambda row: (RECIPES.index(row["recipe"]), row["seed"]))


def medians(rows: list[dict]) -> dict[str, dict[str, float]]:
    result = {}
    for recipe in RECIPES:
        mine = [row for row in rows if row["recipe"] == recipe]
        result[recipe] = {
            "in_process": statistics.median(row["seconds"] for row in mine),
            "process": statistics.median(row["process_seconds"] for row in mine),
            "lowest_test_accuracy": min(row["test_accuracy"] for row in mine),
        }
    return result


def training_table(rows: list[dict], summary: dict, ratio: dict) -> list[str]:
    lines = [
        "| 配方 | 种子 | 轮数 | 进程内 (s) | 整个进程 (s) | 测试准确率 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {LABELS[row['recipe']]} | {row['seed']} | {len(row['history'])} "
            f"| {row['seconds']:.1f} | {row['process_seconds']:.1f} "
            f"| {row['test_accuracy']:.2f}% |"
        )
    textbook, fast = summary["textbook"], summary["fast"]
    return [
        *lines,
        "",
        f"中位数：教科书配方进程内 {textbook['in_process']:.1f} s、整个进程 "
        f"{textbook['process']:.1f} s；快速配方进程内 {fast['in_process']:.1f} s、整个进程 "
        f"{fast['process']:.1f} s。快速配方快 {ratio['in_process']:.1f} 倍（进程内），"
        f"{ratio['process']:.1f} 倍（整个进程）；它最低的测试准确率是 "
        f"{fast['lowest_test_accuracy']:.2f}%。",
    ]


def phases(rows: list[dict], imports: dict[str, dict]) -> dict[str, dict[str, float]]:
    """Seconds of each phase, per recipe (medians over the seeds)."""
    result = {}
    for recipe in RECIPES:
        mine = [row for row in rows if row["recipe"] == recipe]

        def median(value) -> float:
            return statistics.median(value(row) for row in mine)  # noqa: B023

        validation = median(lambda r: sum(e["validation_seconds"] for e in r["history"]))
        training = median(lambda r: sum(e["seconds"] for e in r["history"])) - validation
        result[recipe] = {
            "start_and_imports": median(lambda r: r["process_seconds"] - r["seconds"]),
            "torch_and_cnnbook": imports[recipe]["torch_and_cnnbook"],
            "dynamo": imports[recipe]["dynamo"],
            "torchvision": imports[recipe]["torchvision"],
            "data": median(lambda r: r["data_seconds"]),
            "training": training,
            "validation": validation,
            "test": median(lambda r: r["test_seconds"]),
        }
    return result


PHASE_LABELS = {
    "start_and_imports": "进程外的部分（启动、导入、退出）",
    "torch_and_cnnbook": "其中：导入 PyTorch 与 cnnbook",
    "dynamo": "其中：torch.optim 第一次使用时导入的 torch._dynamo",
    "torchvision": "其中：导入 torchvision",
    "data": "读数据（进程内）",
    "training": "训练（进程内）",
    "validation": "验证集评估（进程内）",
    "test": "测试集评估（进程内）",
}


def phase_table(split: dict[str, dict[str, float]]) -> list[str]:
    lines = ["| 时间花在哪里（中位数） | 教科书配方 (s) | 快速配方 (s) |", "| --- | ---: | ---: |"]
    for key, label in PHASE_LABELS.items():
        lines.append(f"| {label} | {split['textbook'][key]:.2f} | {split['fast'][key]:.2f} |")
    return lines


STEP_LABELS = {
    "data": "取一批数据",
    "forward": "前向与损失",
    "backward": "反向传播",
    "optimizer": "Adam 与学习率表",
    "other": "记录损失与准确率",
}


def step_table(step: dict[str, float]) -> list[str]:
    total = sum(step.values())
    lines = ["| 快速配方的一步 | 时间 (ms) | 占比 |", "| --- | ---: | ---: |"]
    for key, label in STEP_LABELS.items():
        lines.append(f"| {label} | {1e3 * step[key]:.2f} | {step[key] / total:.0%} |")
    lines.append(f"| 合计 | {1e3 * total:.2f} | 100% |")
    return lines


def epoch_table(reports: dict[str, dict]) -> list[str]:
    reference = reports["fast"]["seconds"]
    lines = [
        "| 一轮训练（轮流测量，取最快的一轮） | 批大小 | 线程 | 步数 | 时间 (s) | 相对 fast |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for variant, label in EPOCH_LABELS.items():
        report = reports[variant]
        lines.append(
            f"| {label} | {report['batch_size']} | {report['threads']} | {report['steps']} "
            f"| {report['seconds']:.2f} | {report['seconds'] / reference:.2f} |"
        )
    return lines


def pipeline_table(report: dict[str, dict]) -> list[str]:
    loader, tensors = report["dataloader"], report["tensors"]
    return [
        "| 输入管线：只取一轮数据，不训练 | 批大小 | 批数 | 时间 (s) | 每批 (ms) |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| DataLoader，逐样本变换 | 64 | {loader['batches']} "
        f"| {loader['seconds']:.2f} | {1e3 * loader['seconds'] / loader['batches']:.2f} |",
        f"| 张量，按乱序索引取批（含解码与归一化） | 128 | {tensors['batches']} "
        f"| {tensors['seconds']:.2f} | {1e3 * tensors['seconds'] / tensors['batches']:.2f} |",
    ]


def ensure_data() -> None:
    """Fetch MNIST first if needed, so no timed run includes a download."""
    from cnnbook.data import mnist_files_ready

    mnist_files_ready()


def run(quick: bool) -> Result:
    load_at_start = os.getloadavg()[0]
    ensure_data()
    rows = side_by_side(quick)
    summary = medians(rows)
    ratio = {
        "in_process": summary["textbook"]["in_process"] / summary["fast"]["in_process"],
        "process": summary["textbook"]["process"] / summary["fast"]["process"],
    }
    imports = {recipe: python_child(IMPORT_CHILD, recipe, quick=quick) for recipe in RECIPES}
    split = phases(rows, imports)
    step = python_child(STEP_CHILD, str(QUICK_STEPS if quick else 50), str(2 if quick else 5),
                        quick=quick)  # fmt: skip
    epochs = python_child(EPOCH_CHILD, str(QUICK_SAMPLES if quick else 10**9),
                          str(1 if quick else 3), quick=quick)  # fmt: skip
    pipelines = python_child(PIPELINE_CHILD, str(QUICK_BATCHES if quick else 10**9), quick=quick)
    threads = 1 if quick else None
    markdown = "\n".join([
        *training_table(rows, summary, ratio), "",
        *phase_table(split), "",
        *step_table(step), "",
        *epoch_table(epochs), "",
        *pipeline_table(pipelines), "",
        machine_line(threads), "",
        f"测量期间的系统负载（1 分钟平均可运行进程数）：开始时 {load_at_start:.2f}，"
        f"结束时 {os.getloadavg()[0]:.2f}。",
    ])  # fmt: skip
    values = {
        "median_seconds": summary,
        "ratio": ratio,
        "phases": split,
        "fast_step_seconds": step,
        "runs": [{key: row[key] for key in RUN_KEYS} for row in rows],
        "machine": machine(threads),
    }
    return Result(markdown, values)


main = benchmark_cli(
    run,
    "第 9 章：教科书配方与快速配方在 MNIST 上训练 LeNet 的耗时并排对比，以及时间花在哪里。",
)

if __name__ == "__main__":
    sys.exit(main())
