"""Chapter 8's comparison table: fourteen torchvision classifiers with their counted costs,
published accuracy and measured CPU latency at batch 1 on one thread.

The counted columns come from the chapter's snippet ``snippets/architectures/model_table.py``
(parameters, MACs and FLOPs from ``FlopCounterMode`` on the meta device, ``Weights.meta``,
the receptive field of the last feature map); this script adds the time. Every network is
built with ``weights=None`` (random weights: latency depends on the shapes, not on the values;
denormal floats are flushed to zero so that random weights cannot slow a layer down), in eval
mode, under ``torch.inference_mode()``, one intra-op thread, one image of the network's input
size. The networks take turns (``measure_rotated``: each round starts one network later), and a
network's time is the smallest of its per-round medians. ``--quick``: the same table, one round
of one call.
"""

from __future__ import annotations

import sys

import torch
from torchvision import models

from benchmarks.common import (
    Result,
    benchmark_cli,
    machine,
    machine_line,
    measure_rotated,
    starting_load_line,
)
from benchmarks.depthwise_latency import keep_freed_memory
from figures.common import load_snippet

THREADS = 1
LABELS = {
    "alexnet": "AlexNet",
    "vgg16": "VGG-16",
    "googlenet": "GoogLeNet",
    "inception_v3": "Inception v3",
    "resnet18": "ResNet-18",
    "resnet50": "ResNet-50",
    "densenet121": "DenseNet-121",
    "mobilenet_v2": "MobileNet V2",
    "mobilenet_v3_large": "MobileNet V3 Large",
    "mobilenet_v3_small": "MobileNet V3 Small",
    "shufflenet_v2_x1_0": "ShuffleNet V2 1.0×",
    "squeezenet1_1": "SqueezeNet 1.1",
    "efficientnet_b0": "EfficientNet-B0",
    "convnext_tiny": "ConvNeXt-T",
}
FULL = {"rounds": 5, "warmup": 2, "repeats": 5}
QUICK = {"rounds": 1, "warmup": 1, "repeats": 1}


def counted_table() -> tuple[dict[str, dict], dict[str, dict]]:
    """The snippet's counted columns, computed afresh (meta device, a few seconds), and the
    extra arguments each network is built with."""
    snippet = load_snippet("architectures/model_table.py")
    return snippet["table"], snippet["MODELS"]


def label(name: str, side: int) -> str:
    """The network's name; an input other than 224 × 224 is written after it."""
    return LABELS[name] if side == 224 else f"{LABELS[name]}（{side}×{side}）"


def table_rows(table: dict[str, dict], latency_ms: dict[str, float]) -> list[str]:
    """The Markdown rows; the counted columns are formatted here and nowhere else."""
    rows = []
    for name, row in table.items():
        macs = row["flops"] / 2
        rows.append(
            f"| {label(name, row['input'])} | {row['params'] / 1e6:.2f} | {macs / 1e9:.3f} |"
            f" {row['flops'] / 1e9:.3f} | {row['ops']:.3f} | {row['file_mib']:.1f} |"
            f" {row['acc1']:.2f} / {row['acc5']:.2f} | {row['field']} |"
            f" {latency_ms[name]:.1f} | {macs / 1e9 / (latency_ms[name] / 1e3):.1f} |"
        )
    return rows


def run(quick: bool) -> Result:
    torch.set_num_threads(THREADS)
    torch.set_flush_denormal(True)
    memory_kept = keep_freed_memory()
    load = starting_load_line()
    table, build_arguments = counted_table()
    torch.manual_seed(0)
    cases = {}
    for name in table:
        model = models.get_model(name, weights=None, **build_arguments[name]).eval()
        image = torch.randn(1, 3, table[name]["input"], table[name]["input"])
        cases[name] = lambda model=model, image=image: model(image)
    settings = QUICK if quick else FULL
    with torch.inference_mode():
        timings = measure_rotated(cases, **settings)
    latency_ms = {name: timing.median * 1e3 for name, timing in timings.items()}
    header = [
        "| 网络 | 参数量 (M) | MACs (G) | FLOPs (G) | `_ops` | 文件 (MiB) |"
        " acc@1 / acc@5 (%) | 感受野 | 延迟 (ms) | GMACs/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    notes = [
        "输入为 224×224（Inception v3 为 299×299），批大小 1。"
        "MACs 只计卷积与全连接层，FLOPs 由 `torch.utils.flop_counter.FlopCounterMode` 数出"
        "（等于 MACs 的 2 倍）；`_ops`、文件大小（`_file_size`，单位实为 MiB）与 ImageNet-1K 准确率"
        "取自各网络 DEFAULT 权重的 `Weights.meta`；感受野是最后一层特征图上一个单元的感受野边长"
        "（多分支取最大的一条路径，不计 SE 的全局分支）。",
        f"延迟：批大小 1、{THREADS} 个线程、`torch.inference_mode()`，随机权重；各网络轮流测量 "
        f"{settings['rounds']} 轮，每轮先预热 {settings['warmup']} 次、"
        f"再计时 {settings['repeats']} 次"
        "取中位数，表中是各轮中位数里最小的一个。"
        + ("已让 glibc 保留释放的内存。" if memory_kept else "")
        + load,
        machine_line(THREADS),
    ]
    markdown = "\n".join([*header, *table_rows(table, latency_ms), "", "\n\n".join(notes)])
    values = {
        "models": {
            name: {
                "label": LABELS[name],
                **{key: row[key] for key in ("input", "params", "flops", "field", "weights")},
                "macs": row["flops"] // 2,
                "ops": row["ops"],
                "file_mib": row["file_mib"],
                "acc1": row["acc1"],
                "acc5": row["acc5"],
                "latency_ms": latency_ms[name],
                "fastest_ms": timings[name].fastest * 1e3,
                "slowest_ms": timings[name].slowest * 1e3,
            }
            for name, row in table.items()
        },
        "machine": machine(THREADS),
    }
    return Result(markdown, values)


main = benchmark_cli(
    run,
    "第 8 章的对比表：torchvision 的分类网络，各自的计算量、公开的准确率与单线程、"
    "批大小 1 的实测 CPU 延迟。",
)

if __name__ == "__main__":
    sys.exit(main())
