"""The fast recipe of chapter 9 for any network and any loss.

``cnnbook.training.train`` always trains a fresh ``LeNet()`` with cross-entropy. Compression
needs the same loop for other networks (a wider teacher, a narrower student, a pruned copy)
and other losses (distillation), and a hook after every step (to keep pruned weights at zero).
``fit`` is that loop, built from cnnbook's own pieces — the fixed validation split, the
shuffled index batches, Adam with the one-cycle schedule, the best-epoch checkpoint — and with
``LeNet`` and the default loss it reproduces ``train`` bit for bit
(tests/test_compression_methods.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import torch
from torch import nn
from torch.nn import functional as F

from cnnbook.data import TensorDigits, load_digits, shuffled_batches, validation_split
from cnnbook.errors import CnnBookError
from cnnbook.training import (
    FAST,
    Recipe,
    copy_of_weights,
    evaluate,
    make_optimizer,
    make_scheduler,
)

# (logits, labels, indices of the images in the training split) → loss
LossFunction = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Mnist:
    """Both splits in memory, normalised (``cnnbook.data.load_digits``)."""

    train: TensorDigits
    test: TensorDigits

    @classmethod
    def load(cls, root=None, download: bool = True) -> Mnist:
        return cls(
            load_digits(root, train=True, download=download),
            load_digits(root, train=False, download=download),
        )

    @property
    def validation(self) -> TensorDigits:
        return self.train.subset(validation_split()[1])


@dataclass
class Fitted:
    """A trained network (best epoch's weights, eval mode) and what the epochs did."""

    model: nn.Module
    validation_accuracies: list[float]
    best_epoch: int
    test_accuracy: float


def cross_entropy(label_smoothing: float) -> LossFunction:
    """The recipe's own loss: cross-entropy with label smoothing."""

    def loss(logits: torch.Tensor, labels: torch.Tensor, _indices: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(logits, labels, label_smoothing=label_smoothing)

    return loss


def fit(
    model_factory: Callable[[], nn.Module],
    data: Mnist,
    *,
    recipe: Recipe = FAST,
    seed: int = 0,
    epochs: int | None = None,
    lr: float | None = None,
    train_samples: int | None = None,
    loss: LossFunction | None = None,
    after_step: Callable[[nn.Module], None] | None = None,
) -> Fitted:
    """Train ``model_factory()`` (called right after ``torch.manual_seed(seed)``) with ``recipe``.

    ``epochs`` and ``lr`` override the recipe's (fine-tuning uses fewer epochs and a smaller
    peak learning rate); ``train_samples`` keeps the first n of the 55,000 training images;
    ``loss`` replaces cross-entropy; ``after_step(model)`` runs after every optimiser step.
    """
    if epochs is not None:
        recipe = replace(recipe, epochs=epochs)
    if lr is not None:
        recipe = replace(recipe, lr=lr)
    if train_samples is not None and train_samples < 1:
        raise CnnBookError(f"train_samples 至少为 1，得到 {train_samples}")
    loss = loss or cross_entropy(recipe.label_smoothing)
    train_ids, val_ids = validation_split()
    train_ids = train_ids[:train_samples]
    generator = torch.Generator().manual_seed(seed)
    # labels replaced by positions: each batch tells which images it holds (for the loss)
    indexed = TensorDigits(data.train.images, torch.arange(len(data.train)))
    validation = data.train.subset(val_ids)

    torch.manual_seed(seed)
    layout = torch.channels_last if recipe.channels_last else torch.contiguous_format
    model = model_factory().to(memory_format=layout)
    optimizer = make_optimizer(model, recipe)
    scheduler = make_scheduler(optimizer, recipe, math.ceil(len(train_ids) / recipe.batch_size))
    accuracies: list[float] = []
    best_state, best_epoch = None, 0
    for epoch in range(1, recipe.epochs + 1):
        model.train()
        for images, indices in shuffled_batches(indexed, recipe.batch_size, generator, train_ids):
            images = images.contiguous(memory_format=layout)
            logits = model(images)
            batch_loss = loss(logits, data.train.labels[indices], indices)
            optimizer.zero_grad(set_to_none=True)
            batch_loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            if after_step is not None:
                after_step(model)
        accuracies.append(evaluate(model, validation, recipe.eval_batch_size))
        if best_state is None or accuracies[-1] > accuracies[best_epoch - 1]:
            best_state, best_epoch = copy_of_weights(model), epoch
    model.load_state_dict(best_state)
    model.eval()
    return Fitted(model, accuracies, best_epoch, evaluate(model, data.test, recipe.eval_batch_size))


def predict_logits(model: nn.Module, images: torch.Tensor, batch_size: int = 2500) -> torch.Tensor:
    """``model``'s logits for every image (eval mode, no autograd), in batches."""
    model.eval()
    with torch.inference_mode():
        return torch.cat(
            [
                model(images[start : start + batch_size])
                for start in range(0, len(images), batch_size)
            ]
        )
