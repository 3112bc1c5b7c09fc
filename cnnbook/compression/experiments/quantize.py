"""Quantisation after training: weights alone at 8 … 2 bits in four schemes, the dynamic int8
network, and static int8 with calibration (post-training quantisation, PTQ).

Calibration uses the first ``calibration_images`` of the 55,000 training images (never the
validation or test images)."""

from __future__ import annotations

import time

import torch
from torch import nn

from cnnbook.compression import costs
from cnnbook.compression import int8 as int8_path
from cnnbook.compression import quantization as quant
from cnnbook.compression.experiments.common import (
    Context,
    file_bytes,
    float_state,
    over_seeds,
    same_for_every_seed,
    score,
)
from cnnbook.compression.stats import paired
from cnnbook.data import validation_split

SCHEMES = {  # name → (symmetric, per_channel)
    "symmetric, per tensor": (True, False),
    "symmetric, per channel": (True, True),
    "asymmetric, per tensor": (False, False),
    "asymmetric, per channel": (False, True),
}


def calibration_batches(ctx: Context) -> list[torch.Tensor]:
    """The calibration images: the first n training images (in the split's order)."""
    train_ids = validation_split()[0][: ctx.settings.calibration_images]
    return [ctx.data.train.images[train_ids]]


def calibrated(ctx: Context, model: nn.Module) -> nn.Module:
    """Static int8: observe each layer's input range on the calibration images, quantise."""
    return int8_path.quantize_static(
        model, int8_path.observe_inputs(model, calibration_batches(ctx))
    )


def weight_bits(ctx: Context) -> dict:
    bits = ctx.settings.bits
    per_seed = {name: [] for name in SCHEMES}
    for base in ctx.bases:
        for name, (symmetric, per_channel) in SCHEMES.items():
            per_seed[name].append(
                [
                    score(
                        quant.quantize_weights(
                            base.model, b, symmetric=symmetric, per_channel=per_channel
                        ),
                        ctx.data.test,
                    )
                    for b in bits
                ]
            )
    schemes = {
        name: {str(b): over_seeds([run[k] for run in runs]) for k, b in enumerate(bits)}
        for name, runs in per_seed.items()
    }
    per_channel_gain = {
        str(b): {
            side: paired(
                schemes[f"{side}, per tensor"][str(b)]["values"],
                schemes[f"{side}, per channel"][str(b)]["values"],
            )
            for side in ("symmetric", "asymmetric")
        }
        for b in bits
        if b <= 4
    }
    return {
        "bits": list(bits),
        "schemes": schemes,
        "per_channel_minus_per_tensor": per_channel_gain,
    }


def int8_networks(ctx: Context) -> dict:
    """Dynamic and static int8 networks of every seed: accuracy, agreement with float32, files."""
    found: dict[str, dict[str, list]] = {}
    for base in ctx.bases:
        reference = ctx.test_predictions(base.model)
        for name, model in (
            ("dynamic", int8_path.quantize_int8(base.model)),
            ("static", calibrated(ctx, base.model)),
        ):
            ctx.keep(f"int8_{name}", model)
            state = float_state(model)
            row = found.setdefault(name, {"accuracy": [], "same": [], "shape": []})
            row["accuracy"].append(ctx.test(model))
            row["same"].append(int((ctx.test_predictions(model) == reference).sum()))
            row["shape"].append(
                {
                    "file_bytes": file_bytes(state),
                    "payload_bytes": sum(t.numel() * t.element_size() for t in state.values()),
                    "tensors": len(state),
                }
            )
    base_accuracy = [b.test_accuracy for b in ctx.bases]
    weights = sum(
        m.weight.numel()
        for m in ctx.bases[0].model.modules()
        if isinstance(m, nn.Conv2d | nn.Linear)
    )
    return {
        "weights": weights,
        "float_tensors": len(float_state(ctx.bases[0].model)),
        "calibration_images": ctx.settings.calibration_images,
        **{
            name: {
                "test_accuracy": over_seeds(row["accuracy"]),
                "same_predictions": over_seeds(row["same"]),
                **same_for_every_seed(row["shape"], ("file_bytes", "payload_bytes", "tensors")),
                "minus_float": paired(base_accuracy, row["accuracy"]),
            }
            for name, row in found.items()
        },
    }


def run(ctx: Context) -> dict:
    began = time.perf_counter()
    results = weight_bits(ctx)
    results["int8"] = int8_networks(ctx)
    parameters = costs.count_parameters(ctx.bases[0].model)
    results["size_at_bits"] = {
        str(b): costs.size_at_bits(parameters, b) for b in (32, *ctx.settings.bits)
    }
    ctx.log.stage("quantisation", "训练后量化", began)
    return results
