"""Promise 1: a Python block on a page is an include of a tested file, never hand-written code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.paths import DOCS, REPO, SNIPPETS

FENCE_OPEN = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^\n]*)$")
PYTHON_INFO = re.compile(r"^\{?\s*\.?(?:py|python|python3|pycon)\b", re.IGNORECASE)
INCLUDE = re.compile(r'^\s*--8<--\s+"(?P<path>[^"]+?)(?::[\w-]+)?"\s*$')
PAGES = sorted(DOCS.rglob("*.md"))


def fenced_blocks(text: str) -> list[tuple[int, str, list[str]]]:
    """(line number, info string, body lines) of every fenced code block."""
    blocks, lines, index = [], text.splitlines(), 0
    while index < len(lines):
        opening = FENCE_OPEN.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, start = opening["fence"], index
        closing = re.compile(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        index += 1
        body = []
        while index < len(lines) and not closing.match(lines[index]):
            body.append(lines[index])
            index += 1
        blocks.append((start + 1, opening["info"].strip(), body))
        index += 1
    return blocks


def python_blocks(page: Path) -> list[tuple[int, list[str]]]:
    blocks = fenced_blocks(page.read_text(encoding="utf-8"))
    return [(line, body) for line, info, body in blocks if PYTHON_INFO.match(info)]


def included_paths(body: list[str]) -> list[str] | None:
    """The files a block includes, or None if it holds anything but include lines."""
    paths = []
    for line in body:
        if not line.strip():
            continue
        match = INCLUDE.match(line)
        if match is None:
            return None
        paths.append(match["path"])
    return paths


def test_fence_parser_finds_hand_written_code() -> None:
    page = (
        "# t\n\n```python\nprint(1)\n```\n\n"
        '    ``` py title="x"\n    --8<-- "snippets/a.py"\n    ```\n'
    )
    found = [(info, body) for _, info, body in fenced_blocks(page)]
    assert found == [("python", ["print(1)"]), ('py title="x"', ['    --8<-- "snippets/a.py"'])]
    assert included_paths(["print(1)"]) is None
    assert included_paths(['--8<-- "snippets/a.py:part"', ""]) == ["snippets/a.py"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_python_blocks_only_include_snippets(page: Path) -> None:
    for line, body in python_blocks(page):
        paths = included_paths(body)
        where = f"{page.relative_to(REPO)}:{line}"
        assert paths, f"{where}: a Python block must only include files from snippets/"
        for path in paths:
            assert path.startswith("snippets/") and path.endswith(".py"), f"{where}: {path}"
            assert (REPO / path).is_file(), f"{where}: {path} does not exist"


def test_every_snippet_is_shown_on_a_page() -> None:
    shown = {
        path
        for page in PAGES
        for _, body in python_blocks(page)
        for path in (included_paths(body) or [])
    }
    snippets = {str(p.relative_to(REPO)) for p in SNIPPETS.rglob("*.py")}
    assert sorted(snippets - shown) == []


COMMAND = re.compile(r"^(?:make (?P<target>[\w-]+)|python -m (?P<module>[\w.]+))(?:\s|$)")


def shown_command_exists(line: str) -> bool:
    """A command a page tells readers to type is a make target or a module of this repository."""
    match = COMMAND.match(line.split("#")[0].strip())
    if match is None:
        return False
    if match["target"]:
        makefile = (REPO / "Makefile").read_text(encoding="utf-8")
        return re.search(rf"^{re.escape(match['target'])}:", makefile, re.MULTILINE) is not None
    module = REPO / Path(*match["module"].split("."))
    return module.with_suffix(".py").is_file() or (module / "__main__.py").is_file()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_no_block_is_hand_written(page: Path) -> None:
    """Every code block shows a file of the repository (code, or its stored output); the only
    exception is a shell block of commands this repository provides."""
    for line, info, body in fenced_blocks(page.read_text(encoding="utf-8")):
        where = f"{page.relative_to(REPO)}:{line}"
        if info.split()[:1] in (["bash"], ["sh"], ["console"]):
            for command in filter(str.strip, body):
                assert shown_command_exists(command), f"{where}: unknown command {command!r}"
            continue
        paths = included_paths(body)
        assert paths, f"{where}: a ```{info}``` block must only include files (--8<--)"
        for path in paths:
            assert (REPO / path).is_file(), f"{where}: {path} does not exist"


def test_the_command_check() -> None:
    assert shown_command_exists("make compression   # 实验、画图、测延迟")
    assert shown_command_exists("python -m cnnbook.predict seven.png --checkpoint lenet.pt")
    assert not shown_command_exists("make everything")
    assert not shown_command_exists("python -m cnnbook.nothing")
    assert not shown_command_exists("pip install torch")
