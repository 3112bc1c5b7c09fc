"""Inference latency, measured the way the chapter explains.

* ``torch.inference_mode()`` and ``model.eval()``: no autograd bookkeeping, eval behaviour;
* a fixed number of intra-op threads (``torch.set_num_threads``), restored afterwards;
* warm-up calls first (they allocate buffers and pick kernels), untimed;
* many timed repeats with a monotonic clock (``time.perf_counter``), reported as the median
  with the quartiles and the extremes — one call is noise, the mean is pulled by outliers;
* the same input tensor every call, made before timing (creating it is not the model's work).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import torch
from torch import nn

from cnnbook.errors import CnnBookError
from cnnbook.timing import intra_op_threads, time_calls


@dataclass(frozen=True)
class Latency:
    """Seconds per forward pass of one batch over ``repeats`` timed calls."""

    batch_size: int
    threads: int
    repeats: int
    median: float
    lower_quartile: float
    upper_quartile: float
    fastest: float
    slowest: float

    @property
    def per_image(self) -> float:
        return self.median / self.batch_size


def summarize(seconds: list[float], batch_size: int, threads: int) -> Latency:
    """Median, quartiles and extremes of the timed calls."""
    if not seconds:
        raise CnnBookError("seconds 里至少要有一次计时")
    ordered = sorted(seconds)
    if len(ordered) >= 2:
        lower, _, upper = statistics.quantiles(ordered, n=4, method="inclusive")
    else:
        lower = upper = ordered[0]
    return Latency(
        batch_size,
        threads,
        len(ordered),
        statistics.median(ordered),
        lower,
        upper,
        ordered[0],
        ordered[-1],
    )


def measure_latency(
    model: nn.Module,
    batch_size: int,
    *,
    threads: int | None = None,
    warmup: int = 10,
    repeats: int = 50,
    image_shape: tuple[int, ...] = (1, 28, 28),
) -> Latency:
    """Latency of ``model`` on a batch of ``batch_size`` random images of ``image_shape``."""
    if batch_size < 1:
        raise CnnBookError(f"batch_size 至少为 1，得到 {batch_size}")
    with intra_op_threads(threads) as in_effect:
        model.eval()
        images = torch.randn((batch_size, *image_shape), generator=torch.Generator().manual_seed(0))
        with torch.inference_mode():
            seconds = time_calls(lambda: model(images), warmup, repeats)
        return summarize(seconds, batch_size, in_effect)
