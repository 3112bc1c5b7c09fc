"""Train the chapter's LeNet on MNIST: ``python -m cnnbook.train [--recipe fast|textbook] …``.

Prints one line per epoch and a summary; ``--checkpoint`` saves the best epoch's state_dict,
``--history`` writes the run as JSON (per-epoch history and the 10,000 test predictions).
``--data`` names the data directory (default ``$CNN_BOOK_DATA`` or ``data``); with the MNIST
files there no network is used; ``--no-download`` forbids downloading, ``--mirror`` downloads
from another address. Bad input is one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cnnbook.cli import OneLineParser, positive_int, run_command, saved_line, seed_value
from cnnbook.errors import CnnBookError
from cnnbook.mnist_files import archives_to_unpack, check_data_dir, default_data_root

if TYPE_CHECKING:  # imported in body(), after the cheap checks: bad input is reported at once
    from cnnbook.training import EpochRecord

RECIPE_NAMES = ("fast", "textbook")  # the keys of cnnbook.training.RECIPES


def parser() -> OneLineParser:
    command = OneLineParser(
        prog="cnnbook.train",
        description="在 MNIST 上训练本章的 LeNet：每轮打印一行，最后打印测试准确率。",
    )
    add = command.add_argument
    add("--recipe", choices=RECIPE_NAMES, default="fast", help="训练配方")
    add("--seed", type=seed_value, default=0, help="随机种子（0 到 2^63 - 1）")
    add("--epochs", type=positive_int, metavar="N", help="改用 N 轮（默认按配方）")
    add("--train-samples", type=positive_int, metavar="N", help="只用前 N 张训练图")
    add("--data", type=Path, metavar="DIR", help="数据目录（默认 $CNN_BOOK_DATA 或 data）")
    add("--no-download", action="store_true", help="绝不联网下载")
    add("--mirror", metavar="URL", help="从这个网址下载 MNIST")
    add("--threads", type=positive_int, metavar="N", help="torch.set_num_threads(N)")
    add("--checkpoint", type=Path, metavar="FILE", help="把最好一轮的 state_dict 存到这里")
    add("--history", type=Path, metavar="FILE", help="把这次运行的记录写成 JSON")
    add("--quiet", action="store_true", help="不显示进度条")
    return command


def epoch_line(record: EpochRecord, epochs: int) -> str:
    return (
        f"第 {record.epoch}/{epochs} 轮：损失 {record.train_loss:.4f}，"
        f"训练准确率 {record.train_accuracy:.2f}%，验证准确率 {record.validation_accuracy:.2f}%"
        f"（{record.seconds:.1f} s）"
    )


def check_output_path(path: Path | None, what: str) -> None:
    if path is not None and path.is_dir():
        raise CnnBookError(f"{what}路径 {path} 是一个目录")


def body(args: argparse.Namespace) -> int:
    check_output_path(args.checkpoint, "检查点")
    check_output_path(args.history, "记录文件")
    root = args.data or default_data_root()
    check_data_dir(root)
    if args.no_download:
        archives_to_unpack(root)  # every file present (or its verified .gz)
    import torch

    from cnnbook.checkpoint import save_checkpoint
    from cnnbook.training import RECIPES, train

    if args.threads:
        torch.set_num_threads(args.threads)
    recipe = RECIPES[args.recipe]
    # Imports that train() would otherwise do on first use, here with the others, before its
    # clock starts: torch.optim imports torch._dynamo when the first optimiser is made (about a
    # second), and the textbook pipeline needs torchvision (a textbook script imports it first).
    import torch._dynamo

    if recipe.pipeline == "dataloader":
        import torchvision  # noqa: F401
    epochs = args.epochs or recipe.epochs
    run = train(
        recipe, root=root, seed=args.seed, download=not args.no_download,
        mirror=args.mirror, epochs=args.epochs, train_samples=args.train_samples,
        progress=not args.quiet, on_epoch=lambda record: print(epoch_line(record, epochs),
                                                                flush=True),
    )  # fmt: skip
    print(
        f"最好的是第 {run.best_epoch} 轮（验证准确率 {run.best_validation_accuracy:.2f}%）："
        f"测试准确率 {run.test_accuracy:.2f}%；共 {run.seconds:.1f} s，"
        f"其中读数据 {run.data_seconds:.1f} s"
    )
    if args.checkpoint:
        print(saved_line(save_checkpoint(run.model, args.checkpoint)))
    if args.history:
        args.history.parent.mkdir(parents=True, exist_ok=True)
        args.history.write_text(json.dumps(run.summary(), indent=1) + "\n", encoding="utf-8")
        print(saved_line(args.history))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_command("cnnbook.train", body, parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
