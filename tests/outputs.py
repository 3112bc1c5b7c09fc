"""Running snippets and comparing their output with the stored ``.out`` files.

Output is compared exactly by default. A snippet whose output holds timings or training numbers
declares a tolerance in a comment line::

    # output-tolerance: rel=0.2 abs=0.5

Then every line must keep its text exactly, and each number in it may differ from the stored one
by at most ``max(rel * |stored|, abs)``.

A snippet that reads a data set declares it in a comment line, e.g. ``# needs-data: mnist``. The
snippet's empty working directory then gets ``data/MNIST/raw/`` with the four original MNIST
``.gz`` files (copied from ``../shared/data/mnist``), so its ordinary
``datasets.MNIST("data", download=True)`` finds them, checks their md5 and never downloads
(any download would go to a closed local port, see ``OFFLINE``, and fail at once).
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.paths import SHARED

DIRECTIVE = re.compile(r"^\s*#\s*output-tolerance:(?P<spec>.*)$", re.MULTILINE)
SETTING = re.compile(r"^(rel|abs)=([0-9.eE+-]+)$")
DATA_DIRECTIVE = re.compile(
    r"^\s*#\s*needs-data:\s*(?P<names>[A-Za-z0-9_]+(?:[ ,]+[A-Za-z0-9_]+)*)", re.MULTILINE
)
MNIST_SOURCE = SHARED / "data" / "mnist"
MNIST_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
# Proxies on a closed local port: a snippet that tried to download would fail at once.
OFFLINE = {
    name: "http://127.0.0.1:9"
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")
}
# Snippets that read a data set train networks: one intra-op thread each, so that two test
# workers on two cores do not oversubscribe them (their outputs hold for any thread count).
DATA_SNIPPET_ENV = {**OFFLINE, "OMP_NUM_THREADS": "1"}
NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?")


@dataclass(frozen=True)
class Tolerance:
    rel: float = 0.0
    abs: float = 0.0

    def allows(self, stored: float, fresh: float) -> bool:
        return math.isclose(stored, fresh, rel_tol=self.rel, abs_tol=self.abs)


def read_tolerance(source: str) -> Tolerance | None:
    """The tolerance a snippet declares, or None for exact comparison."""
    match = DIRECTIVE.search(source)
    if match is None:
        return None
    values = {}
    for item in match["spec"].split():
        setting = SETTING.match(item)
        if setting is None:
            raise ValueError(f"output-tolerance: cannot read {item!r} (expected rel=… or abs=…)")
        values[setting[1]] = float(setting[2])
    if not values:
        raise ValueError("output-tolerance: give rel=… and/or abs=…")
    return Tolerance(**values)


def needed_data(source: str) -> set[str]:
    """The data sets a snippet (or notebook) declares with ``# needs-data: …``."""
    names = {
        name
        for match in DATA_DIRECTIVE.finditer(source)
        for name in match["names"].replace(",", " ").split()
    }
    unknown = names - {"mnist"}
    if unknown:
        raise ValueError(f"needs-data: unknown data set(s) {sorted(unknown)} (known: mnist)")
    return names


def prepare_mnist(root: Path) -> Path:
    """Copy the original MNIST files into ``root/MNIST/raw/`` (torchvision's layout); ``root``."""
    missing = [name for name in MNIST_FILES if not (MNIST_SOURCE / name).is_file()]
    if missing:
        raise FileNotFoundError(f"MNIST files missing from {MNIST_SOURCE}: {', '.join(missing)}")
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name in MNIST_FILES:
        shutil.copyfile(MNIST_SOURCE / name, raw / name)
    return root


def prepare_data(source: str, cwd: Path) -> None:
    """Give ``cwd`` the data sets ``source`` declares (``./data`` for MNIST)."""
    if "mnist" in needed_data(source):
        prepare_mnist(cwd / "data")


def numbers(line: str) -> list[float]:
    return [float(token.replace(",", "")) for token in NUMBER.findall(line)]


def mismatch(stored: str, fresh: str, tolerance: Tolerance | None) -> str | None:
    """None if ``fresh`` matches ``stored``; otherwise a description of the first difference."""
    if tolerance is None:
        if stored == fresh:
            return None
        tolerance = Tolerance()  # still report the first differing line
    stored_lines, fresh_lines = stored.splitlines(), fresh.splitlines()
    if len(stored_lines) != len(fresh_lines):
        return f"{len(fresh_lines)} lines instead of {len(stored_lines)}"
    for number, (old, new) in enumerate(zip(stored_lines, fresh_lines, strict=True), start=1):
        if old == new:
            continue
        same_text = NUMBER.sub("#", old) == NUMBER.sub("#", new)
        pairs = list(zip(numbers(old), numbers(new), strict=True)) if same_text else []
        if not same_text or not all(tolerance.allows(a, b) for a, b in pairs):
            return f"line {number}:\n  stored: {old}\n  fresh:  {new}"
    if stored.endswith("\n") != fresh.endswith("\n"):
        return "trailing newline differs"
    return None


def run_snippet(path: Path, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run a snippet the way a reader would: a fresh interpreter, an empty directory.

    ``-I`` (isolated mode) keeps the repository off ``sys.path``, so a snippet that imports a
    project module instead of being self-contained fails here. Data sets the snippet declares
    (``# needs-data: mnist``) are put into ``cwd`` first.
    """
    source = path.read_text(encoding="utf-8")
    prepare_data(source, cwd)
    env = {**os.environ, "MPLBACKEND": "Agg", **(DATA_SNIPPET_ENV if needed_data(source) else {})}
    return subprocess.run(
        [sys.executable, "-I", str(path)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
