"""Shared pieces of the benchmarks: timing, the machine description, the command line.

A benchmark is a module ``benchmarks/<name>.py``, run as ``python -m benchmarks.<name>``
(``make bench`` runs them all). It measures, prints a Markdown table and writes it to
``benchmarks/results/<name>.md``; a page shows that file by including it outside a code fence::

    --8<-- "benchmarks/results/<name>.md"

Timings are never judged by a pass/fail test. ``tests/test_benchmarks.py`` runs each benchmark
with ``--quick`` (the same table, far fewer repeats or shorter runs) and checks that it still
runs and still produces a table of the same shape as the committed one.

A module defines ``main = benchmark_cli(run, __doc__)`` where ``run(quick: bool) -> str``
returns the Markdown to store.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cnnbook.cli import OneLineParser
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


def starting_load_line() -> str:
    """The sentence under a table that says how busy the machine was as measuring began (the
    1-minute load average): other processes make every time longer. Call it before measuring."""
    return f"测量开始时系统的 1 分钟平均负载为 {os.getloadavg()[0]:.1f}。"


def machine_line(threads: int | None = None) -> str:
    """One line that says where the numbers were measured (printed under every table);
    ``threads``: the intra-op thread count the timings used, if not the process default."""
    import torch

    version = torch.__version__.split("+")[0]
    return (
        f"测量环境：{os.cpu_count()} 个 CPU 核，PyTorch {version} 使用 "
        f"{threads or torch.get_num_threads()} 个线程，Python {platform.python_version()}。"
    )


def benchmark_cli(
    run: Callable[[bool], str], description: str | None
) -> Callable[[Sequence[str] | None], int]:
    """``python -m benchmarks.<name> [--quick] [--out FILE]``."""

    def main(argv: Sequence[str] | None = None) -> int:
        prog = Path(sys.argv[0]).stem
        parser = OneLineParser(prog=prog, description=(description or "").strip().splitlines()[0])
        parser.add_argument("--quick", action="store_true", help="same table, far less work")
        parser.add_argument("--out", type=Path, default=RESULTS_DIR / f"{prog}.md")
        args = parser.parse_args(argv)
        if args.out.is_dir():
            parser.error(f"argument --out: {args.out} is a directory")
        try:
            table = run(args.quick)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(table.rstrip("\n") + "\n", encoding="utf-8")
        except (OSError, ValueError) as error:
            parser.exit(1, f"{prog}: error: {error}\n")
        print(table)
        return 0

    return main
