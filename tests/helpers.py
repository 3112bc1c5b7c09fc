"""Helpers every chapter's tests share: the page's text, a snippet's stored output and globals,
a snippet's class on its own, and a command run the way a reader runs it.

Chapter test modules import from here instead of defining their own copies.
"""

from __future__ import annotations

import ast
import functools
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, redirect_stdout
from io import StringIO
from pathlib import Path

import torch
import yaml
from torch import nn
from torch.nn import functional as F

from cnnbook.cli import OneLineParser
from figures.common import load_snippet
from tests.outputs import OFFLINE
from tests.paths import DOCS, REPO, SNIPPETS

__all__ = [
    "OneLineParser",
    "chinese_help_problem",
    "class_from_source",
    "command",
    "help_text",
    "load_snippet",
    "one_thread",
    "page",
    "snippet",
    "stored",
]


@functools.cache
def page(path: str) -> str:
    """The Markdown source of ``docs/<path>``."""
    return (DOCS / path).read_text(encoding="utf-8")


def page_text(path: str) -> str:
    """A page's Markdown with its line breaks (and the indentation after them) removed, so that
    a sentence the source wraps can be searched whole."""
    return re.sub(r"\s*\n\s*", "", page(path))


FRONT_MATTER = re.compile(r"\A---\n(?P<yaml>.*?)\n---\n", re.DOTALL)


def front_matter(text: str) -> tuple[dict, str]:
    """A page's YAML front matter (``{}`` if it has none) and the Markdown after it."""
    match = FRONT_MATTER.match(text)
    if match is None:
        return {}, text
    return yaml.safe_load(match["yaml"]) or {}, text[match.end() :]


def hand_numbers(path: str) -> dict[str, str]:
    """``docs/<path>``'s ``hand_numbers``: the numbers typed by hand, with their reasons."""
    return front_matter(page(path))[0].get("hand_numbers", {}) or {}


def exercises(page_text: str) -> list[str]:
    """The numbered items of a page's ``## 练习`` section, each with its answer block."""
    section = page_text.split("\n## 练习\n")[1]
    return re.split(r"\n(?=\d+\. )", section.strip())


def assert_exercises_answered_by_snippets(page_text: str, folder: str) -> None:
    """4–8 exercises, numbered from 1, each with a collapsed answer that includes the stored
    output of ``snippets/<folder>/exercise<n>_*.py``."""
    items = exercises(page_text)
    assert 4 <= len(items) <= 8
    for number, item in enumerate(items, start=1):
        assert item.startswith(f"{number}. ")
        assert '??? success "答案"' in item
        assert re.search(rf'--8<-- "snippets/{folder}/exercise{number}_\w+\.out"', item)


def stored(path: str) -> str:
    """The stored output ``snippets/<path>`` (``"lenet/fast_recipe.out"``) or a stored result."""
    return (SNIPPETS / path).read_text(encoding="utf-8")


@functools.cache
def snippet(path: str) -> dict:
    """The globals of ``snippets/<path>`` after running it (once per test process)."""
    return load_snippet(path if path.endswith(".py") else f"{path}.py")


def class_from_source(source: str, name: str = "LeNet") -> type:
    """Execute only the ``class name`` definition of a snippet or notebook (nothing else runs)."""
    nodes = [n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == name]
    if len(nodes) != 1:
        raise ValueError(f"expected one class {name}, found {len(nodes)}")
    namespace = {"torch": torch, "nn": nn, "F": F}
    exec(compile(ast.Module(body=nodes, type_ignores=[]), f"<{name}>", "exec"), namespace)
    return namespace[name]


def command(module: str, *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """``python -m module args`` as a reader runs it: offline, one thread, from ``cwd``."""
    env = {**os.environ, **OFFLINE, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@contextmanager
def one_thread() -> Iterator[None]:
    """xdist runs two workers on two cores: one intra-op thread each avoids oversubscription."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


ENGLISH_PHRASE = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}\b")  # three English words
HAN_CHARACTER = re.compile(r"[\u4e00-\u9fff]")


def help_text(main: Callable[[Sequence[str]], int]) -> str:
    """What ``main(["--help"])`` prints (argparse prints the help, then exits with status 0)."""
    printed = StringIO()
    with redirect_stdout(printed):
        try:
            main(["--help"])
        except SystemExit as stopped:
            if stopped.code not in (0, None):
                raise
    return printed.getvalue()


def chinese_help_problem(text: str) -> str | None:
    """Why ``--help``'s ``text`` is not Chinese (``None`` if it is): argparse's English headings,
    a description without a Chinese character, or an English phrase of three words or more
    (option names, metavars, paths and terms like ``Deep Compression`` are not phrases)."""
    if not text.startswith("用法： ") or re.search(r"usage:|options:|arguments:|show this", text):
        return f"argparse's English headings in {text[:200]!r}"
    blocks = text.split("\n\n")
    if len(blocks) < 3 or not HAN_CHARACTER.search(blocks[1]):
        return f"no Chinese description in {text[:300]!r}"
    english = ENGLISH_PHRASE.search(text)
    return f"English text {english.group()!r}" if english else None
