"""Timing pieces shared by the benchmarks and the latency measurements of chapter 10."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

import torch

from cnnbook.errors import CnnBookError


def time_calls(fn: Callable[[], object], warmup: int, repeats: int) -> list[float]:
    """Seconds of each of ``repeats`` calls of ``fn`` after ``warmup`` untimed calls."""
    if repeats < 1:
        raise CnnBookError(f"repeats 至少为 1，得到 {repeats}")
    if warmup < 0:
        raise CnnBookError(f"warmup 不能为负数，得到 {warmup}")
    for _ in range(warmup):
        fn()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
    return seconds


@contextlib.contextmanager
def intra_op_threads(threads: int | None) -> Iterator[int]:
    """``torch.set_num_threads(threads)`` inside the block (``None``: keep the current count),
    restored afterwards; yields the count in effect."""
    if threads is not None and threads < 1:
        raise CnnBookError(f"threads 至少为 1，得到 {threads}")
    previous = torch.get_num_threads()
    torch.set_num_threads(threads or previous)
    try:
        yield torch.get_num_threads()
    finally:
        torch.set_num_threads(previous)
