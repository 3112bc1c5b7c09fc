"""Create the MNIST folder the tests read: ``python -m tests.mnist_data ../shared/data/mnist``.

The tests never download. They copy the four original MNIST files from ``../shared/data/mnist``
(beside the clone; see ``tests/outputs.py``). A contributor without that folder creates it once:

* from the four ``.gz`` files they already have: ``--from DIR``;
* or by letting torchvision download them (``--download``; the reader's ordinary path,
  ``datasets.MNIST(..., download=True)``), into a temporary directory first.

Either way every file's md5 is checked against the sums torchvision checks, and an ``MD5SUMS``
file is written beside them (``md5sum -c MD5SUMS`` verifies the folder later).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from cnnbook.cli import OneLineParser, saved_line
from cnnbook.mnist_files import MNIST_FILES, md5_of, raw_dir


def copy_checked(source_dir: Path, target: Path) -> list[Path]:
    """Copy the four files from ``source_dir`` to ``target`` after checking their md5 sums."""
    for name, md5 in MNIST_FILES.items():
        path = source_dir / name
        if not path.is_file():
            raise ValueError(f"--from：{source_dir} 里没有 {name}")
        if md5_of(path) != md5:
            raise ValueError(f"--from：{path} 已损坏（md5 不符）")
    target.mkdir(parents=True, exist_ok=True)
    copied = [Path(shutil.copyfile(source_dir / name, target / name)) for name in MNIST_FILES]
    sums = "".join(f"{md5}  {name}\n" for name, md5 in sorted(MNIST_FILES.items()))
    (target / "MD5SUMS").write_text(sums, encoding="utf-8")
    return copied


def download_to(target: Path) -> list[Path]:
    from torchvision import datasets

    with tempfile.TemporaryDirectory() as root:
        try:
            datasets.MNIST(root, train=True, download=True)
            datasets.MNIST(root, train=False, download=True)
        except RuntimeError as error:  # torchvision lists every mirror it tried, line by line
            first_line = str(error).strip().splitlines()[0]
            raise ValueError(f"无法下载 MNIST（{first_line.rstrip(':')}）") from None
        return copy_checked(raw_dir(Path(root)), target)


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(
        prog="tests.mnist_data",
        description="创建测试读取的 MNIST 文件夹：四个原始 .gz 文件经 md5 校验，"
        "旁边写一份 MD5SUMS。",
    )
    parser.add_argument("target", type=Path, metavar="DIR",
                        help="要创建的文件夹，例如 ../shared/data/mnist")  # fmt: skip
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--from", dest="source", type=Path, metavar="DIR",
                        help="已有四个 .gz 文件的文件夹")  # fmt: skip
    source.add_argument("--download", action="store_true", help="用 torchvision 下载")
    args = parser.parse_args(argv)
    try:
        copied = (
            download_to(args.target) if args.download else copy_checked(args.source, args.target)
        )
    except (OSError, ValueError) as error:
        parser.exit(1, f"tests.mnist_data: error: {error}\n")
    for path in copied:
        print(saved_line(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
