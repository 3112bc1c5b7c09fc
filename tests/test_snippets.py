"""Promises 1–3: every snippet runs on its own, asserts its claims, and prints what the page shows.

``make outputs`` (``pytest tests/test_snippets.py --update-outputs``) rewrites the ``.out`` files.
"""

from pathlib import Path

import pytest

from tests.outputs import all_rules, mismatch, rules_for, run_snippet, unused_templates
from tests.paths import REPO, SNIPPETS

SNIPPET_FILES = sorted(SNIPPETS.rglob("*.py"))


def snippet_id(path: Path) -> str:
    return str(path.relative_to(SNIPPETS))


def test_there_are_snippets() -> None:
    assert len(SNIPPET_FILES) >= 8


@pytest.mark.parametrize("snippet", SNIPPET_FILES, ids=snippet_id)
def test_snippet(snippet: Path, tmp_path: Path, update_outputs: bool) -> None:
    result = run_snippet(snippet, cwd=tmp_path)
    assert result.returncode == 0, f"{snippet_id(snippet)} failed:\n{result.stderr[-3000:]}"
    stored_path = snippet.with_suffix(".out")
    if update_outputs:
        stored_path.write_text(result.stdout, encoding="utf-8")
        return
    assert stored_path.exists(), f"no stored output: run `make outputs` for {snippet_id(snippet)}"
    stored = stored_path.read_text(encoding="utf-8")
    varies = rules_for(snippet).varies
    problem = mismatch(stored, result.stdout, varies)
    assert problem is None, f"{snippet_id(snippet)} differs from {stored_path.name}: {problem}"
    assert unused_templates(stored, varies) == [], "output_rules.toml: templates that mark nothing"


def test_every_output_file_has_its_snippet() -> None:
    orphans = [p for p in SNIPPETS.rglob("*.out") if not p.with_suffix(".py").exists()]
    assert orphans == []


def test_output_rules_name_existing_files() -> None:
    missing = [path for path in all_rules() if not (REPO / path).is_file()]
    assert missing == []
