"""The rows of the final comparison: every compressed network of every seed, with its test
accuracy, parameters, MACs and the bytes of its saved file; and the paired difference of each
row's accuracy from the original network of the same seed."""

from __future__ import annotations

import time
from collections.abc import Callable

import torch
from torch import nn

from cnnbook.compression import costs, pruning
from cnnbook.compression.experiments.common import (
    Context,
    csr_state,
    file_bytes,
    float_state,
    over_seeds,
    same_for_every_seed,
    structure,
)
from cnnbook.compression.experiments.quantize import calibrated
from cnnbook.compression.stats import paired
from cnnbook.model import LeNet


def widths(model: nn.Module) -> dict:
    """Filters and neurons of a LeNet (an int8 or low-rank one: of the network it came from)."""
    if isinstance(model, LeNet) and isinstance(model.fc1, nn.Linear):
        channels, hidden = pruning.lenet_widths(model)
        return {"channels": list(channels), "hidden": list(hidden)}
    return {}


def row(
    ctx: Context,
    name: str,
    kind: str,
    models: list[nn.Module],
    *,
    saved: Callable[[nn.Module], int] = lambda m: file_bytes(float_state(m)),
    counted: list[nn.Module] | None = None,
) -> dict:
    counted = counted or models
    shapes = [structure(m, c) for m, c in zip(models, counted, strict=True)]
    return {
        "name": name,
        "format": kind,
        **widths(counted[0]),
        **same_for_every_seed(shapes, ("parameters", "nonzero_parameters", "macs")),
        "test_accuracy": over_seeds([ctx.test(m) for m in models]),
        "file_bytes": over_seeds([saved(m) for m in models]),
    }


def run(ctx: Context) -> dict:
    began = time.perf_counter()
    kept, bases = ctx.kept, [b.model for b in ctx.bases]
    rows = [row(ctx, "original", "float32", bases)]
    if "pruned" in kept:
        rows.append(
            row(
                ctx,
                "pruned",
                "float32 CSR",
                kept["pruned"],
                saved=lambda m: file_bytes(csr_state(m)),
            )
        )
    rows.append(row(ctx, "channels", "float32", kept["channels"]))
    rows.append(row(ctx, "low_rank", "float32", kept["low_rank"]))
    for name in ("int8_dynamic", "int8_static"):
        rows.append(row(ctx, name, "int8", kept[name], counted=bases))
    if "deep_compression" in kept:
        sizes = iter(kept["deep_compression_bytes"])
        rows.append(
            row(
                ctx,
                "deep_compression",
                "Deep Compression",
                kept["deep_compression"],
                saved=lambda _: next(sizes),
            )
        )
    if "distilled" in kept:
        students = kept["distilled"]
        rows.append(row(ctx, "distilled", "float32", students))
        rows.append(
            row(
                ctx,
                "distilled+int8",
                "int8",
                [calibrated(ctx, m) for m in students],
                counted=students,
            )
        )
    narrow = kept["channels"]
    rows.append(
        row(ctx, "channels+int8", "int8", [calibrated(ctx, m) for m in narrow], counted=narrow)
    )

    original = rows[0]  # rows: still the list, in the table's order
    for entry in rows:
        entry["compression_ratio"] = over_seeds(
            [
                round(costs.compression_ratio(a, b), 2)
                for a, b in zip(
                    original["file_bytes"]["values"], entry["file_bytes"]["values"], strict=True
                )
            ]
        )
        entry["minus_original"] = paired(
            original["test_accuracy"]["values"], entry["test_accuracy"]["values"]
        )
    by_name = {entry["name"]: entry for entry in rows}  # the table's order is kept
    pairs = {}
    if "distilled+int8" in by_name:
        pairs["channels_int8_minus_student_int8"] = paired(
            by_name["distilled+int8"]["test_accuracy"]["values"],
            by_name["channels+int8"]["test_accuracy"]["values"],
        )
    ctx.log.stage("comparison", "最终对比表", began)
    return {"rows": by_name, "pairs": pairs, "torch_threads": torch.get_num_threads()}
