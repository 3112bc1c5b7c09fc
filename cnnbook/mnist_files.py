"""MNIST facts that need no PyTorch: the files, their md5 sums, the data directory, the pixel
statistics, unpacking the ``.gz`` files.

``cnnbook.data`` reads the files; the commands use this module first, so that a wrong data
directory is reported at once, before the (slow) import of PyTorch.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
from pathlib import Path

from cnnbook.errors import CnnBookError

DATA_ENV = "CNN_BOOK_DATA"
IMAGE_SIZE = 28
NUM_CLASSES = 10
# Mean and standard deviation of all 60,000 × 784 training pixels scaled to [0, 1]; the chapter's
# snippet computes them (0.13066…, 0.30811…) and tests/test_lenet_data.py checks these roundings.
MNIST_MEAN = 0.1307
MNIST_STD = 0.3081
# The four original files and the md5 sums torchvision checks (torchvision.datasets.MNIST).
MNIST_FILES = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}


def default_data_root() -> Path:
    """``$CNN_BOOK_DATA`` if set, else ``data`` in the working directory."""
    return Path(os.environ.get(DATA_ENV) or "data")


def raw_dir(root: Path) -> Path:
    """Where torchvision keeps the files: ``<root>/MNIST/raw``."""
    return root / "MNIST" / "raw"


def split_files(root: Path, train: bool) -> tuple[Path, Path]:
    """The unpacked image and label files of one split (torchvision's names)."""
    prefix = "train" if train else "t10k"
    folder = raw_dir(root)
    return folder / f"{prefix}-images-idx3-ubyte", folder / f"{prefix}-labels-idx1-ubyte"


def md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_data_dir(root: Path) -> None:
    """Raise ``CnnBookError`` unless ``root`` may be used as a data directory."""
    if root.exists() and not root.is_dir():
        raise CnnBookError(f"数据目录 {root} 已存在，但不是目录")


def archives_to_unpack(root: Path) -> list[Path]:
    """The ``.gz`` files that still have to be unpacked, after checking that every file is there
    (unpacked, or as a ``.gz`` with the right md5); ``CnnBookError`` if one is missing or bad."""
    check_data_dir(root)
    pending = []
    for name, md5 in MNIST_FILES.items():
        archive = raw_dir(root) / name
        if archive.with_suffix("").is_file():
            continue
        if not archive.is_file():
            raise CnnBookError(
                f"数据目录 {root} 里没有 MNIST：缺少 {archive.with_suffix('')}（或 {name}），"
                f"又不允许下载（允许下载，或把环境变量 {DATA_ENV} 设为含有 MNIST/raw/ 的目录）"
            )
        if md5_of(archive) != md5:
            raise CnnBookError(f"数据目录 {root}：{archive} 已损坏（md5 不符）")
        pending.append(archive)
    return pending


def unpack(archive: Path) -> Path:
    """Unpack ``name.gz`` beside itself as ``name`` (written under a temporary name first, so an
    interrupted run never leaves a half-written file that looks complete)."""
    target = archive.with_suffix("")
    partial = target.with_name(target.name + ".partial")
    try:
        with gzip.open(archive, "rb") as source, partial.open("wb") as sink:
            shutil.copyfileobj(source, sink, 1 << 20)
    except (OSError, EOFError) as error:
        partial.unlink(missing_ok=True)
        raise CnnBookError(f"无法解压 {archive}（{type(error).__name__}）") from None
    partial.replace(target)
    return target
