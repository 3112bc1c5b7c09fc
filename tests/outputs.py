"""Running snippets and comparing their output with the stored ``.out`` files.

Output is compared character for character. What a snippet needs and which of its numbers may
vary from machine to machine (training results, timings) is declared outside the snippet, in
``tests/output_rules.toml`` (its header explains the format), so the code a reader copies
carries no test markers:

* ``data = ["mnist"]``: the snippet's empty working directory gets ``data/MNIST/raw/`` with the
  four original MNIST ``.gz`` files (copied from ``../shared/data/mnist``), so its ordinary
  ``datasets.MNIST("data", download=True)`` finds them, checks their md5 and never downloads
  (any download would go to a closed local port, see ``OFFLINE``, and fail at once);
* ``varies = [{ text = "validation accuracy {}%", abs = 0.6 }]``: only the numbers that such a
  template marks may differ, within the stated tolerance, and only if they have a decimal
  point; everything else, integers included, must match exactly.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tests.paths import REPO, SHARED

RULES_FILE = Path(__file__).with_name("output_rules.toml")
KNOWN_DATA = {"mnist"}
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
class Varies:
    """Numbers that may differ: those ``text`` marks with ``{}``, within the tolerance."""

    text: str
    rel: float = 0.0
    abs: float = 0.0

    def __post_init__(self) -> None:
        if self.text.count("{}") != 1:
            raise ValueError(f"varies: {self.text!r} must mark exactly one number with {{}}")
        if self.rel < 0 or self.abs < 0 or self.rel == self.abs == 0:
            raise ValueError(f"varies: {self.text!r} needs rel > 0 or abs > 0")

    @property
    def pattern(self) -> re.Pattern[str]:
        before, after = (re.escape(part).replace(r"\ ", r"\s+") for part in self.text.split("{}"))
        return re.compile(f"{before}({NUMBER.pattern}){after}")

    def allows(self, stored: float, fresh: float) -> bool:
        return math.isclose(stored, fresh, rel_tol=self.rel, abs_tol=self.abs)


@dataclass(frozen=True)
class Rules:
    data: frozenset[str] = frozenset()
    varies: tuple[Varies, ...] = ()


def parse_rules(table: dict) -> dict[str, Rules]:
    rules = {}
    for path, entry in table.items():
        unknown = set(entry) - {"data", "varies"}
        if unknown:
            raise ValueError(f"{path}: unknown setting(s) {sorted(unknown)} (known: data, varies)")
        data = frozenset(entry.get("data", []))
        if data - KNOWN_DATA:
            raise ValueError(f"{path}: unknown data set(s) {sorted(data - KNOWN_DATA)}")
        rules[path] = Rules(data, tuple(Varies(**item) for item in entry.get("varies", [])))
    return rules


@cache
def all_rules() -> dict[str, Rules]:
    return parse_rules(tomllib.loads(RULES_FILE.read_text(encoding="utf-8")))


def rules_for(path: Path) -> Rules:
    """The rules ``tests/output_rules.toml`` gives the file at ``path`` (none: exact, no data;
    a file outside the repository, such as an unzipped copy, has none)."""
    resolved = path.resolve()
    if not resolved.is_relative_to(REPO):
        return Rules()
    return all_rules().get(resolved.relative_to(REPO).as_posix(), Rules())


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


def prepare_data(rules: Rules, cwd: Path) -> None:
    """Give ``cwd`` the data sets the rules name (``./data`` for MNIST)."""
    if "mnist" in rules.data:
        prepare_mnist(cwd / "data")


def tolerant_spans(line: str, varies: tuple[Varies, ...]) -> dict[tuple[int, int], Varies]:
    """Where in ``line`` the templates mark a number that may vary."""
    spans = {}
    for rule in varies:
        for match in rule.pattern.finditer(line):
            spans[match.span(1)] = rule
    return spans


def decimals(token: str) -> int | None:
    """Digits after the decimal point (None for an integer, which never varies)."""
    mantissa = re.split("[eE]", token)[0]
    return len(mantissa.split(".")[1]) if "." in mantissa else None


def line_mismatch(old: str, new: str, varies: tuple[Varies, ...]) -> str | None:
    """Why ``new`` does not match the stored line ``old`` (None if it does)."""
    if old == new:
        return None
    if NUMBER.sub("#", old) != NUMBER.sub("#", new):
        return "the text differs"
    spans = tolerant_spans(old, varies)
    old_numbers, new_numbers = list(NUMBER.finditer(old)), list(NUMBER.finditer(new))
    for stored, fresh in zip(old_numbers, new_numbers, strict=True):
        a, b = stored.group(), fresh.group()
        if a == b:
            continue
        rule = spans.get(stored.span())
        if rule is None:
            return f"{a} became {b} (no varies template marks it)"
        if decimals(a) is None or decimals(a) != decimals(b):
            return f"{a} became {b} (an integer, or another format)"
        if not rule.allows(float(a.replace(",", "")), float(b.replace(",", ""))):
            return f"{a} became {b}, outside {rule}"
    return None


def mismatch(stored: str, fresh: str, varies: tuple[Varies, ...] = ()) -> str | None:
    """None if ``fresh`` matches ``stored``; otherwise a description of the first difference."""
    if stored == fresh:
        return None
    stored_lines, fresh_lines = stored.splitlines(), fresh.splitlines()
    if len(stored_lines) != len(fresh_lines):
        return f"{len(fresh_lines)} lines instead of {len(stored_lines)}"
    for number, (old, new) in enumerate(zip(stored_lines, fresh_lines, strict=True), start=1):
        problem = line_mismatch(old, new, varies)
        if problem is not None:
            return f"line {number}: {problem}\n  stored: {old}\n  fresh:  {new}"
    if stored.endswith("\n") != fresh.endswith("\n"):
        return "trailing newline differs"
    if line_endings(stored) != line_endings(fresh):
        return "the line endings differ"
    return None


def line_endings(text: str) -> list[str]:
    return [line[len(line.rstrip("\r\n")) :] for line in text.splitlines(keepends=True)]


def unused_templates(stored: str, varies: tuple[Varies, ...]) -> list[str]:
    """Templates that mark no number of the stored output (stale rules)."""
    return [rule.text for rule in varies if not rule.pattern.search(stored)]


def run_snippet(path: Path, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run a snippet the way a reader would: a fresh interpreter, an empty directory.

    ``-I`` (isolated mode) keeps the repository off ``sys.path``, so a snippet that imports a
    project module instead of being self-contained fails here. Data sets its rules name are
    put into ``cwd`` first.
    """
    rules = rules_for(path)
    prepare_data(rules, cwd)
    env = {**os.environ, "MPLBACKEND": "Agg", **(DATA_SNIPPET_ENV if rules.data else {})}
    return subprocess.run(
        [sys.executable, "-I", str(path)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
