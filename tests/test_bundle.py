"""``make bundle``: every chapter's code in one zip that runs offline, outside the repository."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from publish.bundle import ROOT
from publish.chapters import Chapter, chapters
from tests.outputs import OFFLINE, mismatch, rules_for, run_snippet
from tests.paths import REPO, SNIPPETS

CHINESE = re.compile("[\u4e00-\u9fff]")


def make_bundle(target: Path) -> Path:
    result = subprocess.run(
        [sys.executable, "-m", "publish.bundle", str(target)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return target


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_bundle(tmp_path_factory.mktemp("bundle") / "code.zip")


@pytest.fixture(scope="module")
def names(archive: Path) -> set[str]:
    with zipfile.ZipFile(archive) as opened:
        return set(opened.namelist())


def read(archive: Path, name: str) -> str:
    with zipfile.ZipFile(archive) as opened:
        return opened.read(name).decode("utf-8")


def test_every_snippet_output_and_notebook_is_in_its_chapter(names: set[str]) -> None:
    expected = set()
    for chapter in chapters():
        folder = f"{ROOT}/{chapter.bundle_name}"
        for path in (SNIPPETS / chapter.snippet_folder).glob("*.py"):
            expected |= {f"{folder}/{path.name}", f"{folder}/{path.with_suffix('.out').name}"}
        expected |= {f"{folder}/{Path(notebook).name}" for notebook in chapter.notebooks}
    assert len(expected) > len(list(SNIPPETS.rglob("*.py")))  # outputs and notebooks too
    assert expected <= names
    snippets_in_zip = {name for name in names if name.endswith(".py")}
    assert len(snippets_in_zip) == len(list(SNIPPETS.rglob("*.py")))


def test_requirements_are_the_runtime_pins(archive: Path) -> None:
    groups = tomllib.loads((REPO / "pyproject.toml").read_text())["dependency-groups"]
    assert read(archive, f"{ROOT}/requirements.txt").splitlines() == groups["runtime"]


def test_readmes_are_one_chinese_line(archive: Path, names: set[str]) -> None:
    readmes = sorted(name for name in names if name.endswith("/README.md"))
    assert len(readmes) == len(chapters()) + 1
    for name in readmes:
        text = read(archive, name)
        assert text.endswith("\n") and text.count("\n") == 1 and CHINESE.search(text), name
    assert "requirements.txt" in read(archive, f"{ROOT}/README.md")
    lenet = next(chapter for chapter in chapters() if chapter.snippet_folder == "lenet")
    assert "MNIST" in read(archive, f"{ROOT}/{lenet.bundle_name}/README.md")


def test_the_zip_is_byte_reproducible(archive: Path, tmp_path: Path) -> None:
    assert make_bundle(tmp_path / "again.zip").read_bytes() == archive.read_bytes()


def shortest_snippet_without_data(chapter: Chapter) -> Path:
    sources = [
        path
        for path in (SNIPPETS / chapter.snippet_folder).glob("*.py")
        if not rules_for(path).data
    ]
    return min(sources, key=lambda path: (path.stat().st_size, path.name))


@pytest.mark.parametrize("position", [0, -1], ids=["first chapter", "last chapter"])
def test_an_unzipped_snippet_runs_offline_and_prints_its_output(
    archive: Path, tmp_path: Path, position: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable, closed_port in OFFLINE.items():  # any download would fail at once
        monkeypatch.setenv(variable, closed_port)
    chapter = chapters()[position]
    name = shortest_snippet_without_data(chapter).name
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(tmp_path)
    folder = tmp_path / ROOT / chapter.bundle_name
    result = run_snippet(folder / name, cwd=folder)  # python -I: no repository on sys.path
    assert result.returncode == 0, result.stderr[-2000:]
    stored = (folder / name).with_suffix(".out").read_text(encoding="utf-8")
    varies = rules_for(SNIPPETS / chapter.snippet_folder / name).varies
    assert mismatch(stored, result.stdout, varies) is None
