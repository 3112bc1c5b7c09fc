from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import free_port
from tests.paths import REPO


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
