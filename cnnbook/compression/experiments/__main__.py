"""``python -m cnnbook.compression.experiments --out DIR``: see the package's docstring."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import torch

from cnnbook.cli import OneLineParser, positive_int, run_command, saved_line
from cnnbook.compression.experiments.common import FULL, QUICK, Log
from cnnbook.compression.experiments.runner import run, write_results
from cnnbook.compression.fitting import Mnist
from cnnbook.errors import CnnBookError
from cnnbook.mnist_files import archives_to_unpack, check_data_dir, default_data_root

PROG = "cnnbook.compression.experiments"


def parser() -> OneLineParser:
    command = OneLineParser(
        prog=PROG,
        description="第 10 章（模型压缩）的全部实验：为每个种子训练一个 LeNet，再做剪枝、量化、"
        "低秩分解、Deep Compression 与蒸馏，写出 experiments.json 与页面的表格。",
    )
    add = command.add_argument
    add("--out", type=Path, required=True, metavar="DIR",
        help="experiments.json 与各表格的目录（书里用 snippets/compression/results）")  # fmt: skip
    add("--quick", action="store_true", help="只跑测试复核的那一小部分")
    add("--data", type=Path, metavar="DIR", help="数据目录（默认 $CNN_BOOK_DATA 或 data）")
    add("--no-download", action="store_true", help="绝不联网下载")
    add("--threads", type=positive_int, default=1, metavar="N",
        help="torch.set_num_threads(N)；默认 1，即存档结果所用的线程数")  # fmt: skip
    add("--quiet", action="store_true", help="不打印进度")
    return command


def body(args: argparse.Namespace) -> int:
    if args.out.exists() and not args.out.is_dir():
        raise CnnBookError(f"--out {args.out} 已存在，但不是目录")
    root = args.data or default_data_root()
    check_data_dir(root)
    if args.no_download:
        archives_to_unpack(root)  # every MNIST file there (or its verified .gz), at once
    torch.set_num_threads(args.threads)  # another count may sum in another order
    data = Mnist.load(root, download=not args.no_download)  # downloads only what is missing
    results = run(QUICK if args.quick else FULL, data, Log(enabled=not args.quiet))
    for path in write_results(results, args.out):
        print(saved_line(path))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(PROG, body, parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
