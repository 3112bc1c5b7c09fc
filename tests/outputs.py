"""Running snippets and comparing their output with the stored ``.out`` files.

Output is compared exactly by default. A snippet whose output holds timings or training numbers
declares a tolerance in a comment line::

    # output-tolerance: rel=0.2 abs=0.5

Then every line must keep its text exactly, and each number in it may differ from the stored one
by at most ``max(rel * |stored|, abs)``.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

DIRECTIVE = re.compile(r"^\s*#\s*output-tolerance:(?P<spec>.*)$", re.MULTILINE)
SETTING = re.compile(r"^(rel|abs)=([0-9.eE+-]+)$")
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
    project module instead of being self-contained fails here.
    """
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-I", str(path)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
