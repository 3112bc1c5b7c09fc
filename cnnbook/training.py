"""Training LeNet on MNIST: the two recipes of the chapter, evaluation and device choice.

``TEXTBOOK`` is the classic tutorial set-up: a ``DataLoader`` over the torchvision dataset with
per-sample ``ToTensor`` + ``Normalize``, batches of 64, SGD (lr 0.01, momentum 0.5), 5 epochs.
``FAST`` trains the same network from tensors decoded once (``cnnbook.data.load_digits``), with
larger batches, Adam under a one-cycle learning-rate schedule, ``channels_last`` convolutions and
large evaluation batches under ``torch.inference_mode()``.

Both recipes hold out the same 5,000 training images as a validation set, keep the weights of
the epoch with the best validation accuracy, and only then measure the test accuracy once.
``train`` returns everything as a ``TrainingRun``; ``python -m cnnbook.train`` is its command.
"""

from __future__ import annotations

import itertools
import math
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal

import torch
from torch import nn
from torch.nn import functional as F

from cnnbook.data import (
    TensorDigits,
    batches_in_order,
    load_digits,
    mnist_dataset,
    shuffled_batches,
    textbook_transform,
    validation_split,
)
from cnnbook.errors import CnnBookError
from cnnbook.model import LeNet

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]
LossFunction = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Recipe:
    """Everything that decides how a LeNet is trained (the network itself never changes)."""

    name: str
    pipeline: Literal["dataloader", "tensors"]
    batch_size: int
    epochs: int
    optimizer: Literal["sgd", "adam"]
    lr: float
    momentum: float = 0.0
    schedule: Literal["constant", "onecycle"] = "constant"
    warmup_fraction: float = 0.0  # one-cycle: share of the steps spent raising the learning rate
    label_smoothing: float = 0.0
    channels_last: bool = False
    eval_batch_size: int = 1000
    cycle_momentum: bool = True  # one-cycle also cycles Adam's beta1 (SGD's momentum)
    weight_decay: float = 0.0  # L2 penalty added to the gradient (Adam / SGD's weight_decay)

    def __post_init__(self) -> None:
        checks = {
            "pipeline": self.pipeline in ("dataloader", "tensors"),
            "batch_size": self.batch_size >= 1,
            "epochs": self.epochs >= 1,
            "optimizer": self.optimizer in ("sgd", "adam"),
            "lr": self.lr > 0,
            "schedule": self.schedule in ("constant", "onecycle"),
            "warmup_fraction": 0 <= self.warmup_fraction < 1,
            "label_smoothing": 0 <= self.label_smoothing < 1,
            "eval_batch_size": self.eval_batch_size >= 1,
            "weight_decay": self.weight_decay >= 0,
        }
        for name, ok in checks.items():
            if not ok:
                value = getattr(self, name)
                raise CnnBookError(f"配方 {self.name!r}：{name} 的值 {value!r} 不合法")


TEXTBOOK = Recipe(
    name="textbook", pipeline="dataloader", batch_size=64, epochs=5,
    optimizer="sgd", lr=0.01, momentum=0.5, eval_batch_size=64,
)  # fmt: skip
FAST = Recipe(
    name="fast", pipeline="tensors", batch_size=128, epochs=2, optimizer="adam", lr=0.01,
    schedule="onecycle", warmup_fraction=0.15, label_smoothing=0.1, channels_last=True,
    eval_batch_size=2500,
)  # fmt: skip
RECIPES = {recipe.name: recipe for recipe in (TEXTBOOK, FAST)}


@dataclass(frozen=True)
class EpochRecord:
    """What one epoch did: mean training loss and accuracy, validation accuracy, wall seconds
    (training and validation), the training loss and accuracy over each tenth of the epoch's
    batches (for curves), and how long the validation took."""

    epoch: int
    train_loss: float
    train_accuracy: float
    validation_accuracy: float
    seconds: float
    loss_curve: tuple[float, ...] = ()
    accuracy_curve: tuple[float, ...] = ()
    validation_seconds: float = 0.0  # the part of ``seconds`` spent evaluating the validation set


@dataclass
class TrainingRun:
    """The result of ``train``: the model holds the best epoch's weights and is in eval mode."""

    recipe: Recipe
    seed: int
    model: nn.Module
    history: list[EpochRecord]
    best_epoch: int
    test_accuracy: float
    test_predictions: torch.Tensor
    data_seconds: float
    seconds: float
    train_samples: int
    threads: int = field(default_factory=torch.get_num_threads)
    test_labels: torch.Tensor | None = None
    test_seconds: float = 0.0

    @property
    def best_validation_accuracy(self) -> float:
        return self.history[self.best_epoch - 1].validation_accuracy

    def summary(self) -> dict:
        """A JSON-ready record of the run (figures and tests read it; the model is not in it)."""
        return {
            "recipe": asdict(self.recipe),
            "seed": self.seed,
            "train_samples": self.train_samples,
            "threads": self.threads,
            "torch": torch.__version__.split("+")[0],
            "history": [_rounded(asdict(record)) for record in self.history],
            "best_epoch": self.best_epoch,
            "test_accuracy": round(self.test_accuracy, 4),
            "test_predictions": "".join(str(int(p)) for p in self.test_predictions.tolist()),
            "data_seconds": round(self.data_seconds, 3),
            "seconds": round(self.seconds, 3),
            "test_seconds": round(self.test_seconds, 3),
            "conv1": first_layer_filters(self.model),
            "most_common_mistakes": most_common_mistakes(self.test_labels, self.test_predictions),
        }  # fmt: skip


def most_common_mistakes(
    labels: torch.Tensor | None, predictions: torch.Tensor, count: int = 3
) -> list[dict[str, int]]:
    """The ``count`` most frequent (true digit, predicted digit) confusions, most frequent first
    (ties: smaller true digit, then smaller predicted digit, first)."""
    if labels is None:
        return []
    pairs = torch.bincount(labels * 10 + predictions, minlength=100).reshape(10, 10)
    ranked = sorted((-int(pairs[t, p]), t, p) for t in range(10) for p in range(10) if t != p)
    return [{"true": t, "predicted": p, "count": -n} for n, t, p in ranked[:count] if n < 0]


def first_layer_filters(model: nn.Module, decimals: int = 5) -> dict[str, list] | None:
    """conv1's kernels and biases, rounded, as nested lists (for the filter figure), if the
    model has a ``conv1`` layer."""
    layer = getattr(model, "conv1", None)
    if not isinstance(layer, nn.Conv2d):
        return None
    weight = layer.weight.detach().cpu().contiguous().double()
    bias = layer.bias.detach().cpu().double() if layer.bias is not None else torch.zeros(0)
    return {
        "weight": [[[round(v, decimals) for v in row] for row in kernel[0].tolist()]
                   for kernel in weight],
        "bias": [round(v, decimals) for v in bias.tolist()],
    }  # fmt: skip


def _rounded(record: dict) -> dict:
    def rounded(value: object) -> object:
        if isinstance(value, float):
            return round(value, 4)
        if isinstance(value, tuple | list):
            return [rounded(item) for item in value]
        return value

    return {key: rounded(value) for key, value in record.items()}


def curves(
    batch_log: list[tuple[float, int, int]], segments: int = 10
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Mean batch loss and accuracy (%) over ``segments`` consecutive, nearly equal runs of
    batches."""
    bounds = [round(k * len(batch_log) / segments) for k in range(segments + 1)]
    parts = [batch_log[a:b] for a, b in itertools.pairwise(bounds) if b > a]
    losses = tuple(sum(loss for loss, _, _ in part) / len(part) for part in parts)
    accuracies = tuple(
        100.0 * sum(c for _, c, _ in part) / sum(n for _, _, n in part) for part in parts
    )
    return losses, accuracies


def check_seed(seed: int) -> int:
    """``seed`` if PyTorch accepts it as a random seed (an integer from 0 to 2^63 - 1)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise CnnBookError(f"seed 必须是 0 到 2^63 - 1 之间的整数，得到 {seed!r}")
    return seed


def copy_of_weights(model: nn.Module) -> dict[str, torch.Tensor]:
    """A snapshot of ``model.state_dict()``: the state_dict holds references to the live
    tensors, which the next optimiser step changes, so each tensor is cloned."""
    return {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}


def pick_device() -> torch.device:
    """CUDA if there is a GPU, else Apple's MPS, else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def accuracy(predictions: torch.Tensor, labels: torch.Tensor) -> float:
    """Percentage of ``predictions`` equal to ``labels``."""
    if predictions.shape != labels.shape or labels.numel() == 0:
        raise CnnBookError(
            f"predictions {tuple(predictions.shape)} 与 labels {tuple(labels.shape)} "
            "的形状必须相同且不为空"
        )
    return (predictions == labels).sum().item() * 100.0 / labels.numel()


@torch.inference_mode()
def predict(
    model: nn.Module, batches: Batches, device: torch.device | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(predicted labels, true labels)`` over all ``batches``, with the model in eval mode."""
    model.eval()
    device = device or next(model.parameters()).device
    predicted, truth = [], []
    for images, labels in batches:
        predicted.append(model(images.to(device)).argmax(dim=1).cpu())
        truth.append(labels.cpu())
    return torch.cat(predicted), torch.cat(truth)


def evaluate(model: nn.Module, split: TensorDigits, batch_size: int = 2500) -> float:
    """Test-style accuracy (%) of ``model`` on a ``TensorDigits`` split."""
    return accuracy(*predict(model, batches_in_order(split, batch_size)))


def make_optimizer(model: nn.Module, recipe: Recipe) -> torch.optim.Optimizer:
    if recipe.optimizer == "sgd":
        return torch.optim.SGD(params=model.parameters(), lr=recipe.lr, momentum=recipe.momentum,
                               weight_decay=recipe.weight_decay)  # fmt: skip
    # fused: one kernel updates every parameter (CPU and CUDA), instead of a loop of small ops
    fused = all(p.device.type in ("cpu", "cuda") for p in model.parameters())
    return torch.optim.Adam(model.parameters(), lr=recipe.lr, fused=fused,
                            weight_decay=recipe.weight_decay)  # fmt: skip


def make_scheduler(
    optimizer: torch.optim.Optimizer, recipe: Recipe, steps_per_epoch: int
) -> torch.optim.lr_scheduler.LRScheduler | None:
    """One-cycle: rise to ``recipe.lr`` over ``warmup_fraction`` of the steps, then anneal
    (cosine) to almost zero; Adam's beta1 cycles the opposite way (0.95 → 0.85 → 0.95)."""
    if recipe.schedule == "constant":
        return None
    return torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=recipe.lr, total_steps=recipe.epochs * steps_per_epoch,
        pct_start=recipe.warmup_fraction, cycle_momentum=recipe.cycle_momentum,
    )  # fmt: skip


def train_one_epoch(
    model: nn.Module,
    batches: Batches,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    device: torch.device | None = None,
    memory_format: torch.memory_format = torch.contiguous_format,
    label_smoothing: float = 0.0,
    batch_log: list[tuple[float, int, int]] | None = None,
    loss_fn: LossFunction | None = None,
) -> tuple[float, float]:
    """One pass over ``batches``; returns the mean loss and the accuracy (%) seen while training.

    ``batch_log``, if given, receives ``(loss, correct, size)`` of every batch (for curves).
    ``loss_fn(logits, labels, images)`` replaces the cross-entropy (with ``label_smoothing``),
    e.g. for distillation, where the loss also needs a teacher's output for the same images.
    """
    model.train()
    device = device or next(model.parameters()).device
    loss_sum, correct, seen = 0.0, 0, 0
    for images, labels in batches:
        images = images.to(device).contiguous(memory_format=memory_format)
        labels = labels.to(device)
        logits = model(images)
        if loss_fn is None:
            loss = F.cross_entropy(logits, labels, label_smoothing=label_smoothing)
        else:
            loss = loss_fn(logits, labels, images)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        batch_loss, batch_correct = loss.item(), (logits.argmax(dim=1) == labels).sum().item()
        loss_sum += batch_loss * labels.numel()
        correct += batch_correct
        seen += labels.numel()
        if batch_log is not None:
            batch_log.append((batch_loss, batch_correct, labels.numel()))
    return loss_sum / seen, correct * 100.0 / seen


@dataclass
class _Pipeline:
    """The data side of a recipe: training batches for each epoch, and evaluation batches."""

    epoch_batches: Callable[[], Batches]
    steps_per_epoch: int
    validation: Callable[[], Batches]
    test: Callable[[], Batches]
    train_samples: int


def _tensor_pipeline(
    recipe: Recipe, root, download: bool, mirror, train_ids, val_ids, generator, device
) -> _Pipeline:
    every_train = load_digits(root, train=True, download=download, mirror=mirror).to(device)
    test = load_digits(root, train=False, download=download, mirror=mirror).to(device)
    validation = every_train.subset(val_ids)
    train_ids = train_ids.to(every_train.labels.device)
    size = recipe.eval_batch_size
    return _Pipeline(
        epoch_batches=lambda: shuffled_batches(
            every_train, recipe.batch_size, generator, train_ids
        ),
        steps_per_epoch=math.ceil(len(train_ids) / recipe.batch_size),
        validation=lambda: batches_in_order(validation, size),
        test=lambda: batches_in_order(test, size),
        train_samples=len(train_ids),
    )


def _loader_pipeline(
    recipe: Recipe, root, download: bool, mirror, train_ids, val_ids, generator
) -> _Pipeline:
    from torch.utils.data import DataLoader, Subset  # the textbook pipeline only

    transform = textbook_transform()
    every_train = mnist_dataset(root, train=True, download=download, transform=transform,
                                mirror=mirror)  # fmt: skip
    test = mnist_dataset(root, train=False, download=download, transform=transform, mirror=mirror)
    train_set = Subset(every_train, train_ids.tolist())
    loader = DataLoader(train_set, batch_size=recipe.batch_size, shuffle=True, generator=generator)
    validation = DataLoader(
        Subset(every_train, val_ids.tolist()), batch_size=recipe.eval_batch_size
    )
    return _Pipeline(
        epoch_batches=lambda: loader,
        steps_per_epoch=len(loader),
        validation=lambda: validation,
        test=lambda: DataLoader(test, batch_size=recipe.eval_batch_size),
        train_samples=len(train_set),
    )


def _with_progress(batches: Batches, total: int, label: str, enabled: bool) -> Iterator:
    if not enabled:
        return iter(batches)
    from tqdm import tqdm  # only for progress bars

    return iter(
        tqdm(batches, total=total, desc=label, leave=False, file=sys.stderr, mininterval=0.5,
             unit="批")
    )  # fmt: skip


def train(
    recipe: Recipe = FAST,
    *,
    root: str | Path | None = None,
    seed: int = 0,
    download: bool = True,
    mirror: str | None = None,
    epochs: int | None = None,
    train_samples: int | None = None,
    device: torch.device | None = None,
    progress: bool = False,
    on_epoch: Callable[[EpochRecord], None] | None = None,
    model: nn.Module | None = None,
    loss_fn: LossFunction | None = None,
) -> TrainingRun:
    """Train a fresh ``LeNet`` with ``recipe``; the timed region starts before reading the data.

    ``epochs`` and ``train_samples`` (the first n of the 55,000 training images) shorten a run
    for quick checks; ``progress`` shows tqdm bars on stderr; ``on_epoch`` sees each record.
    ``model`` trains (fine-tunes) that network instead of a fresh LeNet, e.g. a pruned or a
    smaller one; ``loss_fn(logits, labels, images)`` replaces the recipe's cross-entropy.
    """
    if epochs is not None:
        recipe = replace(recipe, epochs=epochs)
    if train_samples is not None and train_samples < 1:
        raise CnnBookError(f"train_samples 至少为 1，得到 {train_samples}")
    check_seed(seed)
    start = time.perf_counter()
    device = device or pick_device()
    train_ids, val_ids = validation_split()
    train_ids = train_ids[:train_samples]
    generator = torch.Generator().manual_seed(seed)
    if recipe.pipeline == "tensors":
        data = _tensor_pipeline(recipe, root, download, mirror, train_ids, val_ids, generator,
                                device)  # fmt: skip
    else:
        data = _loader_pipeline(recipe, root, download, mirror, train_ids, val_ids, generator)
    data_seconds = time.perf_counter() - start

    torch.manual_seed(seed)
    memory_format = torch.channels_last if recipe.channels_last else torch.contiguous_format
    model = (LeNet() if model is None else model).to(device, memory_format=memory_format)
    optimizer = make_optimizer(model, recipe)
    scheduler = make_scheduler(optimizer, recipe, data.steps_per_epoch)

    history: list[EpochRecord] = []
    best_state, best_epoch = None, 0
    for epoch in range(1, recipe.epochs + 1):
        epoch_start = time.perf_counter()
        label = f"第 {epoch}/{recipe.epochs} 轮"
        batches = _with_progress(data.epoch_batches(), data.steps_per_epoch, label, progress)
        batch_log: list[tuple[float, int, int]] = []
        loss, train_acc = train_one_epoch(
            model, batches, optimizer, scheduler, device, memory_format, recipe.label_smoothing,
            batch_log, loss_fn,
        )  # fmt: skip
        validation_start = time.perf_counter()
        val_acc = accuracy(*predict(model, data.validation(), device))
        end = time.perf_counter()
        record = EpochRecord(epoch, loss, train_acc, val_acc, end - epoch_start, *curves(batch_log),
                             validation_seconds=end - validation_start)  # fmt: skip
        history.append(record)
        if best_state is None or val_acc > history[best_epoch - 1].validation_accuracy:
            best_state, best_epoch = copy_of_weights(model), epoch
        if on_epoch is not None:
            on_epoch(record)

    model.load_state_dict(best_state)
    test_start = time.perf_counter()
    test_predictions, test_labels = predict(model, data.test(), device)
    test_seconds = time.perf_counter() - test_start
    return TrainingRun(
        recipe=recipe,
        seed=seed,
        model=model,
        history=history,
        best_epoch=best_epoch,
        test_accuracy=accuracy(test_predictions, test_labels),
        test_predictions=test_predictions,
        test_labels=test_labels,
        test_seconds=test_seconds,
        data_seconds=data_seconds,
        seconds=time.perf_counter() - start,
        train_samples=data.train_samples,
    )
