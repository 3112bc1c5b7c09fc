"""Notebooks in examples/: paired with a .py source, holding real outputs, and still running.

``make notebooks`` rebuilds each .ipynb from its .py and executes it. Here each notebook is run
again (with ``CNN_BOOK_QUICK=1``, which a long notebook may read to train for less time) and
its text outputs are compared with the stored ones. A cell tagged ``varies`` prints numbers that
change from run to run (and, with ``CNN_BOOK_QUICK``, may print fewer lines): its lines are
compared with every number masked, as a set, so its words and layout are still checked; such a
cell checks its own claims with ``assert`` (a failing assert fails the run). A notebook whose
rules in ``tests/output_rules.toml`` name MNIST runs in a directory that already holds
``data/MNIST/raw/`` (the real files, as for snippets), so it never downloads.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from tests.outputs import DATA_SNIPPET_ENV, NUMBER, prepare_data, rules_for
from tests.paths import EXAMPLES

NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


def notebook_id(path: Path) -> str:
    return path.stem


def cells(notebook: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


def text_output(cell: nbformat.NotebookNode) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream" and output.name == "stdout":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def masked_lines(text: str) -> set[str]:
    """The distinct lines of ``text`` with every number replaced by ``#`` and every run of blanks
    by one space (numbers of other widths shift the columns of a table)."""
    return {" ".join(NUMBER.sub("#", line).split()) for line in text.splitlines()}


def test_masked_lines_keep_words_and_drop_numbers() -> None:
    stored = "第 1 轮：验证准确率 98.20%\n第 2 轮：验证准确率 98.84%\n"
    assert masked_lines("第 1 轮：验证准确率 91.5%\n") == masked_lines(stored)
    assert masked_lines("  0   974\n") == masked_lines("  0    97\n")
    assert masked_lines("第 1 轮：validation 91.5%\n") != masked_lines(stored)


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=notebook_id)
def test_cells_equal_the_py_source(notebook: Path) -> None:
    source = notebook.with_suffix(".py")
    assert source.is_file(), f"{notebook.name} has no paired {source.name}"
    assert cells(nbformat.read(notebook, as_version=4)) == cells(jupytext.read(source))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=notebook_id)
def test_stored_outputs_come_from_one_full_run(notebook: Path) -> None:
    code = [c for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert errors == []


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=notebook_id)
def test_notebook_runs_and_reproduces_its_outputs(
    notebook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CNN_BOOK_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    rules = rules_for(notebook.with_suffix(".py"))
    prepare_data(rules, tmp_path)
    if rules.data:  # offline, and one thread (as for snippets that train)
        for name, value in DATA_SNIPPET_ENV.items():
            monkeypatch.setenv(name, value)
    stored = nbformat.read(notebook, as_version=4)
    fresh = nbformat.read(notebook, as_version=4)
    NotebookClient(
        fresh, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    for old, new in zip(stored.cells, fresh.cells, strict=True):
        if old.cell_type != "code":
            continue
        if "varies" in old.metadata.get("tags", []):
            fresh_lines = masked_lines(text_output(new))
            assert fresh_lines == masked_lines(text_output(old)), f"cell changed:\n{old.source}"
        else:
            assert text_output(new) == text_output(old), f"cell changed:\n{old.source}"
