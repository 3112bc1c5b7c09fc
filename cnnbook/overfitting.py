"""Overfitting and regularisation, measured on a small training set (chapter 9).

With all 55,000 training images LeNet barely overfits in two epochs; with only 1,000 of them
and many epochs it does, visibly: the training accuracy reaches 100 % and the training loss
keeps falling, while the validation loss turns and rises — the network starts to memorise its
training images instead of learning what generalises. Each setting below changes one thing of
that baseline (Adam, constant learning rate 0.001, batches of 50, 30 epochs):

* ``weight_decay``: AdamW's decoupled weight decay (every step multiplies each weight by
  1 - lr·λ), which keeps the weights small;
* ``shifts``: data augmentation: each training image moved by a random whole number of pixels,
  up to 2 in each direction, every time it is used (the network never sees the same input twice);
* ``dropout``: dropout (p = 0.5) after the first two fully connected layers (training only).

Every setting is trained with several seeds. After each epoch the training images and the
5,000 validation images are evaluated (eval mode): accuracy and mean cross-entropy. Only the
validation split is used to compare the settings; the test set is not read at all.
``python -m cnnbook.overfitting`` writes ``snippets/lenet/runs/overfitting.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from cnnbook.ablation import mean_sd
from cnnbook.cli import OneLineParser, run_command, saved_line
from cnnbook.data import (
    TensorDigits,
    batches_in_order,
    load_digits,
    normalize_pixels,
    shuffled_batches,
    validation_split,
)
from cnnbook.errors import CnnBookError
from cnnbook.mnist_files import archives_to_unpack, check_data_dir, default_data_root
from cnnbook.model import LeNet

REPO = Path(__file__).resolve().parent.parent
RUNS_DIR = REPO / "snippets" / "lenet" / "runs"  # where make runs stores the results
RESULTS_FILE = "overfitting.json"


@dataclass(frozen=True)
class Setting:
    """One way to train on the small set; the baseline changes nothing."""

    label: str
    weight_decay: float = 0.0
    max_shift: int = 0
    dropout: float = 0.0


@dataclass(frozen=True)
class Plan:
    train_samples: int = 1_000
    epochs: int = 30
    batch_size: int = 50
    lr: float = 0.001
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)


FULL = Plan()
QUICK = Plan(train_samples=200, epochs=3, seeds=(0,))
SETTINGS = {
    "baseline": Setting("不加正则化"),
    "weight_decay": Setting("权重衰减（AdamW，$\\lambda = 0.5$）", weight_decay=0.5),
    "shifts": Setting("数据增强：随机平移至多 2 像素", max_shift=2),
    "dropout": Setting("Dropout（$p = 0.5$）", dropout=0.5),
}


class DropoutLeNet(LeNet):
    """The chapter's LeNet with dropout after fc1 and fc2 (active in training mode only)."""

    def __init__(self, p: float) -> None:
        super().__init__()
        self.dropout = nn.Dropout(p)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.flatten(self.features(x))
        x = self.dropout(self.relu3(self.fc1(x)))
        x = self.dropout(self.relu4(self.fc2(x)))
        return self.fc3(x)


def random_shifts(images: torch.Tensor, max_shift: int, generator: torch.Generator) -> torch.Tensor:
    """Each image (N, 1, H, W) moved by its own random (dy, dx), |dy|, |dx| ≤ ``max_shift``
    pixels; what moves in from outside is black (a pixel value of 0, normalised)."""
    if max_shift < 1:
        return images
    count, _, height, width = images.shape
    black = float(normalize_pixels(torch.zeros(1, 1, 1, dtype=torch.uint8)))  # as every input
    padded = F.pad(images, [max_shift] * 4, value=black)
    dy, dx = torch.randint(0, 2 * max_shift + 1, (2, count, 1, 1), generator=generator)
    rows = torch.arange(height).view(1, height, 1) + dy
    cols = torch.arange(width).view(1, 1, width) + dx
    return padded[torch.arange(count).view(count, 1, 1), 0, rows, cols].unsqueeze(1)


@torch.inference_mode()
def loss_and_accuracy(model: nn.Module, digits: TensorDigits) -> tuple[float, float]:
    """Mean cross-entropy and accuracy (%) on ``digits``, in eval mode."""
    model.eval()
    loss_sum, correct = 0.0, 0
    for images, labels in batches_in_order(digits, 2_500):
        logits = model(images)
        loss_sum += F.cross_entropy(logits, labels, reduction="sum").item()
        correct += (logits.argmax(dim=1) == labels).sum().item()
    return loss_sum / len(digits), 100.0 * correct / len(digits)


def train_setting(
    setting: Setting, plan: Plan, seed: int, train: TensorDigits, validation: TensorDigits
) -> dict[str, list[float]]:
    """One run; per epoch the training and validation loss and accuracy."""
    torch.manual_seed(seed)
    model = DropoutLeNet(setting.dropout) if setting.dropout else LeNet()
    optimizer = torch.optim.AdamW(model.parameters(), lr=plan.lr, weight_decay=setting.weight_decay)
    order, shifts = torch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed + 1)
    curves: dict[str, list[float]] = {"train_loss": [], "train_accuracy": [],
                                      "validation_loss": [], "validation_accuracy": []}  # fmt: skip
    for _ in range(plan.epochs):
        model.train()
        for images, labels in shuffled_batches(train, plan.batch_size, order):
            loss = F.cross_entropy(model(random_shifts(images, setting.max_shift, shifts)), labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        for split, digits in (("train", train), ("validation", validation)):
            loss_value, accuracy = loss_and_accuracy(model, digits)
            curves[f"{split}_loss"].append(round(loss_value, 4))
            curves[f"{split}_accuracy"].append(round(accuracy, 2))
    return curves


def summarize(runs: list[dict]) -> dict:
    """Over the seeds: final-epoch accuracies and their gap, the best validation accuracy and
    its epoch (early stopping), and the epoch of the lowest validation loss."""
    final_train = [r["train_accuracy"][-1] for r in runs]
    final_validation = [r["validation_accuracy"][-1] for r in runs]
    gaps = [t - v for t, v in zip(final_train, final_validation, strict=True)]
    best = [max(r["validation_accuracy"]) for r in runs]
    lowest_loss_epoch = [r["validation_loss"].index(min(r["validation_loss"])) + 1 for r in runs]
    rise = [r["validation_loss"][-1] - min(r["validation_loss"]) for r in runs]
    summary: dict = {"runs": len(runs)}
    for name, values in (("final_train_accuracy", final_train),
                         ("final_validation_accuracy", final_validation), ("final_gap", gaps),
                         ("best_validation_accuracy", best),
                         ("lowest_validation_loss_epoch", lowest_loss_epoch),
                         ("validation_loss_rise", rise)):  # fmt: skip
        mean, sd = mean_sd(values)
        summary[name] = {"mean": round(mean, 3), "sd": round(sd, 3)}
    return summary


def run(plan: Plan, root: Path, *, download: bool, log=print) -> dict:
    every = load_digits(root, train=True, download=download)
    train_ids, val_ids = validation_split()
    train, validation = every.subset(train_ids[: plan.train_samples]), every.subset(val_ids)
    runs: dict[str, list[dict]] = {}
    for key, setting in SETTINGS.items():
        runs[key] = []
        for seed in plan.seeds:
            curves = train_setting(setting, plan, seed, train, validation)
            runs[key].append({"seed": seed, **curves})
            log(f"{key} 种子 {seed}：训练 {curves['train_accuracy'][-1]:.2f}%，"
                f"验证 {curves['validation_accuracy'][-1]:.2f}%")  # fmt: skip
    return {
        "plan": asdict(plan),
        "settings": {key: asdict(setting) for key, setting in SETTINGS.items()},
        "threads": torch.get_num_threads(),
        "runs": runs,
        "summary": {key: summarize(value) for key, value in runs.items()},
    }


def load_results(directory: Path = RUNS_DIR) -> dict:
    path = directory / RESULTS_FILE
    if not path.is_file():
        raise CnnBookError(
            f"没有存档的结果 {path}：先运行 python -m cnnbook.overfitting（make runs）"
        )
    return json.loads(path.read_text(encoding="utf-8"))


# --- the command ----------------------------------------------------------------------------


def parser() -> OneLineParser:
    command = OneLineParser(
        prog="cnnbook.overfitting",
        description=f"在 {FULL.train_samples:,} 张训练图上测量过拟合与三种正则化的作用，"
        "每种设置用多个种子（第 9 章）。",
    )
    add = command.add_argument
    add("--quick", action="store_true", help="200 张图、3 轮、1 个种子：只检查能否运行")
    where = RUNS_DIR.relative_to(REPO)
    add("--out", type=Path, required=True, metavar="DIR", help=f"结果目录（make runs 用 {where}）")
    add("--data", type=Path, metavar="DIR", help="数据目录（默认 $CNN_BOOK_DATA 或 data）")
    add("--no-download", action="store_true", help="绝不联网下载")
    add("--quiet", action="store_true", help="不打印每次运行")
    return command


def body(args: argparse.Namespace) -> int:
    if args.out.exists() and not args.out.is_dir():
        raise CnnBookError(f"--out {args.out} 已存在，但不是目录")
    root = args.data or default_data_root()
    check_data_dir(root)
    if args.no_download:
        archives_to_unpack(root)
    torch.set_num_threads(1)  # the stored results were computed with one intra-op thread
    log = (lambda _line: None) if args.quiet else (lambda line: print(line, flush=True))
    results = run(QUICK if args.quick else FULL, root, download=not args.no_download, log=log)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / RESULTS_FILE
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(saved_line(path))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_command("cnnbook.overfitting", body, parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
