"""Benchmarks still run and still write the table their page includes; timings are not judged."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from benchmarks.common import (
    RESULTS_DIR,
    Result,
    benchmark_cli,
    cpu_model,
    machine_line,
    measure,
    measure_rotated,
)  # fmt: skip
from tests.helpers import chinese_help_problem, help_text
from tests.outputs import NUMBER
from tests.paths import REPO

BENCHMARKS = sorted(
    path.stem
    for path in (REPO / "benchmarks").glob("*.py")
    if path.stem not in {"__init__", "common"}
)


def shape(table: str) -> str:
    """The table with every number and the instruction set masked: the rows, columns and words
    a run must reproduce (``ATEN_CPU_CAPABILITY=default`` writes DEFAULT where AVX512 stood)."""
    table = re.sub(r"使用 [A-Z0-9_]+ 指令集", "使用 ISA 指令集", table)
    return re.sub(r"#(?:\s*#)*", "#", NUMBER.sub("#", table))


@pytest.mark.parametrize("name", BENCHMARKS)
def test_the_help_of_every_benchmark_is_chinese(name: str) -> None:
    text = help_text(importlib.import_module(f"benchmarks.{name}").main)
    assert chinese_help_problem(text) is None, text


def test_a_benchmark_prints_its_table_and_what_it_saved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main = benchmark_cli(lambda quick: Result("| 用时 |\n| 1 s |", {"quick": quick}), "演示")
    out = tmp_path / "demo.md"
    assert main(["--quick", "--out", str(out)]) == 0
    values = out.with_suffix(".json")
    assert json.loads(values.read_text(encoding="utf-8")) == {"quick": True}
    saved = "".join(f"已保存 {p}（{p.stat().st_size:,} 字节）\n" for p in (out, values))
    assert capsys.readouterr().out == "| 用时 |\n| 1 s |\n" + saved


def test_importing_a_benchmark_leaves_the_environment_alone() -> None:
    """A benchmark that set OMP_NUM_THREADS on import would pass it on to every later subprocess
    of the test worker (compression_latency then measured one thread only)."""
    modules = ", ".join(f"benchmarks.{name}" for name in BENCHMARKS)
    check = (  # torch and torchvision first: what they set (an inductor cache path) is theirs
        "import os, torch, torchvision; env = dict(os.environ); "
        f"import {modules}; print(dict(os.environ) == env)"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout == "True\n"


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
    stored_values = RESULTS_DIR / f"{name}.json"
    if stored_values.exists():  # labels, counts and the machine's fields: exactly the same
        fresh = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
        committed_values = json.loads(stored_values.read_text(encoding="utf-8"))
        assert skeleton(fresh) == skeleton(committed_values)


def skeleton(value: object) -> object:
    """A benchmark's values with every measured float masked (timings, ratios); keys, labels
    and integers stay, so a stale label or a changed count is caught."""
    if isinstance(value, dict):
        if "cpu" in value and "isa" in value:  # the machine line: its keys, not its values
            return sorted(value)
        return {key: skeleton(item) for key, item in value.items()}
    if isinstance(value, list):
        return [skeleton(item) for item in value]
    return "#" if isinstance(value, float) else value


MACHINE_LINE = re.compile(
    r"测量环境：.+（\d+ 个核），PyTorch [\d.]+ 使用 (?:AVX512|AVX2|DEFAULT|[A-Z0-9_]+) 指令集、"
    r"\d+ 个线程"
)


@pytest.mark.parametrize("name", BENCHMARKS)
def test_every_table_names_the_cpu_and_instruction_set(name: str) -> None:
    committed = (RESULTS_DIR / f"{name}.md").read_text(encoding="utf-8")
    assert MACHINE_LINE.search(committed), f"{name}.md: no machine line with CPU and ISA"


def test_rotated_cases_take_turns_and_report_the_quietest_round() -> None:
    order: list[str] = []
    timings = measure_rotated(
        {name: (lambda n=name: order.append(n)) for name in "abc"}, rounds=3, warmup=0, repeats=1
    )
    assert order == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]
    for timing in timings.values():
        assert timing.repeats == 3 and timing.fastest <= timing.median <= timing.slowest
    with pytest.raises(ValueError, match="rounds"):
        measure_rotated({"a": lambda: None}, rounds=0)


def test_the_machine_line_names_this_cpu() -> None:
    line = machine_line(1)
    assert MACHINE_LINE.search(line) and cpu_model() in line
    assert torch.backends.cpu.get_cpu_capability() in line


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
    assert shape("PyTorch 2.14 使用 AVX512 指令集") == shape("PyTorch 2.14 使用 DEFAULT 指令集")
    assert shape("| 3×3 | 1.25 ms | 12,544 |") == shape("| 3×3 | 10.5 ms | 1 |")
    assert shape("| naive | 1 ms |") != shape("| im2col | 1 ms |")
