"""float32 against int8 matrix products on the CPU (chapter 10, 量化): LeNet's two largest
products for a batch of 250 images, timed with ``torch.mm`` on float32 operands and with
``torch._int_mm`` (int8 × int8 → int32) on int8 operands of the same shape.

This is the kernel the int8 LeNet of the chapter runs on; whether int8 is faster than float32
depends on the machine's instructions and on the kernels PyTorch has for them. One thread,
operands made before timing, warm-up calls, then the median of the timed calls with the
quartiles (``cnnbook.compression.latency``). ``--quick``: the same table with a few repeats.
"""

from __future__ import annotations

import sys
from functools import partial

import torch

from benchmarks.common import benchmark_cli, machine_line, starting_load_line
from cnnbook.compression.latency import Latency, summarize
from cnnbook.timing import intra_op_threads, time_calls

# (what, rows M, inner size K, outputs N) of LeNet's two largest products for a batch of 250
MATMULS = [
    ("fc1：250 × 256 乘 256 × 120", 250, 256, 120),
    ("conv2 展开成 im2col：16,000 × 150 乘 150 × 16", 250 * 64, 150, 16),
]


def matmul_table(quick: bool) -> list[str]:
    """float32 ``torch.mm`` against int8 ``torch._int_mm`` (int32 result) on the same shapes,
    one thread, the operands made before timing."""
    generator = torch.Generator().manual_seed(0)
    lines = [
        "| 矩阵乘法（1 个线程） | float32 `torch.mm` (ms) | int8 `torch._int_mm` (ms) "
        "| int8 ÷ float32 |",
        "| --- | ---: | ---: | ---: |",
    ]
    with intra_op_threads(1):
        for what, rows, inner, outputs in MATMULS:
            a = torch.randint(-127, 128, (rows, inner), dtype=torch.int8, generator=generator)
            b = torch.randint(-127, 128, (inner, outputs), dtype=torch.int8, generator=generator)
            a_float, b_float = a.float(), b.float()
            counts = {"warmup": 1, "repeats": 3} if quick else {"warmup": 5, "repeats": 50}
            with torch.inference_mode():
                dense = summarize(time_calls(partial(torch.mm, a_float, b_float), **counts), 1, 1)
                integer = summarize(time_calls(partial(torch._int_mm, a, b), **counts), 1, 1)
            lines.append(
                f"| {what} | {ms(dense)} | {ms(integer)} | {integer.median / dense.median:.2f} |"
            )
    return lines


def ms(latency: Latency) -> str:
    return f"{latency.median * 1e3:.3f}"


def run(quick: bool) -> str:
    load = starting_load_line()
    return "\n".join(
        [
            *matmul_table(quick),
            "",
            load,
            "",
            machine_line(threads=1),
        ]
    )


main = benchmark_cli(run, __doc__)

if __name__ == "__main__":
    sys.exit(main())
