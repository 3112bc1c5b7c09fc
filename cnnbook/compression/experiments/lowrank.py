"""Low-rank factorisation of fc1 and fc2 (truncated SVD, the same rank r for both): accuracy,
parameters and MACs against r without retraining, and after one epoch of fine-tuning at a few
ranks. fc1 holds most of LeNet's weights, so it is where a low rank saves most."""

from __future__ import annotations

import time

import torch

from cnnbook.compression import costs, lowrank
from cnnbook.compression.experiments.common import (
    Context,
    file_bytes,
    float_state,
    over_seeds,
)
from cnnbook.compression.stats import paired

LAYERS = ("fc1", "fc2")


def factorized(model: torch.nn.Module, rank: int) -> torch.nn.Module:
    return lowrank.factorize_layers(model, dict.fromkeys(LAYERS, rank))


def energy_kept(model: torch.nn.Module, rank: int) -> float:
    """Share of fc1's squared Frobenius norm the first r singular values keep."""
    squares = lowrank.singular_values(model.fc1) ** 2
    return float(squares[:rank].sum() / squares.sum())


def run(ctx: Context) -> dict:
    began = time.perf_counter()
    rows = {}
    for rank in ctx.settings.ranks:
        model = factorized(ctx.bases[0].model, rank)
        rows[str(rank)] = {
            "rank": rank,
            "parameters": costs.count_parameters(model),
            "macs": costs.total_macs(model),
            "fc1_energy": over_seeds([round(energy_kept(b.model, rank), 4) for b in ctx.bases]),
            "test_accuracy": over_seeds([ctx.test(factorized(b.model, rank)) for b in ctx.bases]),
        }
    fine_tuned = {}
    for rank in ctx.settings.fine_tune_ranks:
        before, after = [], []
        for base in ctx.bases:
            start = factorized(base.model, rank)
            before.append(ctx.test(start))
            model = ctx.fine_tune(lambda s=start: s, base.seed).model
            after.append(ctx.test(model))
            if rank == ctx.settings.compared_rank:
                ctx.keep("low_rank", model)
        fine_tuned[str(rank)] = {
            "rank": rank,
            "file_bytes": file_bytes(float_state(factorized(ctx.bases[0].model, rank))),
            "before": over_seeds(before),
            "after": over_seeds(after),
            "gain": paired(before, after),
        }
    ctx.log.stage("low-rank factorisation", "低秩分解", began)
    fc1 = ctx.bases[0].model.fc1
    return {
        "layers": list(LAYERS),
        "fc1_shape": list(fc1.weight.shape),
        "fc1_singular_values": [
            [round(v, 4) for v in lowrank.singular_values(b.model.fc1).tolist()] for b in ctx.bases
        ],
        "rows": rows,
        "fine_tuned": fine_tuned,
    }
