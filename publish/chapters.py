"""The book's chapters in reading order, for the code bundle and the PDF: read from
``chapters.toml`` (the one registry, see ``hooks/chapters.py``), planned chapters left out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hooks.chapters import REGISTRY, load_book

REPO = Path(__file__).resolve().parent.parent
HEADING_1 = re.compile(r"^#\s+(?P<title>.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Chapter:
    number: int
    title: str  # the first page's level-1 heading, as the PDF's bookmark shows it
    pages: tuple[str, ...]  # docs-relative sources in nav order: Markdown pages and notebooks
    snippet_folder: str  # the folder under snippets/

    @property
    def notebooks(self) -> tuple[str, ...]:
        return tuple(page for page in self.pages if page.endswith(".ipynb"))

    @property
    def bundle_name(self) -> str:
        return f"{self.number:02d}-{self.snippet_folder}"


def source_text(page: str, repo: Path = REPO) -> str:
    for root in (repo / "docs", repo):  # notebooks live in examples/, beside docs/
        if (root / page).is_file():
            return (root / page).read_text(encoding="utf-8")
    raise ValueError(f"page {page!r} of chapters.toml does not exist")


def first_heading(page: str, repo: Path = REPO) -> str:
    text = re.sub(r"\A---\n.*?\n---\n", "", source_text(page, repo), flags=re.DOTALL)
    heading = HEADING_1.search(text)
    if heading is None:
        raise ValueError(f"{page!r} has no level-1 heading")
    return heading["title"]


def chapters(repo: Path = REPO) -> list[Chapter]:
    book = load_book(repo / REGISTRY.name)
    return [
        Chapter(entry.number, first_heading(entry.pages[0], repo), entry.pages, entry.snippets)
        for entry in book.chapters
        if entry.status == "done"
    ]
