"""CPU time of one convolution layer: naive loops vs im2col + matrix multiply vs F.conv2d.

Chapter 2 (卷积的计算) includes the table. The three implementations are the page's own:
``conv2d_loops`` (snippets/arithmetic/conv_loops.py: Python loops over output channels and
positions, with only the inner sum over C_in x K_h x K_w done by NumPy), ``conv2d_im2col``
(snippets/arithmetic/im2col.py: NumPy im2col and one matrix product) and torch's
F.conv2d. One image (batch 1), float32, one thread for NumPy's BLAS and for torch; every result
is checked against F.conv2d before it is timed, and the three take turns (measure_rotated).
The layers are small because the loops pay several microseconds of Python overhead for every
output element.
"""

from __future__ import annotations

import os

if __name__ == "__main__":  # run as a program: NumPy's BLAS must load with one thread
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")  # imported (by a test): environment untouched

import sys

import numpy as np
import torch
from torch.nn import functional as F

from benchmarks.common import (
    Result,
    benchmark_cli,
    machine,
    machine_line,
    measure_rotated,
)
from figures.common import load_snippet

# (C_in, C_out, H = W, K, S, P): a first layer, two middle layers, a strided one and a 1x1
LAYERS = [
    (3, 16, 32, 3, 1, 1),
    (16, 32, 16, 3, 1, 1),
    (32, 32, 16, 5, 1, 2),
    (32, 64, 16, 3, 2, 1),
    (64, 64, 8, 1, 1, 0),
]


def layer_label(c_in: int, c_out: int, size: int, k: int, s: int, p: int) -> str:
    return f"{c_in}→{c_out}，{size}×{size}，{k}×{k} / {s} / {p}"


INNER_CALLS = {"loops": 1, "im2col": 20, "torch": 20}  # calls per timed case: ~1 ms or more


def time_implementations(
    implementations: dict,
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray,
    s: int,
    p: int,
    quick: bool,
) -> dict[str, float]:
    """Seconds per call of each implementation on one layer. The three take turns
    (``measure_rotated``); the fast ones are called ``INNER_CALLS`` times per timed case so that
    a case lasts long enough to time."""
    settings = {"stride": (s, s), "padding": (p, p)}
    x_t, w_t, b_t = (torch.from_numpy(a) for a in (x, weight, bias))
    single = {
        "loops": lambda: implementations["loops"](x, weight, bias, **settings),
        "im2col": lambda: implementations["im2col"](x, weight, bias, **settings),
        "torch": lambda: F.conv2d(x_t[None], w_t, b_t, stride=s, padding=p),
    }

    def repeated(name: str):
        call, count = single[name], INNER_CALLS[name]
        return lambda: [call() for _ in range(count)]

    rounds = {"rounds": 1, "warmup": 0, "repeats": 1} if quick else {"rounds": 5, "repeats": 3}
    timings = measure_rotated({name: repeated(name) for name in single}, **rounds)
    return {name: timings[name].median / INNER_CALLS[name] for name in single}


def run(quick: bool) -> Result:
    torch.set_num_threads(1)
    implementations = {
        "loops": load_snippet("arithmetic/conv_loops.py")["conv2d_loops"],
        "im2col": load_snippet("arithmetic/im2col.py")["conv2d_im2col"],
    }
    rng = np.random.default_rng(0)
    lines = [
        "| 层 | 朴素循环 (ms) | im2col (ms) | F.conv2d (ms) | 循环 / F.conv2d "
        "| im2col / F.conv2d |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    rows = []
    for c_in, c_out, size, k, s, p in LAYERS:
        x = rng.standard_normal((c_in, size, size)).astype(np.float32)
        weight = rng.standard_normal((c_out, c_in, k, k)).astype(np.float32)
        bias = rng.standard_normal(c_out).astype(np.float32)
        x_t, w_t, b_t = (torch.from_numpy(a) for a in (x, weight, bias))
        reference = F.conv2d(x_t[None], w_t, b_t, stride=s, padding=p)[0].numpy()
        label = layer_label(c_in, c_out, size, k, s, p)
        for name, implementation in implementations.items():
            result = implementation(x, weight, bias, stride=(s, s), padding=(p, p))
            if not np.allclose(result, reference, atol=1e-3):
                raise ValueError(f"{name} 在 {label} 上的结果与 F.conv2d 不一致")
        seconds = time_implementations(implementations, x, weight, bias, s, p, quick)
        ratios = {name: seconds[name] / seconds["torch"] for name in ("loops", "im2col")}
        lines.append(
            f"| {label} | {1e3 * seconds['loops']:.1f} | {1e3 * seconds['im2col']:.3f} "
            f"| {1e3 * seconds['torch']:.3f} | {ratios['loops']:,.0f} 倍 "
            f"| {ratios['im2col']:.1f} 倍 |"
        )
        rows.append({"layer": label, "seconds": seconds, "ratio_to_torch": ratios})
    lines += ["", machine_line() + "NumPy 的 BLAS 也只用 1 个线程；批大小 1，float32。"]
    return Result("\n".join(lines), {"machine": machine(), "layers": rows})


main = benchmark_cli(
    run,
    "第 2 章：一个卷积层的 CPU 时间——朴素循环、im2col + 矩阵乘法与 F.conv2d。",
)

if __name__ == "__main__":
    sys.exit(main())
