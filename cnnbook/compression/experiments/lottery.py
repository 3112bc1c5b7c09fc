"""A lottery-ticket experiment (Frankle and Carbin, 2019) on LeNet, one-shot.

For each seed: the trained base network gives a global magnitude mask at the lottery sparsity;
the surviving weights are rewound to the values they had before training (the "ticket"), and the
sparse network is trained again with the fast recipe, the mask kept. The control trains the same
mask from a different random initialisation. Both runs see the same batches (same seed)."""

from __future__ import annotations

import time

import torch

from cnnbook.compression import pruning
from cnnbook.compression.experiments.common import Context, over_seeds
from cnnbook.compression.fitting import fit
from cnnbook.compression.stats import paired
from cnnbook.model import LeNet

REINIT_OFFSET = 1000  # the control's initial weights come from seed + 1000


def masked_start(initial: dict[str, torch.Tensor], masks: pruning.Masks) -> LeNet:
    model = LeNet()
    model.load_state_dict(initial)
    return pruning.apply_masks(model, masks)


def run(ctx: Context) -> dict:
    sparsity = ctx.settings.lottery_sparsity
    if sparsity is None:
        return {}
    began = time.perf_counter()
    ticket, control = [], []
    for base in ctx.bases:
        masks = pruning.magnitude_masks(base.model, sparsity, "global")
        torch.manual_seed(base.seed + REINIT_OFFSET)
        other = LeNet().state_dict()
        for initial, results in ((base.initial, ticket), (other, control)):
            fitted = fit(
                lambda i=initial, m=masks: masked_start(i, m),
                ctx.data,
                seed=base.seed,
                after_step=pruning.keep_masks(masks),
            )
            results.append(ctx.test(fitted.model))
    ctx.log.stage("lottery ticket", "彩票假设", began)
    return {
        "sparsity": sparsity,
        "reinit_offset": REINIT_OFFSET,
        "ticket": over_seeds(ticket),
        "random_init": over_seeds(control),
        "ticket_minus_random": paired(control, ticket),
    }
