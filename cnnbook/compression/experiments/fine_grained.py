"""Fine-grained magnitude pruning: accuracy against sparsity without retraining (global and
per-layer thresholds), each layer's sensitivity (validation images), and recovery by one epoch
of fine-tuning — pruned at once, or gradually during that epoch (Zhu and Gupta, 2017).

Which of the two fine-tuned networks the comparison uses is decided by the mean validation
accuracy over the seeds, never by the test accuracy.
"""

from __future__ import annotations

import copy
import math
import time

from torch import nn

from cnnbook.compression import pruning
from cnnbook.compression.experiments.common import Context, over_seeds, score
from cnnbook.compression.stats import paired
from cnnbook.data import validation_split
from cnnbook.training import FAST

SCOPES = ("global", "layer")


def pruned(model: nn.Module, sparsity: float, scope: str = "global") -> nn.Module:
    return pruning.pruned_copy(model, pruning.magnitude_masks(model, sparsity, scope))


def prune_and_fine_tune(ctx: Context, base: nn.Module, seed: int, sparsity: float, gradual: bool):
    """One epoch of fine-tuning with the pruned weights kept at zero."""
    settings = ctx.settings
    steps = math.ceil(len(validation_split()[0]) / FAST.batch_size) * settings.fine_tune_epochs
    if gradual:
        end = round(settings.gradual_until * steps)
        hook = pruning.GradualPruning(sparsity, end_step=end, every=settings.prune_every)
        start = copy.deepcopy(base)
    else:
        masks = pruning.magnitude_masks(base, sparsity, "global")
        hook, start = pruning.keep_masks(masks), pruning.pruned_copy(base, masks)
    return ctx.fine_tune(lambda: start, seed, after_step=hook).model


def curves(ctx: Context) -> dict:
    """Test accuracy without retraining, per scope and sparsity; per-layer sensitivity on the
    validation images; each layer's share of zeros under the global threshold."""
    sparsities = ctx.settings.sparsities
    per_seed = {scope: [] for scope in SCOPES}
    sensitivity: dict[str, list[list[float]]] = {}
    layer_zeros: dict[str, list[dict[str, float]]] = {}
    for base in ctx.bases:
        for scope in SCOPES:
            per_seed[scope].append([ctx.test(pruned(base.model, s, scope)) for s in sparsities])
        scan = pruning.sensitivity_scan(
            base.model, sparsities, lambda m: score(m, ctx.data.validation)
        )
        for layer, values in scan.items():
            sensitivity.setdefault(layer, []).append(values)
        for s in sparsities:
            zeros = pruning.sparsity_by_layer(pruned(base.model, s))
            layer_zeros.setdefault(str(s), []).append(zeros)
    return {
        "sparsities": list(sparsities),
        "one_shot": {
            scope: {str(s): over_seeds([run[k] for run in runs]) for k, s in enumerate(sparsities)}
            for scope, runs in per_seed.items()
        },
        "sensitivity": {
            layer: {str(s): over_seeds([run[k] for run in runs]) for k, s in enumerate(sparsities)}
            for layer, runs in sensitivity.items()
        },
        "global_layer_sparsity": {
            s: {layer: round(sum(z[layer] for z in runs) / len(runs), 4) for layer in runs[0]}
            for s, runs in layer_zeros.items()
        },
    }


def recovery(ctx: Context) -> tuple[dict[str, dict], dict[str, list[nn.Module]]]:
    """Per target sparsity: no retraining, one-shot + fine-tuning, gradual; validation and test
    accuracy per seed, and the paired difference gradual − one-shot on the test images."""
    rows, networks = {}, {"one_shot_fine_tuned": [], "gradual": []}
    for sparsity in ctx.settings.fine_tune_sparsities:
        test = {"one_shot": [], "one_shot_fine_tuned": [], "gradual": []}
        validation = {"one_shot_fine_tuned": [], "gradual": []}
        reached = []
        for base in ctx.bases:
            test["one_shot"].append(ctx.test(pruned(base.model, sparsity)))
            for name, gradual in (("one_shot_fine_tuned", False), ("gradual", True)):
                model = prune_and_fine_tune(ctx, base.model, base.seed, sparsity, gradual)
                test[name].append(ctx.test(model))
                validation[name].append(score(model, ctx.data.validation))
                reached.append(round(pruning.overall_sparsity(model), 4))
                if sparsity == ctx.settings.compared_sparsity:
                    networks[name].append(model)
        rows[str(sparsity)] = {
            "sparsity": sparsity,
            "reached_sparsity": [min(reached), max(reached)],
            **{name: over_seeds(values) for name, values in test.items()},
            "validation": {name: over_seeds(values) for name, values in validation.items()},
            "gradual_minus_one_shot": paired(test["one_shot_fine_tuned"], test["gradual"]),
        }
    return rows, networks


def run(ctx: Context) -> dict:
    began = time.perf_counter()
    results = curves(ctx)
    one_shot = results["one_shot"]
    results["global_minus_layer"] = {
        s: paired(one_shot["layer"][s]["values"], one_shot["global"][s]["values"])
        for s in one_shot["global"]
    }
    ctx.log.stage("pruning curves and sensitivity", "剪枝曲线与各层敏感度", began)

    began = time.perf_counter()
    rows, networks = recovery(ctx) if ctx.settings.fine_tune_sparsities else ({}, {})
    results["recovery"] = rows
    compared = rows.get(str(ctx.settings.compared_sparsity))
    if compared:  # the comparison's network: the better method on the validation images
        validation = compared["validation"]
        chosen = max(validation, key=lambda name: validation[name]["mean"])
        results["chosen"] = chosen
        for model in networks[chosen]:
            ctx.keep("pruned", model)
        ctx.kept["pruned_one_shot_fine_tuned"] = networks["one_shot_fine_tuned"]
    ctx.log.stage("fine-tuning pruned networks", "微调剪枝后的网络", began)
    return results
