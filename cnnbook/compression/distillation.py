"""Knowledge distillation (Hinton, Vinyals and Dean, 2015): a student learns from a teacher's
softened probabilities as well as from the labels.

With temperature T, p_T = softmax(z / T). The soft-target loss is T² · KL(p_T(teacher) ‖
p_T(student)); its gradient with respect to the student's logits is T · (p_T(student) −
p_T(teacher)), which for large T tends to (z_student − z_teacher) / K (K classes, logits of
zero mean) — without the factor T² it would shrink like 1/T², and changing T would silently
change the weight of the soft targets against the hard-label cross-entropy.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from cnnbook.compression.fitting import LossFunction
from cnnbook.errors import CnnBookError


def check_distillation(temperature: float, alpha: float) -> None:
    if not temperature > 0:
        raise CnnBookError(f"temperature 必须为正数，得到 {temperature!r}")
    if not 0 <= alpha <= 1:
        raise CnnBookError(f"alpha 必须在 [0, 1] 之内，得到 {alpha!r}")


def soft_target_loss(
    student_logits: torch.Tensor, teacher_logits: torch.Tensor, temperature: float
) -> torch.Tensor:
    """T² · KL(softmax(teacher / T) ‖ softmax(student / T)), averaged over the batch."""
    check_distillation(temperature, 0.0)
    student = F.log_softmax(student_logits / temperature, dim=1)
    teacher = F.log_softmax(teacher_logits / temperature, dim=1)
    kl = F.kl_div(student, teacher, log_target=True, reduction="batchmean")
    return temperature**2 * kl


def distillation_loss(
    teacher_logits: torch.Tensor,
    *,
    temperature: float,
    alpha: float,
    label_smoothing: float = 0.0,
) -> LossFunction:
    """A loss for ``fit``: α · soft-target loss + (1 − α) · cross-entropy with the labels.

    ``teacher_logits`` holds the teacher's logits for every training image (computed once:
    the teacher does not change and the images are not augmented)."""
    check_distillation(temperature, alpha)

    def loss(logits: torch.Tensor, labels: torch.Tensor, indices: torch.Tensor) -> torch.Tensor:
        soft = soft_target_loss(logits, teacher_logits[indices], temperature)
        hard = F.cross_entropy(logits, labels, label_smoothing=label_smoothing)
        return alpha * soft + (1 - alpha) * hard

    return loss
