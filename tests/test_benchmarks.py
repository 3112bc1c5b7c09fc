"""Benchmarks still run and still write the table their page includes; timings are not judged."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.common import RESULTS_DIR, measure
from tests.outputs import NUMBER
from tests.paths import REPO

BENCHMARKS = sorted(
    path.stem
    for path in (REPO / "benchmarks").glob("*.py")
    if path.stem not in {"__init__", "common"}
)


def shape(table: str) -> str:
    """The table with every number masked: the rows, columns and words a run must reproduce."""
    return re.sub(r"#(?:\s*#)*", "#", NUMBER.sub("#", table))


def test_every_results_file_has_its_benchmark() -> None:
    results = sorted(path.stem for path in RESULTS_DIR.glob("*.md"))
    assert results == BENCHMARKS


@pytest.mark.slow
@pytest.mark.parametrize("name", BENCHMARKS)
def test_benchmark_runs_and_keeps_its_table(name: str, tmp_path: Path) -> None:
    out = tmp_path / f"{name}.md"
    result = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}", "--quick", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    committed = (RESULTS_DIR / f"{name}.md").read_text(encoding="utf-8")
    assert shape(out.read_text(encoding="utf-8")) == shape(committed)


def test_measure_counts_every_repeat() -> None:
    calls = []
    timing = measure(lambda: calls.append(1), warmup=2, repeats=5)
    assert len(calls) == 7 and timing.repeats == 5
    assert timing.fastest <= timing.median <= timing.slowest


@pytest.mark.parametrize(
    ("kwargs", "complaint"), [({"repeats": 0}, "repeats"), ({"warmup": -1}, "warmup")]
)
def test_measure_rejects_bad_counts(kwargs: dict, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        measure(lambda: None, **kwargs)


def test_shape_masks_numbers_but_keeps_words() -> None:
    assert shape("| 3×3 | 1.25 ms | 12,544 |") == shape("| 3×3 | 10.5 ms | 1 |")
    assert shape("| naive | 1 ms |") != shape("| im2col | 1 ms |")
