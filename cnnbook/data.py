"""MNIST: the torchvision way (a ``Dataset`` with per-sample transforms) and the fast way.

The fast way decodes each split once into one normalised tensor and serves mini-batches by
indexing it with a shuffled order, so an epoch costs a few hundred tensor operations instead of
60,000 calls of ``Dataset.__getitem__`` (each building a PIL image and converting it back).
It reads the idx files itself (a 16-byte header, then the pixels): the same bytes torchvision
decodes, without importing torchvision, which pulls in much of ``torch._dynamo`` and costs a
second or more at every start of a program.

Both ways read the same files from ``<root>/MNIST/raw/``. ``root`` defaults to the environment
variable ``CNN_BOOK_DATA`` or else ``data`` (relative to the working directory). With the four
``.gz`` files present nothing touches the network; otherwise torchvision downloads them (unless
``download=False``), optionally from another ``mirror``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from cnnbook.errors import CnnBookError
from cnnbook.mnist_files import (  # noqa: F401  (re-exported for users of cnnbook.data)
    DATA_ENV,
    IMAGE_SIZE,
    MNIST_FILES,
    MNIST_MEAN,
    MNIST_STD,
    NUM_CLASSES,
    archives_to_unpack,
    check_data_dir,
    default_data_root,
    split_files,
    unpack,
)

if TYPE_CHECKING:  # torchvision is imported only by the textbook pipeline and for downloads
    from torchvision import datasets, transforms

TRAIN_SIZE, TEST_SIZE = 60_000, 10_000
VALIDATION_SIZE = 5_000  # held out from the 60,000 training images to choose the best epoch
SPLIT_SEED = 0  # fixed, so every recipe and every seed uses the same validation images
IDX_MAGIC = {3: 0x0803, 1: 0x0801}  # unsigned bytes, 3 dimensions (images) or 1 (labels)


def _dataset_class(mirror: str | None) -> type[datasets.MNIST]:
    from torchvision import datasets

    if mirror is None:
        return datasets.MNIST
    base = mirror if mirror.endswith("/") else mirror + "/"
    # the subclass keeps the name MNIST: torchvision derives the folder MNIST/raw from it
    return type("MNIST", (datasets.MNIST,), {"mirrors": [base]})


def mnist_dataset(
    root: str | Path | None = None,
    *,
    train: bool = True,
    download: bool = True,
    transform: object | None = None,
    mirror: str | None = None,
) -> datasets.MNIST:
    """``torchvision.datasets.MNIST`` for ``root``, turning every failure into one clear line.

    ``download=False`` never uses the network: it only unpacks ``.gz`` files already in
    ``<root>/MNIST/raw`` (after checking their md5). ``mirror`` replaces torchvision's download
    addresses (a base URL ending in ``/``).
    """
    root = default_data_root() if root is None else Path(root)
    check_data_dir(root)
    if not download:  # unpack verified local archives; torchvision would try to download
        for archive in archives_to_unpack(root):
            unpack(archive)
    dataset_class = _dataset_class(mirror)
    try:
        return dataset_class(root, train=train, download=download, transform=transform)
    except (RuntimeError, OSError) as error:
        detail = " ".join(str(error).split())[:160]
        raise CnnBookError(f"无法把 MNIST 下载到数据目录 {root}：{detail}") from None
    except (ValueError, AssertionError, IndexError, TypeError) as error:
        raise CnnBookError(f"数据目录 {root}：MNIST 文件无法读取（{error}）") from None


def mnist_files_ready(
    root: str | Path | None = None, *, download: bool = True, mirror: str | None = None
) -> Path:
    """Make sure the four unpacked files are in ``<root>/MNIST/raw`` and return ``root``:
    unpack verified ``.gz`` files, and download (through torchvision) only what is missing."""
    root = default_data_root() if root is None else Path(root)
    try:
        pending = archives_to_unpack(root)
    except CnnBookError:
        if not download:
            raise
        mnist_dataset(root, train=True, download=True, mirror=mirror)  # downloads and unpacks
        mnist_dataset(root, train=False, download=True, mirror=mirror)
        pending = archives_to_unpack(root)
    for archive in pending:
        unpack(archive)
    return root


def read_idx(path: Path, dimensions: int) -> torch.Tensor:
    """An idx file of unsigned bytes as a uint8 tensor (N, 28, 28) or (N,), as torchvision reads
    it: a big-endian header (magic number, then one 32-bit size per dimension), then the data."""
    raw = np.fromfile(path, dtype=np.uint8)
    header = 4 * (dimensions + 1)
    if raw.size < header:
        raise CnnBookError(f"MNIST 文件 {path} 不完整（只有 {raw.size} 字节）")
    magic, *shape = (int(v) for v in raw[:header].view(">u4"))
    if magic != IDX_MAGIC[dimensions] or raw.size != header + int(np.prod(shape)):
        raise CnnBookError(f"MNIST 文件 {path} 已损坏（文件头与大小不符）")
    return torch.from_numpy(raw[header:]).view(*shape)


def read_split(
    root: str | Path | None = None, *, train: bool = True, download: bool = True,
    mirror: str | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:  # fmt: skip
    """The raw pixels (N, 28, 28) uint8 and labels (N,) int64 of one split: exactly
    ``torchvision.datasets.MNIST(root, train=train).data`` and ``.targets``."""
    images_file, labels_file = split_files(mnist_files_ready(root, download=download,
                                                             mirror=mirror), train)  # fmt: skip
    images, labels = read_idx(images_file, 3), read_idx(labels_file, 1).long()
    if images.shape[0] != labels.shape[0] or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise CnnBookError(f"MNIST 文件 {images_file} 与 {labels_file} 的大小不匹配")
    return images, labels


def textbook_transform() -> transforms.Compose:
    """The per-sample transform of the textbook pipeline: PIL image → [0, 1] → normalised."""
    from torchvision import transforms

    to_unit_range = transforms.ToTensor()  # uint8 PIL image → float (1, 28, 28) in [0, 1]
    standardize = transforms.Normalize(mean=(MNIST_MEAN,), std=(MNIST_STD,))
    return transforms.Compose([to_unit_range, standardize])


def normalize_pixels(pixels: torch.Tensor) -> torch.Tensor:
    """uint8 images (N, 28, 28) or (N, 1, 28, 28) → float32 (N, 1, 28, 28), normalised.

    The same arithmetic as ``ToTensor`` then ``Normalize`` (divide by 255, subtract the mean,
    divide by the std), so both pipelines give bit-identical inputs.
    """
    if pixels.dtype != torch.uint8:
        raise CnnBookError(f"pixels 必须是 uint8，得到 {pixels.dtype}")
    if pixels.dim() == 3:
        pixels = pixels.unsqueeze(1)
    if pixels.dim() != 4 or pixels.shape[1] != 1:
        raise CnnBookError(
            f"pixels 的形状必须是 (N, 28, 28) 或 (N, 1, 28, 28)，得到 {tuple(pixels.shape)}"
        )
    return pixels.float().div_(255).sub_(MNIST_MEAN).div_(MNIST_STD)


@dataclass(frozen=True)
class TensorDigits:
    """A whole split in memory: normalised ``images`` (N, 1, 28, 28) and int64 ``labels`` (N,)."""

    images: torch.Tensor
    labels: torch.Tensor

    def __post_init__(self) -> None:
        if self.images.shape[0] != self.labels.shape[0]:
            raise CnnBookError(
                f"images 与 labels 的个数不同："
                f"{self.images.shape[0]} 对 {self.labels.shape[0]}"
            )

    def __len__(self) -> int:
        return self.labels.shape[0]

    def subset(self, indices: torch.Tensor) -> TensorDigits:
        return TensorDigits(self.images[indices], self.labels[indices])

    def to(self, device: torch.device | str, memory_format=torch.contiguous_format) -> TensorDigits:
        images = self.images.to(device).contiguous(memory_format=memory_format)
        return TensorDigits(images, self.labels.to(device))


def load_digits(
    root: str | Path | None = None,
    *,
    train: bool = True,
    download: bool = True,
    mirror: str | None = None,
) -> TensorDigits:
    """The fast path: decode a split once (``read_split``) and normalise all of it at once."""
    pixels, labels = read_split(root, train=train, download=download, mirror=mirror)
    return TensorDigits(normalize_pixels(pixels), labels)


def validation_split(
    total: int = TRAIN_SIZE, validation_size: int = VALIDATION_SIZE, seed: int = SPLIT_SEED
) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices ``(train, validation)`` of a fixed random split of ``total`` training images."""
    if not 0 <= validation_size < total:
        raise CnnBookError(f"validation_size 必须在 [0, {total}) 之内，得到 {validation_size}")
    order = torch.randperm(total, generator=torch.Generator().manual_seed(seed))
    return order[validation_size:], order[:validation_size]


def shuffled_batches(
    digits: TensorDigits,
    batch_size: int,
    generator: torch.Generator,
    indices: torch.Tensor | None = None,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """One epoch of mini-batches in a fresh random order (the last batch may be smaller).

    ``indices`` restricts the epoch to those images (e.g. the training part of a split)
    without copying them out first: batch k holds ``indices[order[k·B : (k+1)·B]]``.
    """
    if batch_size < 1:
        raise CnnBookError(f"batch_size 至少为 1，得到 {batch_size}")
    count = len(digits) if indices is None else len(indices)
    order = torch.randperm(count, generator=generator)
    if indices is not None:
        order = indices[order]
    for start in range(0, count, batch_size):
        chosen = order[start : start + batch_size]
        yield digits.images[chosen], digits.labels[chosen]


def batches_in_order(
    digits: TensorDigits, batch_size: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Consecutive slices (views, no copy) for evaluation."""
    if batch_size < 1:
        raise CnnBookError(f"batch_size 至少为 1，得到 {batch_size}")
    for start in range(0, len(digits), batch_size):
        yield digits.images[start : start + batch_size], digits.labels[start : start + batch_size]
