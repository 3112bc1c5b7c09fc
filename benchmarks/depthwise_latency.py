"""CPU latency of a standard 3x3 conv vs depthwise, pointwise and depthwise separable convs.

Chapter 4 (卷积的变体) includes the table and quotes its numbers from the JSON written beside
it: a depthwise layer has a tiny share of the MACs but moves as many bytes as the others, so
it runs far below the CPU's arithmetic peak. One input (batch 1), float32, one thread. The four
layers of a shape are timed with ``measure_rotated``: they take turns, the order rotating every
round, and each layer's quietest round is reported.

The Markdown table is rendered from the values alone (``table(values)``), so the page's table
and the numbers its prose quotes cannot disagree.
"""

from __future__ import annotations

import ctypes
import sys

import torch
from torch import nn

from benchmarks.common import Result, benchmark_cli, machine, machine_line, measure_rotated
from figures.common import load_snippet

SHAPES = [(32, 112), (128, 56), (512, 14)]  # (channels, height = width), as in the snippet
THREADS = 1
ROUNDS_WARMUP_REPEATS = {False: (10, 3, 10), True: (2, 1, 2)}  # keyed by --quick
GLIBC_M_TRIM_THRESHOLD, GLIBC_M_MMAP_THRESHOLD = -1, -3
LABELS = {  # JSON key -> the layer's name in the table and in the snippet
    "standard": "标准 3×3",
    "depthwise": "深度 3×3",
    "pointwise": "逐点 1×1",
    "separable": "深度可分离",
}


def keep_freed_memory() -> bool:
    """Ask glibc to keep freed blocks instead of returning them to the OS.

    Otherwise every call gets its output from fresh pages, and on Linux the page faults of a
    1.6 MB output cost more than the whole depthwise convolution. True if glibc agreed.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    mmap_ok = libc.mallopt(GLIBC_M_MMAP_THRESHOLD, 32 * 2**20)  # glibc's largest allowed value
    trim_ok = libc.mallopt(GLIBC_M_TRIM_THRESHOLD, 2**31 - 1)
    return bool(mmap_ok and trim_ok)


def build_layers(channels: int) -> dict[str, nn.Module]:
    depthwise = nn.Conv2d(channels, channels, 3, padding=1, groups=channels, bias=False)
    pointwise = nn.Conv2d(channels, channels, 1, bias=False)
    return {
        "standard": nn.Conv2d(channels, channels, 3, padding=1, bias=False),
        "depthwise": depthwise,
        "pointwise": pointwise,
        "separable": nn.Sequential(depthwise, pointwise),
    }


def shape_key(channels: int, size: int) -> str:
    return f"{channels}x{size}"


def measure_shape(channels: int, size: int, quick: bool) -> dict[str, dict[str, float]]:
    """Latency, throughput and the two shares (percent of the standard conv) of each layer."""
    costs = load_snippet("variants/arithmetic_intensity.py")["layers"](channels, size)
    x = torch.randn(1, channels, size, size)  # batch 1: the costs below are per image
    calls = {
        key: (lambda layer=layer, x=x: layer(x)) for key, layer in build_layers(channels).items()
    }
    rounds, warmup, repeats = ROUNDS_WARMUP_REPEATS[quick]
    with torch.inference_mode():
        timings = measure_rotated(calls, rounds=rounds, warmup=warmup, repeats=repeats)
    seconds = {key: timing.median for key, timing in timings.items()}
    base_flops = costs[LABELS["standard"]][0]
    rows = {}
    for key, label in LABELS.items():
        flops, moved = costs[label]
        rows[key] = {
            "flops_per_byte": round(flops / moved, 1),
            "ms": round(1e3 * seconds[key], 2),
            "gflop_per_s": round(flops / seconds[key] / 1e9, 1),
            "mac_share": round(100 * flops / base_flops, 1),
            "time_share": round(100 * seconds[key] / seconds["standard"], 1),
        }
    return rows


def method_note(quick: bool, memory_kept: bool) -> str:
    rounds, warmup, repeats = ROUNDS_WARMUP_REPEATS[quick]
    note = (
        f"同一形状的 {len(LABELS)} 个层轮流测量，每轮换一个先后顺序，共 {rounds} 轮；"
        f"每层每轮先预热 {warmup} 次、再计时 {repeats} 次取中位数，"
        "表中是各层最安静（中位数最小）的一轮。批大小 1，float32。"
    )
    if memory_kept:
        note += "已让 glibc 保留释放的内存，避免每次调用都为新输出触发缺页。"
    return note


def table(values: dict) -> str:
    """The Markdown the page includes, rendered from the stored values only."""
    lines = [
        "| 形状 | 层 | FLOPs/字节 | 延迟 (ms) | GFLOP/s | 乘加占比 | 延迟占比 |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for shape, rows in values["shapes"].items():
        channels, size = shape.split("x")
        for key, row in rows.items():
            lines.append(
                f"| {channels}×{size}² | {LABELS[key]} | {row['flops_per_byte']:.1f} |"
                f" {row['ms']:.2f} | {row['gflop_per_s']:.1f} |"
                f" {row['mac_share']:.1f}% | {row['time_share']:.0f}% |"
            )
    notes = [
        "形状 C×H² 表示 C 个通道、H×H 的特征图；两个“占比”都相对于同一形状的标准 3×3 卷积。",
        values["measured"]["method"],
        values["measured"]["line"],
    ]
    return "\n".join([*lines, "", "\n\n".join(notes)])


def run(quick: bool) -> Result:
    torch.manual_seed(0)
    torch.set_num_threads(THREADS)
    memory_kept = keep_freed_memory()
    values = {
        "shapes": {
            shape_key(channels, size): measure_shape(channels, size, quick)
            for channels, size in SHAPES
        },
        # how and where: tests compare only the keys of this dict between runs
        "measured": {
            **machine(THREADS),
            "method": method_note(quick, memory_kept),
            "line": machine_line(THREADS),
        },
    }
    return Result(table(values), values)


main = benchmark_cli(run, "第 4 章：标准 3×3 卷积与深度卷积、逐点卷积、深度可分离卷积的 CPU 延迟。")

if __name__ == "__main__":
    sys.exit(main())
