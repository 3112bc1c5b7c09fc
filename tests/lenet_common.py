"""What chapter 9's test modules (tests/test_lenet_*.py) share: paths, the stored runs and
results, and one real training run of the fast recipe per test process.

The run is cached here rather than in a fixture because a session fixture imported into
several modules would be computed once per module; each module's fixture calls
``trained_fast_run`` instead. All chapter-9 modules carry ``xdist_group("lenet")``, so one
worker runs them and trains once.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
import torch

from cnnbook.training import FAST, TrainingRun, train
from tests.helpers import one_thread, page
from tests.paths import REPO, SNIPPETS

GROUP = pytest.mark.xdist_group("lenet")  # one worker trains once for all chapter-9 tests
CHAPTER = SNIPPETS / "lenet"
RUNS = CHAPTER / "runs"
PAGE_PATH = "lenet-mnist.md"
BENCHMARK = REPO / "benchmarks" / "results" / "lenet_recipes"


def lenet_page() -> str:
    return page(PAGE_PATH)


def stored_run(recipe: str) -> dict:
    """``snippets/lenet/runs/<recipe>.json``: one stored run (``cnnbook.train --history``)."""
    return json.loads((RUNS / f"{recipe}.json").read_text(encoding="utf-8"))


def stored_results(name: str) -> dict:
    """``snippets/lenet/runs/<name>.json``: the stored multi-seed results."""
    return json.loads((RUNS / f"{name}.json").read_text(encoding="utf-8"))


def stored_output(name: str) -> str:
    return (CHAPTER / name).read_text(encoding="utf-8")


@functools.cache
def trained_fast_run(root: Path) -> TrainingRun:
    """The fast recipe, seed 0, two epochs on the real files, one intra-op thread (as stored)."""
    with one_thread():
        return train(FAST, root=root, seed=0, download=False)


@functools.cache
def mnist_test_split(root: Path):
    """The 10,000 test digits, normalised (``cnnbook.data.load_digits``)."""
    from cnnbook.data import load_digits

    return load_digits(root, train=False, download=False)


def as_pixels(images: torch.Tensor) -> torch.Tensor:
    """Normalised images (N, 1, 28, 28) back to uint8 pixels (N, 28, 28)."""
    from cnnbook.data import MNIST_MEAN, MNIST_STD

    return ((images[:, 0] * MNIST_STD + MNIST_MEAN) * 255).round().clamp(0, 255).to(torch.uint8)
