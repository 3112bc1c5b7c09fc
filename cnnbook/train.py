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

from cnnbook.cli import OneLineParser, run_command
from cnnbook.errors import CnnBookError
from cnnbook.mnist_files import archives_to_unpack, check_data_dir, default_data_root

if TYPE_CHECKING:  # imported in body(), after the cheap checks: bad input is reported at once
    from cnnbook.training import EpochRecord

RECIPE_NAMES = ("fast", "textbook")  # the keys of cnnbook.training.RECIPES


def positive(text: str) -> int:
    value = int(text) if text.isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def parser() -> OneLineParser:
    command = OneLineParser(prog="cnnbook.train", description=__doc__.splitlines()[0])
    command.add_argument("--recipe", choices=RECIPE_NAMES, default="fast")
    command.add_argument("--seed", type=int, default=0)
    command.add_argument("--epochs", type=positive, help="override the recipe's epochs")
    command.add_argument("--train-samples", type=positive, help="train on the first N images only")
    command.add_argument(
        "--data", type=Path, help="data directory (default $CNN_BOOK_DATA or data)"
    )
    command.add_argument("--no-download", action="store_true", help="never use the network")
    command.add_argument("--mirror", help="download MNIST from this base URL instead")
    command.add_argument("--threads", type=positive, help="torch.set_num_threads(N)")
    command.add_argument("--checkpoint", type=Path, help="save the best state_dict here")
    command.add_argument("--history", type=Path, help="write the run as JSON here")
    command.add_argument("--quiet", action="store_true", help="no progress bars")
    return command


def epoch_line(record: EpochRecord, epochs: int) -> str:
    return (
        f"epoch {record.epoch}/{epochs}: loss {record.train_loss:.4f}, "
        f"train {record.train_accuracy:.2f}%, validation {record.validation_accuracy:.2f}% "
        f"({record.seconds:.1f} s)"
    )


def check_output_path(path: Path | None, what: str) -> None:
    if path is not None and path.is_dir():
        raise CnnBookError(f"{what} path {path} is a directory")


def body(args: argparse.Namespace) -> int:
    check_output_path(args.checkpoint, "checkpoint")
    check_output_path(args.history, "history")
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
    epochs = args.epochs or recipe.epochs
    run = train(
        recipe, root=root, seed=args.seed, download=not args.no_download,
        mirror=args.mirror, epochs=args.epochs, train_samples=args.train_samples,
        progress=not args.quiet, on_epoch=lambda record: print(epoch_line(record, epochs),
                                                                flush=True),
    )  # fmt: skip
    print(
        f"best epoch {run.best_epoch} (validation {run.best_validation_accuracy:.2f}%): "
        f"test accuracy {run.test_accuracy:.2f}%; {run.seconds:.1f} s in all, "
        f"{run.data_seconds:.1f} s of it reading the data"
    )
    if args.checkpoint:
        print(f"saved {save_checkpoint(run.model, args.checkpoint)}")
    if args.history:
        args.history.parent.mkdir(parents=True, exist_ok=True)
        args.history.write_text(json.dumps(run.summary(), indent=1) + "\n", encoding="utf-8")
        print(f"saved {args.history}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_command("cnnbook.train", body, parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
