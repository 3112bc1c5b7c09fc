"""Channel pruning: narrower LeNets keeping the filters and neurons of largest L1 norm (Li et al.,
2017), before and after one epoch of fine-tuning; and, at similar parameter counts, a paired
comparison with fine-grained pruning fine-tuned under the same schedule (one-shot + 1 epoch)."""

from __future__ import annotations

import time

from cnnbook.compression import costs, pruning
from cnnbook.compression.experiments.common import (
    Context,
    file_bytes,
    float_state,
    over_seeds,
    same_for_every_seed,
)
from cnnbook.compression.stats import paired


def run(ctx: Context) -> dict:
    began = time.perf_counter()
    rows = {}
    for channels, hidden in ctx.settings.channel_configs:
        before, after, shapes = [], [], []
        for base in ctx.bases:
            narrow = pruning.prune_lenet(base.model, channels, hidden)
            before.append(ctx.test(narrow))
            fitted = ctx.fine_tune(
                lambda c=channels, h=hidden, m=base.model: pruning.prune_lenet(m, c, h), base.seed
            )
            after.append(ctx.test(fitted.model))
            shapes.append(
                {
                    "parameters": costs.count_parameters(fitted.model),
                    "macs": costs.total_macs(fitted.model),
                    "file_bytes": file_bytes(float_state(fitted.model)),
                }
            )
            if (channels, hidden) == ctx.settings.channel_configs[0]:
                ctx.keep("channels", fitted.model)
        rows["-".join(map(str, (*channels, *hidden)))] = {
            "channels": list(channels),
            "hidden": list(hidden),
            **same_for_every_seed(shapes, ("parameters", "macs", "file_bytes")),
            "before_fine_tuning": over_seeds(before),
            "test_accuracy": over_seeds(after),
        }
    ctx.log.stage("channel pruning", "通道剪枝", began)
    results = {"rows": rows}
    fine_grained = ctx.kept.get("pruned_one_shot_fine_tuned")
    if fine_grained and len(rows) > 1:  # the narrowest network against 90 % fine-grained
        smallest = list(rows.values())[-1]["test_accuracy"]["values"]
        fine = [ctx.test(model) for model in fine_grained]
        results["fine_grained_minus_narrowest"] = paired(smallest, fine)
    return results
