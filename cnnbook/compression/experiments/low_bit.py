"""Fewer bits than eight: post-training quantisation (PTQ) against quantisation-aware training
(QAT, fake quantisation with the straight-through estimator, one epoch from the trained
network) at the same bit widths, and binary weights (sign · per-channel scale), before and after
one epoch of training with the STE. Only the weights are quantised; activations stay float."""

from __future__ import annotations

import time

from cnnbook.compression import qat
from cnnbook.compression.experiments.common import Context, over_seeds
from cnnbook.compression.stats import paired


def trained_with(ctx: Context, quantizer: qat.Quantizer) -> list[float]:
    """Test accuracy of each seed's network after one epoch of training through ``quantizer``."""
    accuracies = []
    for base in ctx.bases:
        start = qat.with_quantizer(base.model, quantizer)
        fitted = ctx.fine_tune(lambda s=start: s, base.seed)
        accuracies.append(ctx.test(qat.freeze(fitted.model)))
    return accuracies


def after_training(ctx: Context, quantizer: qat.Quantizer) -> list[float]:
    return [ctx.test(qat.quantize_with(b.model, quantizer)) for b in ctx.bases]


def run(ctx: Context) -> dict:
    began = time.perf_counter()
    qat_rows = {}
    for bits in ctx.settings.qat_bits:
        ptq = after_training(ctx, qat.uniform(bits))
        trained = trained_with(ctx, qat.uniform(bits))
        qat_rows[str(bits)] = {
            "bits": bits,
            "ptq": over_seeds(ptq),
            "qat": over_seeds(trained),
            "qat_minus_ptq": paired(ptq, trained),
        }
    ctx.log.stage("quantisation-aware training", "量化感知训练", began)
    began = time.perf_counter()
    float_accuracy = [b.test_accuracy for b in ctx.bases]
    binary_ptq = after_training(ctx, qat.binarize)
    binary_trained = trained_with(ctx, qat.binarize)
    ctx.log.stage("binary weights", "二值权重", began)
    return {
        "qat": qat_rows,
        "binary": {
            "after_training": over_seeds(binary_ptq),
            "trained": over_seeds(binary_trained),
            "trained_minus_float": paired(float_accuracy, binary_trained),
        },
    }
