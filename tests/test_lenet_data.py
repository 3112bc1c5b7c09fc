"""Chapter 9: reading MNIST — the files, the normalisation, both pipelines, bad data."""

from __future__ import annotations

import gzip
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from cnnbook import data as mnist
from cnnbook.errors import CnnBookError
from cnnbook.model import LeNet
from cnnbook.training import FAST, Recipe, accuracy, train
from tests.lenet_common import CHAPTER, GROUP, stored_output
from tests.outputs import OFFLINE, prepare_mnist, rules_for
from tests.paths import REPO

pytestmark = GROUP

TWO_DIGITS = mnist.TensorDigits(torch.zeros(2, 1, 28, 28), torch.zeros(2, dtype=torch.int64))


def test_snippets_declare_the_data_they_need(tmp_path: Path) -> None:
    for snippet in CHAPTER.glob("*.py"):  # exactly the files that open MNIST declare it
        source = snippet.read_text(encoding="utf-8")
        assert ("datasets.MNIST(" in source) == (rules_for(snippet).data == {"mnist"}), snippet
    root = prepare_mnist(tmp_path / "data")
    raw = root / "MNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(mnist.MNIST_FILES)
    assert mnist.archives_to_unpack(root) == [raw / name for name in mnist.MNIST_FILES]
    from torchvision import datasets

    assert dict(datasets.MNIST.resources) == mnist.MNIST_FILES  # the md5 torchvision checks


def test_normalisation_constants_are_the_training_set_statistics(mnist_root: Path) -> None:
    pixels, _ = mnist.read_split(mnist_root, download=False)
    values = pixels.to(torch.int64)
    count = values.numel()
    mean = values.sum().item() / count / 255
    std = math.sqrt((values**2).sum().item() / count / 255**2 - mean**2)
    assert (round(mean, 4), round(std, 4)) == (mnist.MNIST_MEAN, mnist.MNIST_STD)
    stored = stored_output("normalization.out")
    assert f"像素个数: {count:,}  均值: {mean:.6f}  标准差: {std:.6f}" in stored
    assert f"保留四位小数: ({mean:.4f}, {std:.4f})" in stored


def test_our_reader_gives_torchvisions_tensors(mnist_root: Path) -> None:
    from torchvision import datasets

    for train_split in (True, False):
        pixels, labels = mnist.read_split(mnist_root, train=train_split, download=False)
        theirs = datasets.MNIST(mnist_root, train=train_split, download=False)
        assert torch.equal(pixels, theirs.data) and torch.equal(labels, theirs.targets)
        assert labels.dtype == theirs.targets.dtype == torch.int64


def test_both_pipelines_give_identical_inputs(mnist_root: Path) -> None:
    dataset = mnist.mnist_dataset(mnist_root, transform=mnist.textbook_transform(), download=False)
    tensors = mnist.load_digits(mnist_root, download=False)
    for index in (0, 1234, 59_999):
        image, label = dataset[index]
        assert torch.equal(image, tensors.images[index]) and label == tensors.labels[index]


def test_the_fast_path_never_imports_torchvision(mnist_root: Path) -> None:
    """The fast recipe reads the idx files itself: a whole fast training never loads
    torchvision (whose import also runs torchvision's own registrations and C++ ops)."""
    code = (
        "import sys\nfrom cnnbook.training import FAST, train\n"
        f"train(FAST, root={str(mnist_root)!r}, epochs=1, train_samples=256, download=False)\n"
        "print('torchvision' in sys.modules)"
    )
    env = {**OFFLINE, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, check=False, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["False"]


def test_shuffled_batches_cover_the_indices_once() -> None:
    digits_ = mnist.TensorDigits(torch.arange(10.0).reshape(10, 1, 1, 1), torch.arange(10))
    chosen = torch.tensor([9, 3, 4, 0, 7])
    seen = [y for _, labels in mnist.shuffled_batches(digits_, 2, torch.Generator(), chosen)
            for y in labels.tolist()]  # fmt: skip
    assert sorted(seen) == sorted(chosen.tolist())
    assert [len(y) for _, y in mnist.batches_in_order(digits_, 4)] == [4, 4, 2]


def test_validation_split_is_fixed_and_disjoint() -> None:
    train_ids, val_ids = mnist.validation_split()
    again_train, _ = mnist.validation_split()
    assert len(val_ids) == mnist.VALIDATION_SIZE
    assert len(train_ids) == mnist.TRAIN_SIZE - mnist.VALIDATION_SIZE
    assert torch.equal(train_ids, again_train)
    assert len(set(train_ids.tolist()) | set(val_ids.tolist())) == mnist.TRAIN_SIZE


def test_the_snippets_use_the_same_split() -> None:
    """Every snippet that holds out validation images draws the split cnnbook draws."""
    split = "torch.randperm(60_000, generator=torch.Generator().manual_seed(0))"
    for name in ("textbook_training.py", "fast_recipe.py", "best_checkpoint.py"):
        source = (CHAPTER / name).read_text(encoding="utf-8")
        assert split in source and "order[:5_000]" in source, name
    assert (mnist.TRAIN_SIZE, mnist.VALIDATION_SIZE, mnist.SPLIT_SEED) == (60_000, 5_000, 0)


@pytest.mark.parametrize(
    ("call", "complaint"),
    [
        (lambda: mnist.validation_split(100, 100), "validation_size"),
        (lambda: list(mnist.batches_in_order(TWO_DIGITS, 0)), "batch_size"),
        (lambda: list(mnist.shuffled_batches(TWO_DIGITS, 0, torch.Generator())), "batch_size"),
        (lambda: mnist.normalize_pixels(torch.zeros(2, 28, 28)), "pixels 必须是 uint8"),
        (lambda: mnist.normalize_pixels(torch.zeros(2, 3, 28, 28, dtype=torch.uint8)), "形状"),
        (lambda: mnist.TensorDigits(torch.zeros(3), torch.zeros(2)), "个数不同"),
        (lambda: LeNet(channels=(6,)), "channels"),
        (lambda: LeNet(num_classes=1), "num_classes"),
        (lambda: Recipe("x", "tensors", 0, 1, "adam", 0.1), "batch_size"),
        (lambda: Recipe("x", "pipes", 8, 1, "adam", 0.1), "pipeline"),
        (lambda: Recipe("x", "tensors", 8, 1, "adam", 0.1, label_smoothing=1.0), "label_smoothing"),
        (lambda: Recipe("x", "tensors", 8, 1, "adam", 0.1, weight_decay=-1.0), "weight_decay"),
        (lambda: accuracy(torch.zeros(3), torch.zeros(2)), "形状必须相同"),
        (lambda: train(FAST, train_samples=0), "train_samples"),
        (lambda: train(FAST, seed=2**64), "seed"),
        (lambda: train(FAST, seed=-1), "seed"),
    ],
)  # fmt: skip
def test_bad_arguments_name_themselves(call, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        call()


def test_missing_data_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CnnBookError, match="里没有 MNIST"):
        mnist.load_digits(tmp_path, download=False)
    (tmp_path / "file").write_text("x")
    with pytest.raises(CnnBookError, match="不是目录"):
        mnist.load_digits(tmp_path / "file", download=False)
    raw = tmp_path / "broken" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in mnist.MNIST_FILES:
        (raw / name).write_bytes(b"not a gzip file")
    with pytest.raises(CnnBookError, match="已损坏（md5 不符）"):
        mnist.load_digits(tmp_path / "broken", download=False)


def test_damaged_idx_files_are_refused(tmp_path: Path, mnist_root: Path) -> None:
    """A file with the right name but a wrong header or a wrong length is one clear error."""
    root = tmp_path / "data"
    images, labels = mnist.split_files(root, train=False)
    images.parent.mkdir(parents=True)
    source_images, source_labels = mnist.split_files(mnist_root, train=False)
    mnist.read_split(mnist_root, train=False, download=False)  # unpacks the originals
    for name in mnist.MNIST_FILES:  # the training files: present, so only the test split is read
        (images.parent / name.removesuffix(".gz")).write_bytes(b"")
    labels.write_bytes(source_labels.read_bytes())
    images.write_bytes(source_images.read_bytes()[:-28])  # one row short
    with pytest.raises(CnnBookError, match="已损坏"):
        mnist.read_split(root, train=False, download=False)
    images.write_bytes(b"\x00\x00\x08\x01" + source_images.read_bytes()[4:])  # a label's magic
    with pytest.raises(CnnBookError, match="已损坏"):
        mnist.read_split(root, train=False, download=False)
    images.write_bytes(b"\x00\x00")
    with pytest.raises(CnnBookError, match="不完整"):
        mnist.read_split(root, train=False, download=False)


def test_unpacking_checks_the_archive_and_leaves_no_partial_file(tmp_path: Path) -> None:
    archive = tmp_path / "t10k-labels-idx1-ubyte.gz"
    archive.write_bytes(gzip.compress(b"\x00\x00\x08\x01" + bytes(8))[:-6])  # truncated
    with pytest.raises(CnnBookError, match="无法解压"):
        mnist.unpack(archive)
    assert sorted(p.name for p in tmp_path.iterdir()) == [archive.name]
    archive.write_bytes(gzip.compress(b"payload"))
    assert mnist.unpack(archive).read_bytes() == b"payload"


def test_the_pipeline_figures_in_the_snippet() -> None:
    """The counts the data-pipeline snippet prints follow from the sizes it uses."""
    stored = stored_output("data_pipelines.out")
    loader_batches = math.ceil(mnist.TRAIN_SIZE / 64)
    tensor_batches = math.ceil(mnist.TRAIN_SIZE / FAST.batch_size)
    mib = mnist.TRAIN_SIZE * 28 * 28 * 4 / 2**20
    assert f"一轮 {loader_batches} 批；前 100 批调用了 {100 * 64:,} 次变换" in stored
    assert f"一轮 {tensor_batches} 批，内存里的 float32 共 {mib:.1f} MiB" in stored
    assert re.search(r"逐位相同: True$", stored, re.MULTILINE)
