"""The int8 path of chapter 10 (量化), measured: the integer matrix product on its own, and where
the time of a whole int8 LeNet goes.

1. LeNet's three largest matrix products for a batch of 250 images, with ``torch.mm`` on float32
   operands and ``torch._int_mm`` (int8 × int8 → int32) on int8 operands of the same shape.
2. A per-step profile of one forward pass of the int8 LeNet (batch 250), for the dynamic path
   (activations quantised per image at run time, float ``F.unfold``) and the static one
   (calibrated activation ranges, im2col on the int8 tensor). Every int8 layer is a pipeline of
   named steps (``cnnbook.compression.int8``); each step of each layer is timed on the input it
   gets in a real forward pass, and "other" is the whole forward pass minus the steps (ReLU,
   pooling, flattening, Python calls). The float32 LeNet is timed alongside.

One thread; all cases of a table take turns (``measure_rotated``: rounds in rotated order, the
quietest round kept). Whether int8 beats float32 depends on the CPU (its integer dot-product
instructions) and on the kernels PyTorch has for it, so every table names the machine.
``--quick``: the same tables with a few repeats.
"""

from __future__ import annotations

import sys
from functools import partial

import torch
from torch import nn

from benchmarks.common import (
    Result,
    Timing,
    benchmark_cli,
    machine,
    machine_line,
    measure_rotated,
    starting_load_line,
)
from cnnbook.compression.int8 import Int8Layer, observe_inputs, quantize_int8, quantize_static
from cnnbook.model import LeNet
from cnnbook.timing import intra_op_threads

BATCH = 250
# (key, what, rows M, inner size K, outputs N) of LeNet's largest products for a batch of 250
MATMULS = [
    ("fc1", "fc1：250 × 256 乘 256 × 120", BATCH, 256, 120),
    ("conv2", "conv2 展开成 im2col：16,000 × 150 乘 150 × 16", BATCH * 64, 150, 16),
    ("conv1", "conv1 展开成 im2col：144,000 × 25 乘 25 × 6", BATCH * 576, 25, 6),
]
STEPS = {
    "quantize": "量化输入",
    "unfold": "展开（im2col）成 int8 行",
    "matmul": "整数矩阵乘法 `torch._int_mm`",
    "rescale": "乘回缩放因子、加偏置",
    "layout": "排回特征图的形状",
    "other": "其余：ReLU、池化、展平、Python 调用",
}


def counts(quick: bool) -> dict:
    return (
        {"rounds": 1, "warmup": 1, "repeats": 2}
        if quick
        else {"rounds": 5, "warmup": 3, "repeats": 20}
    )


def ms(seconds: float) -> float:
    return round(seconds * 1e3, 3)


def matmul_timings(quick: bool) -> dict[str, dict[str, float]]:
    """Milliseconds of float32 ``torch.mm`` and int8 ``torch._int_mm`` on each shape."""
    generator = torch.Generator().manual_seed(0)
    cases = {}
    for key, _, rows, inner, outputs in MATMULS:
        a = torch.randint(-127, 128, (rows, inner), dtype=torch.int8, generator=generator)
        b = torch.randint(-127, 128, (inner, outputs), dtype=torch.int8, generator=generator)
        cases[f"{key}/float32"] = partial(torch.mm, a.float(), b.float())
        cases[f"{key}/int8"] = partial(torch._int_mm, a, b)
    timings = measure_rotated(cases, **counts(quick))
    return {
        key: {kind: ms(timings[f"{key}/{kind}"].median) for kind in ("float32", "int8")}
        for key, *_ in MATMULS
    }


def layer_inputs(model: nn.Module, images: torch.Tensor) -> dict[str, torch.Tensor]:
    """The input every int8 layer receives in one forward pass of ``images``."""
    seen: dict[str, torch.Tensor] = {}
    handles = [
        module.register_forward_pre_hook(lambda _m, args, n=name: seen.__setitem__(n, args[0]))
        for name, module in model.named_modules()
        if isinstance(module, Int8Layer)
    ]
    try:
        model(images)
    finally:
        for handle in handles:
            handle.remove()
    return seen


def step_cases(model: nn.Module, images: torch.Tensor) -> dict[str, tuple[str, partial]]:
    """``{"layer/step": (step kind, call)}``: every step of every int8 layer, bound to the input
    it gets when the network runs on ``images``."""
    cases = {}
    for name, x in layer_inputs(model, images).items():
        layer = model.get_submodule(name)
        state: tuple = (x,)
        for kind, step in layer.steps():
            cases[f"{name}/{kind}"] = (kind, partial(step, *state))
            state = step(*state)
    return cases


def profile(models: dict[str, nn.Module], images: torch.Tensor, quick: bool) -> dict:
    """Per network: milliseconds of each step kind (summed over layers), of the rest, and of
    the whole forward pass; all cases of all networks take turns."""
    cases, kinds = {}, {}
    for label, model in models.items():
        cases[f"{label}/total"] = partial(model, images)
        if label != "float32":
            for key, (kind, call) in step_cases(model, images).items():
                cases[f"{label}/{key}"], kinds[f"{label}/{key}"] = call, kind
    timings: dict[str, Timing] = measure_rotated(cases, **counts(quick))
    found = {}
    for label in models:
        total = timings[f"{label}/total"].median
        steps = dict.fromkeys(STEPS, 0.0)
        for key, kind in kinds.items():
            if key.startswith(f"{label}/"):
                steps[kind] += timings[key].median
        if label == "float32":
            found[label] = {"total_ms": ms(total)}
            continue
        steps["other"] = max(total - sum(steps.values()), 0.0)
        found[label] = {
            "total_ms": ms(total),
            "steps_ms": {k: ms(v) for k, v in steps.items()},
            "share": {k: round(v / total, 3) for k, v in steps.items()},
        }
    return found


def int8_networks() -> dict[str, nn.Module]:
    torch.manual_seed(0)
    lenet = LeNet().eval()
    calibration = torch.randn(500, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    return {
        "float32": lenet,
        "dynamic": quantize_int8(lenet),
        "static": quantize_static(lenet, observe_inputs(lenet, [calibration])),
    }


def matmul_table(values: dict) -> list[str]:
    lines = [
        "| 矩阵乘法（1 个线程） | float32 `torch.mm` (ms) | int8 `torch._int_mm` (ms) "
        "| int8 ÷ float32 |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key, what, *_ in MATMULS:
        row = values[key]
        lines.append(
            f"| {what} | {row['float32']:.3f} | {row['int8']:.3f} "
            f"| {row['int8'] / row['float32']:.2f} |"
        )
    return lines


def profile_table(values: dict) -> list[str]:
    lines = [
        f"| int8 LeNet 一次前向（批大小 {BATCH}，1 个线程） | 动态量化 (ms) | 占比 "
        "| 静态量化 (ms) | 占比 |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    dynamic, static = values["dynamic"], values["static"]
    for kind, label in STEPS.items():
        cells = [
            f"{net['steps_ms'][kind]:.2f} | {net['steps_ms'][kind] / net['total_ms']:.0%}"
            for net in (dynamic, static)
        ]
        lines.append(f"| {label} | {cells[0]} | {cells[1]} |")
    lines.append(
        f"| **合计（整个前向）** | {dynamic['total_ms']:.2f} | 100% "
        f"| {static['total_ms']:.2f} | 100% |"
    )
    lines.append(
        f"| 对照：float32 LeNet 整个前向 | {values['float32']['total_ms']:.2f} | — "
        f"| {values['float32']['total_ms']:.2f} | — |"
    )
    return lines


def run(quick: bool) -> Result:
    load = starting_load_line()
    images = torch.randn(BATCH, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    with intra_op_threads(1), torch.inference_mode():
        matmuls = matmul_timings(quick)
        profiled = profile(int8_networks(), images, quick)
    values = {"matmul_ms": matmuls, "profile": profiled, "batch": BATCH, "machine": machine(1)}
    markdown = "\n".join(
        [
            *matmul_table(matmuls),
            "",
            *profile_table(profiled),
            "",
            f"所有情形轮流测量，取最安静的一轮的中位数。{load}",
            "",
            machine_line(threads=1),
        ]
    )
    return Result(markdown, values)


main = benchmark_cli(
    run,
    "第 10 章（量化）：实测 int8 路径——单独的整数矩阵乘法，以及整个 int8 LeNet 的时间花在哪里。",
)

if __name__ == "__main__":
    sys.exit(main())
