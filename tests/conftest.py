from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from tests.browser import free_port
from tests.outputs import prepare_mnist
from tests.paths import REPO

DATA_ENV = "CNN_BOOK_DATA"  # the data directory cnnbook and the figure modules read


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-outputs",
        action="store_true",
        help="write each snippet's fresh output to its .out file instead of comparing",
    )


@pytest.fixture(scope="session")
def update_outputs(request: pytest.FixtureRequest) -> bool:
    return request.config.getoption("--update-outputs")


def build_site(site_dir: Path, site_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": site_url}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="session")
def site_port() -> int:
    """The port the browser tests serve the site on; the build's site_url names it, because
    Material's instant navigation only intercepts links to URLs listed in the sitemap."""
    return free_port()


@pytest.fixture(scope="session")
def site_build(
    tmp_path_factory: pytest.TempPathFactory, site_port: int
) -> tuple[Path, subprocess.CompletedProcess]:
    """The site built once per test process with ``mkdocs build --strict``."""
    site_dir = tmp_path_factory.mktemp("site")
    return site_dir, build_site(site_dir, f"http://127.0.0.1:{site_port}/")


@pytest.fixture(scope="session")
def site(site_build: tuple[Path, subprocess.CompletedProcess]) -> Path:
    site_dir, result = site_build
    if result.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{result.stderr}")
    return site_dir


@pytest.fixture(scope="session", autouse=True)
def mnist_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The real MNIST files (from ``../shared/data/mnist``) in a fresh data directory, once per
    test process, named by ``$CNN_BOOK_DATA`` for everything the tests start (figure modules,
    ``python -m cnnbook.…``). Tests never download: without the shared files the directory
    stays empty and each test that needs MNIST fails saying so."""
    root = tmp_path_factory.mktemp("mnist") / "data"  # named data: a snippet's MNIST("data")
    root.mkdir()
    with contextlib.suppress(FileNotFoundError):
        prepare_mnist(root)
    previous = os.environ.get(DATA_ENV)
    os.environ[DATA_ENV] = str(root)
    yield root
    if previous is None:
        os.environ.pop(DATA_ENV, None)
    else:
        os.environ[DATA_ENV] = previous


@pytest.fixture(autouse=True)
def torch_defaults_unchanged() -> Iterator[None]:
    """Tests share a process (xdist workers), so a test that changes torch's default dtype
    would silently change every later test; fail the test that does it instead."""
    before = torch.get_default_dtype()
    yield
    after = torch.get_default_dtype()
    torch.set_default_dtype(before)
    assert after == before, f"the test changed torch's default dtype to {after}"
