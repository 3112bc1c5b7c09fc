"""CPU latency of a standard 3x3 conv vs depthwise, pointwise and depthwise separable convs.

Chapter 4 (卷积的变体) includes the table: a depthwise layer has a tiny share of the MACs but
moves as many bytes as the others, so it runs far below the CPU's arithmetic peak. One input
(batch 1), float32, one thread, after warm-up calls. The layers are timed in interleaved rounds
(one call of each layer per round), so a slow spell of a shared machine hits them all alike; the
median over the rounds is shown.
"""

from __future__ import annotations

import ctypes
import statistics
import sys

import torch
from torch import nn

from benchmarks.common import benchmark_cli, machine_line, measure
from figures.common import load_snippet

SHAPES = [(32, 112), (128, 56), (512, 14)]  # (channels, height = width), as in the snippet
THREADS = 1
GLIBC_M_TRIM_THRESHOLD, GLIBC_M_MMAP_THRESHOLD = -1, -3


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
        "标准 3×3": nn.Conv2d(channels, channels, 3, padding=1, bias=False),
        "深度 3×3": depthwise,
        "逐点 1×1": pointwise,
        "深度可分离": nn.Sequential(depthwise, pointwise),
    }


def run(quick: bool) -> str:
    torch.manual_seed(0)
    torch.set_num_threads(THREADS)
    memory_kept = keep_freed_memory()
    costs = load_snippet("variants/arithmetic_intensity.py")["layers"]
    warmup, rounds = (1, 5) if quick else (5, 40)
    lines = [
        "| 形状 | 层 | FLOPs/字节 | 延迟 (ms) | GFLOP/s | 乘加占比 | 延迟占比 |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for channels, size in SHAPES:
        x = torch.randn(1, channels, size, size)  # batch 1: the costs below are per image
        flops_and_bytes = costs(channels, size)
        calls = {
            name: (lambda layer=layer, x=x: layer(x))
            for name, layer in build_layers(channels).items()
        }
        seconds: dict[str, list[float]] = {name: [] for name in calls}
        with torch.inference_mode():
            for call in calls.values():
                measure(call, warmup=warmup, repeats=1)
            for _ in range(rounds):
                for name, call in calls.items():
                    seconds[name].append(measure(call, warmup=0, repeats=1).median)
        timings = {name: statistics.median(values) for name, values in seconds.items()}
        base_flops, _ = flops_and_bytes["标准 3×3"]
        for name, timing in timings.items():
            flops, moved = flops_and_bytes[name]
            lines.append(
                f"| {channels}×{size}² | {name} | {flops / moved:.1f} |"
                f" {1e3 * timing:.2f} | {flops / timing / 1e9:.1f} |"
                f" {100 * flops / base_flops:.1f}% |"
                f" {100 * timing / timings['标准 3×3']:.0f}% |"
            )
    notes = [
        "形状 C×H² 表示 C 个通道、H×H 的特征图；两个“占比”都相对于同一形状的标准 3×3 卷积。",
        f"每层先预热 {warmup} 次，再把各层轮流各调用一次、共 {rounds} 轮，取每层的中位数；"
        "批大小 1，float32。"
        + ("已让 glibc 保留释放的内存，避免每次调用都为新输出触发缺页。" if memory_kept else ""),
        machine_line(),
    ]
    return "\n".join([*lines, "", "\n\n".join(notes)])


main = benchmark_cli(run, __doc__)

if __name__ == "__main__":
    sys.exit(main())
