"""CPU time of one convolution layer: naive loops vs im2col + matrix multiply vs F.conv2d.

Chapter 2 (卷积的计算) includes the table. The three implementations are the page's own:
``conv2d_loops`` (snippets/arithmetic/conv_loops.py: Python loops over output channels and
positions, with only the inner sum over C_in x K_h x K_w done by NumPy), ``conv2d_im2col``
(snippets/arithmetic/im2col_general.py: NumPy im2col and one matrix product) and torch's
F.conv2d. One image (batch 1), float32, one thread for NumPy's BLAS and for torch; every result
is checked against F.conv2d before it is timed. The layers are small because the loops pay
several microseconds of Python overhead for every output element.
"""

from __future__ import annotations

import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")  # must be set before NumPy loads its BLAS

import sys  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch.nn import functional as F  # noqa: E402

from benchmarks.common import Timing, benchmark_cli, machine_line, measure  # noqa: E402
from figures.common import load_snippet  # noqa: E402

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


def time_implementations(
    implementations: dict,
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray,
    s: int,
    p: int,
    quick: bool,
) -> dict[str, Timing]:
    """Median time of each implementation on one layer; the loops get far fewer repeats."""
    settings = {"stride": (s, s), "padding": (p, p)}
    x_t, w_t, b_t = (torch.from_numpy(a) for a in (x, weight, bias))
    calls = {
        "loops": lambda: implementations["loops"](x, weight, bias, **settings),
        "im2col": lambda: implementations["im2col"](x, weight, bias, **settings),
        "torch": lambda: F.conv2d(x_t[None], w_t, b_t, stride=s, padding=p),
    }
    repeats = {
        "loops": 1 if quick else 3,
        "im2col": 5 if quick else 30,
        "torch": 5 if quick else 30,
    }
    warmups = {"loops": 0 if quick else 1, "im2col": 2, "torch": 3}
    return {
        name: measure(call, warmup=warmups[name], repeats=repeats[name])
        for name, call in calls.items()
    }


def run(quick: bool) -> str:
    torch.set_num_threads(1)
    implementations = {
        "loops": load_snippet("arithmetic/conv_loops.py")["conv2d_loops"],
        "im2col": load_snippet("arithmetic/im2col_general.py")["conv2d_im2col"],
    }
    rng = np.random.default_rng(0)
    lines = [
        "| 层 | 朴素循环 (ms) | im2col (ms) | F.conv2d (ms) | 循环 / F.conv2d "
        "| im2col / F.conv2d |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for c_in, c_out, size, k, s, p in LAYERS:
        x = rng.standard_normal((c_in, size, size)).astype(np.float32)
        weight = rng.standard_normal((c_out, c_in, k, k)).astype(np.float32)
        bias = rng.standard_normal(c_out).astype(np.float32)
        x_t, w_t, b_t = (torch.from_numpy(a) for a in (x, weight, bias))
        reference = F.conv2d(x_t[None], w_t, b_t, stride=s, padding=p)[0].numpy()
        for name, implementation in implementations.items():
            result = implementation(x, weight, bias, stride=(s, s), padding=(p, p))
            if not np.allclose(result, reference, atol=1e-3):
                label = layer_label(c_in, c_out, size, k, s, p)
                raise ValueError(f"{name} disagrees with F.conv2d on {label}")
        times = time_implementations(implementations, x, weight, bias, s, p, quick)
        torch_s = times["torch"].median
        lines.append(
            f"| {layer_label(c_in, c_out, size, k, s, p)} | {times['loops'].ms(1)} "
            f"| {times['im2col'].ms(3)} | {times['torch'].ms(3)} "
            f"| {times['loops'].median / torch_s:,.0f} 倍 "
            f"| {times['im2col'].median / torch_s:.1f} 倍 |"
        )
    lines += ["", machine_line() + "NumPy 的 BLAS 也只用 1 个线程；批大小 1，float32。"]
    return "\n".join(lines)


main = benchmark_cli(run, __doc__)

if __name__ == "__main__":
    sys.exit(main())
