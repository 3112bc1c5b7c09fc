"""MNIST: the torchvision way (a ``Dataset`` with per-sample transforms) and the fast way.

The fast way decodes each split once into one normalised tensor and serves mini-batches by
indexing it with a shuffled order, so an epoch costs a few hundred tensor operations instead of
60,000 calls of ``Dataset.__getitem__`` (each building a PIL image and converting it back).

Both ways read the same files from ``<root>/MNIST/raw/``. ``root`` defaults to the environment
variable ``CNN_BOOK_DATA`` or else ``data`` (relative to the working directory). With the four
``.gz`` files present nothing touches the network; otherwise torchvision downloads them (unless
``download=False``), optionally from another ``mirror``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import torch
from torchvision import datasets, transforms
from torchvision.datasets.utils import extract_archive

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
)

TRAIN_SIZE, TEST_SIZE = 60_000, 10_000
VALIDATION_SIZE = 5_000  # held out from the 60,000 training images to choose the best epoch
SPLIT_SEED = 0  # fixed, so every recipe and every seed uses the same validation images


def _dataset_class(mirror: str | None) -> type[datasets.MNIST]:
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
            extract_archive(str(archive), str(archive.parent))
    try:
        return _dataset_class(mirror)(root, train=train, download=download, transform=transform)
    except (RuntimeError, OSError) as error:
        detail = " ".join(str(error).split())[:160]
        raise CnnBookError(f"could not get MNIST into data directory {root}: {detail}") from None
    except (ValueError, AssertionError, IndexError) as error:
        raise CnnBookError(f"data directory {root}: MNIST files are unreadable ({error})") from None


def textbook_transform() -> transforms.Compose:
    """The per-sample transform of the textbook pipeline: PIL image → [0, 1] → normalised."""
    to_unit_range = transforms.ToTensor()  # uint8 PIL image → float (1, 28, 28) in [0, 1]
    standardize = transforms.Normalize(mean=(MNIST_MEAN,), std=(MNIST_STD,))
    return transforms.Compose([to_unit_range, standardize])


def normalize_pixels(pixels: torch.Tensor) -> torch.Tensor:
    """uint8 images (N, 28, 28) or (N, 1, 28, 28) → float32 (N, 1, 28, 28), normalised.

    The same arithmetic as ``ToTensor`` then ``Normalize`` (divide by 255, subtract the mean,
    divide by the std), so both pipelines give bit-identical inputs.
    """
    if pixels.dtype != torch.uint8:
        raise CnnBookError(f"pixels must be uint8, got {pixels.dtype}")
    if pixels.dim() == 3:
        pixels = pixels.unsqueeze(1)
    if pixels.dim() != 4 or pixels.shape[1] != 1:
        raise CnnBookError(
            f"pixels must have shape (N, 28, 28) or (N, 1, 28, 28), got {tuple(pixels.shape)}"
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
                f"images and labels differ in length: "
                f"{self.images.shape[0]} vs {self.labels.shape[0]}"
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
    """The fast path: decode a split once (torchvision reads the idx file into one uint8 tensor)
    and normalise all of it at once."""
    dataset = mnist_dataset(root, train=train, download=download, mirror=mirror)
    return TensorDigits(normalize_pixels(dataset.data), dataset.targets.clone())


def validation_split(
    total: int = TRAIN_SIZE, validation_size: int = VALIDATION_SIZE, seed: int = SPLIT_SEED
) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices ``(train, validation)`` of a fixed random split of ``total`` training images."""
    if not 0 <= validation_size < total:
        raise CnnBookError(f"validation_size must be in [0, {total}), got {validation_size}")
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
        raise CnnBookError(f"batch_size must be at least 1, got {batch_size}")
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
        raise CnnBookError(f"batch_size must be at least 1, got {batch_size}")
    for start in range(0, len(digits), batch_size):
        yield digits.images[start : start + batch_size], digits.labels[start : start + batch_size]
