"""Shared pieces of the benchmarks: timing, the machine description, the command line.

A benchmark is a module ``benchmarks/<name>.py``, run as ``python -m benchmarks.<name>``
(``make bench`` runs them all). It measures, prints a Markdown table and writes it to
``benchmarks/results/<name>.md``; a page shows that file by including it outside a code fence::

    --8<-- "benchmarks/results/<name>.md"

Timings are never judged by a pass/fail test. ``tests/test_benchmarks.py`` runs each benchmark
with ``--quick`` (the same table, far fewer repeats or shorter runs) and checks that it still
runs and still produces a table of the same shape as the committed one.

A module defines ``main = benchmark_cli(run, "…")`` where ``run(quick: bool) -> str``
returns the Markdown to store and "…" says in Chinese what it measures (its ``--help``).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cnnbook.cli import OneLineParser, saved_line
from cnnbook.timing import time_calls

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Timing:
    """Seconds per call over the repeats: the median, and the fastest and slowest call."""

    median: float
    fastest: float
    slowest: float
    repeats: int

    def ms(self, digits: int = 2) -> str:
        return f"{self.median * 1e3:.{digits}f}"


def measure(fn: Callable[[], object], *, warmup: int = 3, repeats: int = 20) -> Timing:
    """Time ``fn()`` with a monotonic clock after ``warmup`` untimed calls."""
    seconds = time_calls(fn, warmup, repeats)
    return Timing(statistics.median(seconds), min(seconds), max(seconds), repeats)


def measure_rotated(
    cases: dict[str, Callable[[], object]],
    *,
    rounds: int = 5,
    warmup: int = 2,
    repeats: int = 10,
) -> dict[str, Timing]:
    """Time several cases fairly: ``rounds`` rounds, each timing every case (``warmup`` untimed
    calls, then ``repeats`` timed ones), the order rotated by one case per round so that no case
    is always the first (cold caches, a CPU still raising its clock) or the last. A case's
    ``median`` is the smallest of its per-round medians: the round least disturbed by the rest
    of the machine; ``fastest`` and ``slowest`` span every timed call."""
    if rounds < 1:
        raise ValueError(f"rounds 至少为 1，得到 {rounds}")
    names = list(cases)
    per_round: dict[str, list[float]] = {name: [] for name in names}
    every: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            seconds = time_calls(cases[name], warmup, repeats)
            per_round[name].append(statistics.median(seconds))
            every[name].extend(seconds)
    return {
        name: Timing(min(per_round[name]), min(every[name]), max(every[name]), rounds * repeats)
        for name in names
    }


def starting_load_line() -> str:
    """The sentence under a table that says how busy the machine was as measuring began (the
    1-minute load average): other processes make every time longer. Call it before measuring."""
    return f"测量开始时系统的 1 分钟平均负载为 {os.getloadavg()[0]:.1f}。"


def cpu_model() -> str:
    """The CPU as the kernel reports it (``/proc/cpuinfo``): model name, family and model number
    (a virtual machine's name may be generic; family and model still tell the generation)."""
    fields: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), " ".join(value.split()))
    name = fields.get("model name") or platform.processor() or platform.machine() or "未知 CPU"
    if "cpu family" in fields and "model" in fields:
        return f"{name}，family {fields['cpu family']} model {fields['model']}"
    return name


def machine(threads: int | None = None) -> dict[str, str | int]:
    """Where the numbers were measured: CPU model, the vector instruction set PyTorch chose for
    it (``torch.backends.cpu.get_cpu_capability()``: AVX512, AVX2 or DEFAULT; other CPUs, or
    ``ATEN_CPU_CAPABILITY``, give other kernels and other times), cores, threads and versions.
    ``threads``: the intra-op thread count the timings used, if not the process default."""
    import torch

    return {
        "cpu": cpu_model(),
        "isa": torch.backends.cpu.get_cpu_capability(),
        "cores": os.cpu_count() or 0,
        "threads": threads or torch.get_num_threads(),
        "torch": torch.__version__.split("+")[0],
        "python": platform.python_version(),
    }


def machine_line(threads: int | None = None) -> str:
    """One line that says where the numbers were measured (printed under every table)."""
    about = machine(threads)
    return (
        f"测量环境：{about['cpu']}（{about['cores']} 个核），PyTorch {about['torch']} "
        f"使用 {about['isa']} 指令集、{about['threads']} 个线程，Python {about['python']}。"
    )


@dataclass(frozen=True)
class Result:
    """What a benchmark stores: the Markdown its page includes and, for the prose and the
    tests, the same numbers as data (written beside it as ``<name>.json``; pages quote them
    with ``{{ data("benchmarks/results/<name>.json", "key/…", fmt=…) }}``)."""

    markdown: str
    values: dict


def benchmark_cli(
    run: Callable[[bool], str | Result], description: str
) -> Callable[[Sequence[str] | None], int]:
    """``python -m benchmarks.<name> [--quick] [--out FILE]``; ``description`` (Chinese) is what
    its ``--help`` says it measures."""

    def main(argv: Sequence[str] | None = None) -> int:
        prog = Path(sys.argv[0]).stem
        parser = OneLineParser(prog=prog, description=description)
        parser.add_argument("--quick", action="store_true", help="同样的表格，工作量少得多")
        parser.add_argument("--out", type=Path, default=RESULTS_DIR / f"{prog}.md", metavar="FILE",
                            help="Markdown 表格写到这里，数据（若有）写到旁边的同名 .json"
                            f"（默认 benchmarks/results/{prog}.md）")  # fmt: skip
        args = parser.parse_args(argv)
        if args.out.is_dir():
            parser.error(f"参数 --out：{args.out} 是一个目录")
        try:
            result = run(args.quick)
            table = result.markdown if isinstance(result, Result) else result
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(table.rstrip("\n") + "\n", encoding="utf-8")
            written = [args.out]
            if isinstance(result, Result):
                values = json.dumps(result.values, indent=1, ensure_ascii=False)
                args.out.with_suffix(".json").write_text(values + "\n", encoding="utf-8")
                written.append(args.out.with_suffix(".json"))
        except (OSError, ValueError) as error:
            parser.exit(1, f"{prog}: error: {error}\n")
        print(table)
        for path in written:
            print(saved_line(path))
        return 0

    return main
