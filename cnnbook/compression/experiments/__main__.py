"""``python -m cnnbook.compression.experiments --out DIR``: see the package's docstring."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import torch

from cnnbook.cli import OneLineParser, run_command
from cnnbook.compression.experiments.common import FULL, QUICK, Log
from cnnbook.compression.experiments.runner import run, write_results
from cnnbook.compression.fitting import Mnist
from cnnbook.errors import CnnBookError
from cnnbook.mnist_files import archives_to_unpack, check_data_dir, default_data_root

PROG = "cnnbook.compression.experiments"


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return int(text)


def parser() -> OneLineParser:
    command = OneLineParser(prog=PROG, description="every number of chapter 10 (模型压缩)")
    command.add_argument(
        "--out",
        type=Path,
        required=True,
        help="directory for experiments.json and the tables (the book's: snippets/compression/"
        "results)",
    )
    command.add_argument("--quick", action="store_true", help="the subset the tests re-run")
    command.add_argument("--data", type=Path, help="data directory ($CNN_BOOK_DATA or data)")
    command.add_argument("--no-download", action="store_true", help="never use the network")
    command.add_argument(
        "--threads",
        type=positive,
        default=1,
        help="torch.set_num_threads(N); default 1, the thread count of the stored results",
    )
    command.add_argument("--quiet", action="store_true", help="no progress lines")
    return command


def body(args: argparse.Namespace) -> int:
    if args.out.exists() and not args.out.is_dir():
        raise CnnBookError(f"--out {args.out} exists and is not a directory")
    root = args.data or default_data_root()
    check_data_dir(root)
    if args.no_download:
        archives_to_unpack(root)  # every MNIST file there (or its verified .gz), at once
    torch.set_num_threads(args.threads)  # another count may sum in another order
    data = Mnist.load(root, download=not args.no_download)  # downloads only what is missing
    results = run(QUICK if args.quick else FULL, data, Log(enabled=not args.quiet))
    for path in write_results(results, args.out):
        print(path)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(PROG, body, parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
