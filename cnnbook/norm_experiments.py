"""Chapter 7's three measurements, from one command: ``python -m cnnbook.norm_experiments``.

1. ``small_batch``: a small CNN whose two convolutions and hidden fully connected layer are each
   followed by BatchNorm or by GroupNorm, trained with batch sizes 2, 4, 16 and 64 (the same
   number of images each, learning rate scaled linearly with the batch size); test accuracy.
2. ``bn_training``: a four-convolution network with and without BatchNorm, plain SGD at two
   learning rates; the training loss along the way and the test accuracy at the end, plus the
   spread of each block's activations at initialisation.
3. ``dropout``: a two-hidden-layer MLP trained on only 1,000 images, with and without Dropout;
   training and test loss and test accuracy every few epochs.

Every configuration runs with several seeds (the seed sets the initial weights and the order of
the batches; the training images are the same fixed subset). The results go to
``snippets/normalization/results/experiments.json`` (means, sample standard deviations and every
seed's value), which the page quotes and ``figures/norm_experiments.py`` draws, and the
Markdown table ``small_batch.md`` the page includes. ``--quick`` runs a tiny subset with the same
code, for the tests. Everything runs on one thread: results differ slightly across CPUs (the
instruction set changes the low bits), so the tests check the stored file's invariants, never
its exact numbers.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from cnnbook.cli import OneLineParser, positive_int, run_command, saved_line, stage_line
from cnnbook.data import TensorDigits, load_digits
from cnnbook.errors import CnnBookError
from cnnbook.mnist_files import archives_to_unpack, check_data_dir, default_data_root

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO / "snippets" / "normalization" / "results"
RESULTS_FILE = "experiments.json"
TABLE_FILE = "small_batch.md"
SUBSET_SEED = 123  # which training images form the fixed subset
NORMS = ("BN", "GN")


@dataclass(frozen=True)
class Settings:
    """Everything the experiments choose; ``QUICK`` is a tiny subset for the tests."""

    seeds: tuple[int, ...] = (0, 1, 2)
    test_images: int = 2000  # the first 2,000 test images
    # 1. small batches
    batch_sizes: tuple[int, ...] = (2, 4, 16, 64)
    small_batch_images: int = 3000
    small_batch_epochs: int = 2
    small_batch_lr_per_16: float = 0.02  # lr = 0.02 · B / 16, SGD with momentum 0.9
    groups: int = 4  # GroupNorm's G
    # 2. BN and training
    bn_lrs: tuple[float, ...] = (0.05, 0.5)
    bn_batch: int = 32
    bn_steps: int = 150
    bn_window: int = 10  # the loss curve averages the training loss over this many steps
    # 3. Dropout
    dropout_ps: tuple[float, ...] = (0.0, 0.5)
    dropout_images: int = 1000
    dropout_hidden: int = 512
    dropout_epochs: int = 30
    dropout_every: int = 3  # evaluate after every 3 epochs
    dropout_batch: int = 50
    dropout_lr: float = 0.01  # SGD with momentum 0.9


FULL = Settings()
QUICK = Settings(
    seeds=(0, 1),
    test_images=200,
    batch_sizes=(2, 16),
    small_batch_images=64,
    small_batch_epochs=1,
    bn_steps=20,
    dropout_images=100,
    dropout_hidden=32,
    dropout_epochs=4,
    dropout_every=2,
)


def summary(values: Sequence[float], digits: int) -> dict:
    """Every seed's value, their mean and sample standard deviation (n − 1), rounded."""
    return {
        "seeds": [round(v, digits) for v in values],
        "mean": round(statistics.mean(values), digits),
        "sd": round(statistics.stdev(values), digits) if len(values) > 1 else 0.0,
    }


def curve_summary(curves: Sequence[Sequence[float]], digits: int) -> dict:
    """Point by point over the seeds: mean and sample standard deviation of each point."""
    points = list(zip(*curves, strict=True))
    return {
        "seeds": [[round(v, digits) for v in curve] for curve in curves],
        "mean": [round(statistics.mean(p), digits) for p in points],
        "sd": [round(statistics.stdev(p), digits) if len(p) > 1 else 0.0 for p in points],
    }


def training_subset(size: int) -> torch.Tensor:
    """The indices of a fixed random subset of the 60,000 training images."""
    generator = torch.Generator().manual_seed(SUBSET_SEED)
    return torch.randperm(60_000, generator=generator)[:size]


def accuracy(model: nn.Module, split: TensorDigits) -> float:
    """Test accuracy in %, in eval mode (BN uses its running statistics, Dropout is off)."""
    model.eval()
    with torch.no_grad():
        return 100 * (model(split.images).argmax(dim=1) == split.labels).double().mean().item()


# --- 1. small batches -------------------------------------------------------------------------


def small_cnn(norm: str, groups: int) -> nn.Sequential:
    """conv-norm-ReLU-pool twice, then a hidden fully connected layer with its own norm."""

    def norm2d(channels: int) -> nn.Module:
        return nn.BatchNorm2d(channels) if norm == "BN" else nn.GroupNorm(groups, channels)

    def norm1d(features: int) -> nn.Module:
        return nn.BatchNorm1d(features) if norm == "BN" else nn.GroupNorm(groups, features)

    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, bias=False), norm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1, bias=False), norm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 64, bias=False), norm1d(64), nn.ReLU(),
        nn.Linear(64, 10),
    )  # fmt: skip


def train_small_batch(
    settings: Settings, train: TensorDigits, test: TensorDigits, norm: str, batch: int, seed: int
) -> float:
    torch.manual_seed(seed)
    model = small_cnn(norm, settings.groups)
    lr = settings.small_batch_lr_per_16 * batch / 16
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    order = torch.Generator().manual_seed(seed)
    indices = training_subset(settings.small_batch_images)
    model.train()
    for _ in range(settings.small_batch_epochs):
        shuffled = indices[torch.randperm(len(indices), generator=order)]
        for start in range(0, len(shuffled) - batch + 1, batch):  # only full batches
            chosen = shuffled[start : start + batch]
            loss = F.cross_entropy(model(train.images[chosen]), train.labels[chosen])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return accuracy(model, test)


def small_batch(settings: Settings, train: TensorDigits, test: TensorDigits) -> dict:
    results = {}
    for norm in NORMS:
        per_batch = [
            summary(
                [train_small_batch(settings, train, test, norm, b, s) for s in settings.seeds], 2
            )
            for b in settings.batch_sizes
        ]
        results[norm] = {key: [row[key] for row in per_batch] for key in ("seeds", "mean", "sd")}
    return {"batch_sizes": list(settings.batch_sizes), **results}


def small_batch_table(results: dict) -> str:
    """Markdown: one row per batch size, mean ± SD of each normalisation."""
    part = results["small_batch"]
    seeds = len(results["settings"]["seeds"])
    lines = [
        "| 批大小 $B$ | BN 测试准确率（%） | GN 测试准确率（%） |",
        "| ---: | ---: | ---: |",
    ]
    for i, batch in enumerate(part["batch_sizes"]):
        cells = [f"{part[n]['mean'][i]:.1f} ± {part[n]['sd'][i]:.1f}" for n in NORMS]
        lines.append(f"| {batch} | {cells[0]} | {cells[1]} |")
    lines.append("")
    lines.append(f"均值 ± 样本标准差，{seeds} 个随机种子。")
    return "\n".join(lines)


# --- 2. BN and training -----------------------------------------------------------------------


def deeper_cnn(batch_norm: bool) -> nn.Sequential:
    """Four 3×3 convolutions (8, 8, 16, 16 channels), global average pooling, a linear layer."""

    def block(c_in: int, c_out: int, pool: bool) -> list[nn.Module]:
        layers = [nn.Conv2d(c_in, c_out, 3, padding=1, bias=not batch_norm)]
        layers += [nn.BatchNorm2d(c_out)] if batch_norm else []
        layers += [nn.ReLU()] + ([nn.MaxPool2d(2)] if pool else [])
        return layers

    return nn.Sequential(
        *block(1, 8, False), *block(8, 8, True), *block(8, 16, False), *block(16, 16, True),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10),
    )  # fmt: skip


def activation_spread(model: nn.Sequential, images: torch.Tensor) -> list[float]:
    """The standard deviation of each ReLU's output on ``images`` (train mode, no update)."""
    spreads, x = [], images
    with torch.no_grad():
        for layer in model:
            x = layer(x)
            if isinstance(layer, nn.ReLU):
                spreads.append(x.std().item())
    return spreads


def train_bn(
    settings: Settings, train: TensorDigits, test: TensorDigits, batch_norm: bool, lr: float,
    seed: int,
) -> tuple[list[float], float]:  # fmt: skip
    torch.manual_seed(seed)
    model = deeper_cnn(batch_norm)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    order = torch.Generator().manual_seed(seed)
    indices = training_subset(settings.bn_steps * settings.bn_batch)
    shuffled = indices[torch.randperm(len(indices), generator=order)]
    losses, curve = [], []
    model.train()
    for step in range(settings.bn_steps):
        chosen = shuffled[step * settings.bn_batch : (step + 1) * settings.bn_batch]
        loss = F.cross_entropy(model(train.images[chosen]), train.labels[chosen])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if len(losses) == settings.bn_window:
            curve.append(statistics.mean(losses))
            losses = []
    return curve, accuracy(model, test)


def bn_training(settings: Settings, train: TensorDigits, test: TensorDigits) -> dict:
    results: dict = {
        "lrs": list(settings.bn_lrs),
        "steps": list(range(settings.bn_window, settings.bn_steps + 1, settings.bn_window)),
    }
    first_batch = train.images[training_subset(settings.bn_batch)]
    for name, batch_norm in (("plain", False), ("bn", True)):
        torch.manual_seed(settings.seeds[0])
        results[name] = {"init_spread": [
            round(s, 4) for s in activation_spread(deeper_cnn(batch_norm).train(), first_batch)
        ]}  # fmt: skip
        for lr in settings.bn_lrs:
            runs = [train_bn(settings, train, test, batch_norm, lr, s) for s in settings.seeds]
            results[name][f"lr={lr:g}"] = {
                "loss": curve_summary([curve for curve, _ in runs], 4),
                "accuracy": summary([acc for _, acc in runs], 2),
            }
    return results


# --- 3. Dropout -------------------------------------------------------------------------------


def mlp(p: float, hidden: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(), nn.Dropout(p),
        nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(p), nn.Linear(hidden, 10),
    )  # fmt: skip


def evaluate(model: nn.Module, split: TensorDigits) -> tuple[float, float]:
    """(mean cross-entropy, accuracy in %) in eval mode."""
    model.eval()
    with torch.no_grad():
        logits = model(split.images)
    correct = (logits.argmax(dim=1) == split.labels).double().mean().item()
    return F.cross_entropy(logits, split.labels).item(), 100 * correct


def train_dropout(
    settings: Settings, train: TensorDigits, test: TensorDigits, p: float, seed: int
) -> dict[str, list[float]]:
    torch.manual_seed(seed)
    model = mlp(p, settings.dropout_hidden)
    optimizer = torch.optim.SGD(model.parameters(), lr=settings.dropout_lr, momentum=0.9)
    order = torch.Generator().manual_seed(seed)
    indices = training_subset(settings.dropout_images)
    seen = train.subset(indices)
    history: dict[str, list[float]] = {"train_loss": [], "test_loss": [], "test_accuracy": []}
    for epoch in range(1, settings.dropout_epochs + 1):
        model.train()
        shuffled = indices[torch.randperm(len(indices), generator=order)]
        for start in range(0, len(shuffled), settings.dropout_batch):
            chosen = shuffled[start : start + settings.dropout_batch]
            loss = F.cross_entropy(model(train.images[chosen]), train.labels[chosen])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if epoch % settings.dropout_every == 0:
            history["train_loss"].append(evaluate(model, seen)[0])
            test_loss, test_accuracy = evaluate(model, test)
            history["test_loss"].append(test_loss)
            history["test_accuracy"].append(test_accuracy)
    return history


def dropout(settings: Settings, train: TensorDigits, test: TensorDigits) -> dict:
    every = settings.dropout_every
    results: dict = {"epochs": list(range(every, settings.dropout_epochs + 1, every))}
    for p in settings.dropout_ps:
        runs = [train_dropout(settings, train, test, p, s) for s in settings.seeds]
        test_loss = curve_summary([r["test_loss"] for r in runs], 4)
        lowest = min(range(len(test_loss["mean"])), key=test_loss["mean"].__getitem__)
        results[f"p={p:g}"] = {
            "train_loss": curve_summary([r["train_loss"] for r in runs], 4),
            "test_loss": test_loss,
            "test_accuracy": curve_summary([r["test_accuracy"] for r in runs], 2),
            "lowest_test_loss_epoch": results["epochs"][lowest],  # of the mean curve
        }
    return results


# --- running and storing ----------------------------------------------------------------------

EXPERIMENTS: dict[str, Callable[[Settings, TensorDigits, TensorDigits], dict]] = {
    "small_batch": small_batch,
    "bn_training": bn_training,
    "dropout": dropout,
}
EXPERIMENT_NAMES = {  # what the progress lines call them
    "small_batch": "小批量下的 BN 与 GN",
    "bn_training": "有无 BN 的训练",
    "dropout": "有无 Dropout 的训练",
}


def run(
    settings: Settings, train: TensorDigits, test: TensorDigits, log: Callable[[str], None]
) -> dict:
    test = TensorDigits(test.images[: settings.test_images], test.labels[: settings.test_images])
    results: dict = {"settings": asdict(settings), "seed_count": len(settings.seeds)}
    start = time.perf_counter()
    for name, experiment in EXPERIMENTS.items():
        began = time.perf_counter()
        results[name] = experiment(settings, train, test)
        now = time.perf_counter()
        log(stage_line(EXPERIMENT_NAMES[name], now - began, now - start))
    return results


def write_results(results: dict, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    data_path, table_path = directory / RESULTS_FILE, directory / TABLE_FILE
    data_path.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    table_path.write_text(small_batch_table(results) + "\n", encoding="utf-8")
    return [data_path, table_path]


def load_results(directory: Path = RESULTS_DIR) -> dict:
    path = directory / RESULTS_FILE
    if not path.is_file():
        raise CnnBookError(f"没有实验结果 {path}：先运行 python -m cnnbook.norm_experiments")
    return json.loads(path.read_text(encoding="utf-8"))


def parser() -> OneLineParser:
    command = OneLineParser(
        prog="cnnbook.norm_experiments",
        description=f"第 7 章的三组测量：{'、'.join(EXPERIMENT_NAMES.values())}。",
    )
    add = command.add_argument
    add("--quick", action="store_true", help="测试用的极小规模")
    where = f"make experiments 用 {RESULTS_DIR.relative_to(REPO)}"
    add("--out", type=Path, required=True, metavar="DIR", help=f"结果目录（{where}）")
    add("--data", type=Path, metavar="DIR", help="数据目录（默认 $CNN_BOOK_DATA 或 data）")
    add("--threads", type=positive_int, default=1, metavar="N", help="线程数（默认 1）")
    add("--quiet", action="store_true", help="不打印进度")
    return command


def body(args: argparse.Namespace) -> int:
    if args.out.exists() and not args.out.is_dir():
        raise CnnBookError(f"--out {args.out} 已存在，但不是目录")
    root = args.data or default_data_root()
    check_data_dir(root)
    archives_to_unpack(root)  # every MNIST file must be there: this command never downloads
    torch.set_num_threads(args.threads)
    train = load_digits(root, train=True, download=False)
    test = load_digits(root, train=False, download=False)

    def log(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)

    results = run(QUICK if args.quick else FULL, train, test, log)
    for path in write_results(results, args.out):
        print(saved_line(path))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_command("cnnbook.norm_experiments", body, parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
