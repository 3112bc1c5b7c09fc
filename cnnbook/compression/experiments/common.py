"""What every experiment of chapter 10 shares: the settings, the trained base LeNets (one per
seed, trained once per run), scoring, sizes, and the per-seed bookkeeping.

Every method starts from the same base networks: seed s trains ``LeNet`` with the fast recipe of
chapter 9 (``fit(LeNet, seed=s)``), and every compression of seed s starts from that network
(and, where it trains, trains with seed s). A result is therefore a list with one value per seed,
stored with its mean, sample standard deviation and range (``stats.spread``), and two methods
are compared seed by seed (``stats.paired``).

Choices are made on the 5,000 validation images (the fixed split of chapter 9); the 10,000 test
images are only used to report the accuracy of a network whose settings are already fixed.
"""

from __future__ import annotations

import copy
import sys
import time
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch
from torch import nn

from cnnbook.cli import stage_line
from cnnbook.compression import costs
from cnnbook.compression.fitting import Fitted, Mnist, fit
from cnnbook.compression.stats import spread
from cnnbook.data import TensorDigits, batches_in_order
from cnnbook.model import LeNet
from cnnbook.training import accuracy, predict

Widths = tuple[tuple[int, int], tuple[int, int]]


@dataclass(frozen=True)
class Settings:
    """Everything the experiments choose; ``QUICK`` keeps a subset of the same values."""

    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    # fine-grained pruning
    sparsities: tuple[float, ...] = (0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98)
    fine_tune_sparsities: tuple[float, ...] = (0.9, 0.95, 0.98)
    compared_sparsity: float = 0.9  # the fine-grained network of the comparison
    fine_tune_epochs: int = 1
    fine_tune_lr: float = 0.01
    gradual_until: float = 0.6  # gradual pruning reaches the target after 60 % of the steps
    prune_every: int = 20
    # channel pruning: (conv1, conv2) filters and (fc1, fc2) neurons kept
    channel_configs: tuple[Widths, ...] = (((4, 8), (60, 42)), ((3, 6), (30, 20)))
    # quantisation
    bits: tuple[int, ...] = (8, 7, 6, 5, 4, 3, 2)
    calibration_images: int = 500
    qat_bits: tuple[int, ...] = (4, 2)
    # low rank: the same rank r for fc1 and fc2 (fc3 has only 10 outputs)
    ranks: tuple[int, ...] = (2, 4, 8, 16, 32, 64)
    fine_tune_ranks: tuple[int, ...] = (8, 16)
    compared_rank: int = 16
    # lottery ticket: one-shot global magnitude mask, survivors reset to their initial values
    lottery_sparsity: float | None = 0.95
    # Deep Compression: k-means weight sharing of the compared pruned network
    share_bits: tuple[int, ...] = (2, 3, 4, 5, 6)
    compared_share_bits: int = 4
    # distillation
    teacher: Widths = ((16, 32), (256, 128))
    student: Widths = ((3, 6), (24, 16))
    temperature: float = 8.0
    alpha: float = 0.9
    distillation_label_smoothing: float = 0.0
    # (training images the student sees, epochs): all 55,000, and a small labelled set
    regimes: tuple[tuple[int, int], ...] = ((55_000, 2), (2_000, 20))
    quick: bool = False


FULL = Settings()
QUICK = replace(
    FULL,
    seeds=(0,),
    sparsities=(0.5, 0.8, 0.9, 0.95),
    fine_tune_sparsities=(0.9,),
    channel_configs=FULL.channel_configs[:1],
    bits=(8, 4, 3, 2),
    qat_bits=(2,),
    ranks=(4, 16, 64),
    fine_tune_ranks=(16,),
    lottery_sparsity=None,
    share_bits=(4,),
    regimes=(),
    quick=True,
)


@dataclass
class Log:
    """Progress lines on stderr, with the seconds each stage took (stored under the stage's
    ``key`` in ``experiments.json``; the line shows its Chinese ``label``)."""

    enabled: bool = True
    start: float = field(default_factory=time.perf_counter)
    stages: dict[str, float] = field(default_factory=dict)

    def stage(self, key: str, label: str, began: float) -> None:
        self.stages[key] = round(time.perf_counter() - began, 1)
        if self.enabled:
            total = time.perf_counter() - self.start
            print(stage_line(label, self.stages[key], total), file=sys.stderr, flush=True)


@dataclass
class Base:
    """The trained LeNet of one seed, and the weights it started from (for the lottery)."""

    seed: int
    fitted: Fitted
    initial: dict[str, torch.Tensor]

    @property
    def model(self) -> nn.Module:
        return self.fitted.model

    @property
    def test_accuracy(self) -> float:
        return round(self.fitted.test_accuracy, 2)  # as ``score`` reports it


@dataclass
class Context:
    """One run: data, settings, log, the base networks, and the networks each method leaves
    for the final comparison (``kept[name][k]`` is seed ``settings.seeds[k]``'s)."""

    data: Mnist
    settings: Settings
    log: Log
    bases: list[Base] = field(default_factory=list)
    kept: dict[str, list[nn.Module]] = field(default_factory=dict)
    predicted: dict[tuple, tuple[nn.Module, torch.Tensor]] = field(default_factory=dict)

    def test_predictions(self, model: nn.Module) -> torch.Tensor:
        """The network's predicted class of every test image, computed once per network and
        state: the key holds each tensor's version counter, which any in-place change (an
        optimiser step, ``load_state_dict``) raises."""
        tensors = model.state_dict(keep_vars=True).values()
        key = (id(model), *(t._version for t in tensors))
        if key not in self.predicted:  # the model is kept alive with its predictions
            self.predicted[key] = (model, predictions(model, self.data.test))
        return self.predicted[key][1]

    def test(self, model: nn.Module) -> float:
        """Test accuracy (%), two decimals, like ``score``."""
        return round(accuracy(self.test_predictions(model), self.data.test.labels), 2)

    def keep(self, name: str, model: nn.Module) -> None:
        self.kept.setdefault(name, []).append(model)

    def fine_tune(self, make: object, seed: int, **overrides) -> Fitted:
        """``fit`` with the fine-tuning epochs and peak learning rate of the settings."""
        options = {"epochs": self.settings.fine_tune_epochs, "lr": self.settings.fine_tune_lr}
        return fit(make, self.data, seed=seed, **{**options, **overrides})


def train_bases(ctx: Context) -> None:
    """One fast-recipe LeNet per seed; the initial weights are those ``fit`` starts from."""
    began = time.perf_counter()
    for seed in ctx.settings.seeds:
        torch.manual_seed(seed)  # exactly what fit does before it builds the network
        initial = copy.deepcopy(LeNet().state_dict())
        ctx.bases.append(Base(seed, fit(LeNet, ctx.data, seed=seed), initial))
    ctx.log.stage("base LeNets", "训练基准 LeNet", began)


def score(model: nn.Module, split: TensorDigits) -> float:
    """Accuracy (%) on ``split``, on the CPU (int8 networks have no parameters to ask)."""
    return round(accuracy(*predict(model, batches_in_order(split, 2500), torch.device("cpu"))), 2)


def predictions(model: nn.Module, split: TensorDigits) -> torch.Tensor:
    return predict(model, batches_in_order(split, 2500), torch.device("cpu"))[0]


def over_seeds(values: list[float]) -> dict:
    """``stats.spread`` of per-seed accuracies (two decimals, like the accuracies)."""
    return spread(values, digits=3)


def float_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """``model.state_dict()``, every tensor on the CPU in the default memory layout."""
    state = model.state_dict()
    for name, tensor in state.items():
        state[name] = tensor.detach().cpu().contiguous()
    return state


def csr_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """The state_dict with every weight of 2 or more dimensions stored as a CSR sparse matrix
    (rows = output units; int32 indices): what a fine-grained pruned network needs on disk."""

    def sparse(tensor: torch.Tensor) -> torch.Tensor:
        if tensor.dim() < 2:
            return tensor
        with warnings.catch_warnings():  # "sparse CSR support is in beta state"
            warnings.simplefilter("ignore", UserWarning)
            csr = tensor.flatten(start_dim=1).to_sparse_csr()
            return torch.sparse_csr_tensor(
                csr.crow_indices().int(),
                csr.col_indices().int(),
                csr.values(),
                csr.shape,
                check_invariants=True,
            )

    return {name: sparse(tensor) for name, tensor in float_state(model).items()}


def file_bytes(state: dict[str, torch.Tensor]) -> int:
    """Bytes of the file ``torch.save(state, "lenet.pt")`` writes, measured on disk."""
    return costs.saved_size(state, "lenet.pt")


def structure(model: nn.Module, counted: nn.Module | None = None) -> dict:
    """Parameters (all and nonzero) and MACs of one image; ``counted``: the float network an
    int8 one was made from (same numbers of weights and MACs, now integer ones)."""
    counted = counted or model
    return {
        "parameters": costs.count_parameters(counted),
        "nonzero_parameters": costs.nonzero_parameters(counted),
        "macs": costs.total_macs(counted),
    }


def same_for_every_seed(rows: list[dict], keys: tuple[str, ...]) -> dict:
    """The values of ``keys``, which must not depend on the seed (architecture counts)."""
    first = {key: rows[0][key] for key in keys}
    for row in rows[1:]:
        if any(row[key] != first[key] for key in keys):
            raise AssertionError(f"{keys} 在不同种子之间不一致：{first} 与 {row}")
    return first


def results_path(directory: Path, name: str = "experiments.json") -> Path:
    return Path(directory) / name
