"""Knowledge distillation: a wider teacher (trained once, seed of the first base), and a narrow
student trained with and without the teacher's soft targets for every seed, in two regimes
(all 55,000 training images; only 2,000 of them). Within a seed the two students share their
initial weights and their batches; only the loss differs."""

from __future__ import annotations

import time

from cnnbook.compression import costs
from cnnbook.compression.distillation import distillation_loss
from cnnbook.compression.experiments.common import (
    Context,
    file_bytes,
    float_state,
    over_seeds,
)
from cnnbook.compression.fitting import fit, predict_logits
from cnnbook.compression.stats import paired
from cnnbook.model import LeNet


def run(ctx: Context) -> dict:
    settings = ctx.settings
    if not settings.regimes:
        return {}
    began = time.perf_counter()
    channels, hidden = settings.teacher
    teacher = fit(
        lambda: LeNet(channels=channels, hidden=hidden), ctx.data, seed=settings.seeds[0]
    ).model
    teacher_logits = predict_logits(teacher, ctx.data.train.images)
    ctx.log.stage("teacher", "训练教师网络", began)

    began = time.perf_counter()
    channels, hidden = settings.student
    loss = distillation_loss(
        teacher_logits,
        temperature=settings.temperature,
        alpha=settings.alpha,
        label_smoothing=settings.distillation_label_smoothing,
    )
    regimes = {}
    for k, (samples, epochs) in enumerate(settings.regimes):
        plain, distilled = [], []
        for seed in settings.seeds:
            common = {"seed": seed, "epochs": epochs, "train_samples": samples}
            make = lambda: LeNet(channels=channels, hidden=hidden)  # noqa: E731
            plain.append(ctx.test(fit(make, ctx.data, **common).model))
            student = fit(make, ctx.data, loss=loss, **common).model
            distilled.append(ctx.test(student))
            if k == 0:
                ctx.keep("distilled", student)
        regimes[str(samples)] = {
            "train_samples": samples,
            "epochs": epochs,
            "plain": over_seeds(plain),
            "distilled": over_seeds(distilled),
            "gain": paired(plain, distilled),
        }
    ctx.log.stage("students", "训练学生网络（有无蒸馏）", began)
    student = ctx.kept["distilled"][0]
    return {
        "teacher": {
            "channels": list(settings.teacher[0]),
            "hidden": list(settings.teacher[1]),
            "parameters": costs.count_parameters(teacher),
            "macs": costs.total_macs(teacher),
            "file_bytes": file_bytes(float_state(teacher)),
            "test_accuracy": ctx.test(teacher),
        },
        "student": {
            "channels": list(channels),
            "hidden": list(hidden),
            "parameters": costs.count_parameters(student),
            "macs": costs.total_macs(student),
        },
        "temperature": settings.temperature,
        "alpha": settings.alpha,
        "regimes": regimes,
    }
