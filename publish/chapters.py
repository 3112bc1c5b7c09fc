"""The book's chapters, in reading order: what the code bundle and the PDF tests iterate over.

Until the repository has a chapter registry, ``chapters()`` derives them from what already
exists, and this module is the only place that knows how:

* a chapter starts at a page the home page's chapter map links to (``| 9 | [标题](page.md) …``),
  which also gives its number;
* it goes on over the pages that follow it in ``mkdocs.yml``'s ``nav`` (its notebook, its
  sub-pages) up to the next chapter, within the same top-level nav section (the appendix after
  the last chapter is no chapter's);
* its snippet folder is the one its pages include (``--8<-- "snippets/<folder>/…"``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
MAP_ROW = re.compile(r"^\|\s*(?P<number>\d+)\s*\|\s*\[[^\]]+\]\((?P<page>[^)#\s]+)\)", re.MULTILINE)
SNIPPET_INCLUDE = re.compile(r'--8<--\s+"snippets/(?P<folder>[A-Za-z0-9_]+)/')
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


class _NavLoader(yaml.SafeLoader):
    """Reads mkdocs.yml's nav; MkDocs' own tags (!ENV, !relative, python objects) become None."""


_NavLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
_NavLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def nav_sections(repo: Path = REPO) -> list[list[str]]:
    """The page sources of each top-level nav entry, flattened in nav order."""
    config = yaml.load((repo / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_NavLoader)
    return [list(flatten(entry)) for entry in config["nav"]]


def flatten(entry: object) -> Iterator[str]:
    if isinstance(entry, str):
        yield entry
    elif isinstance(entry, dict):
        for value in entry.values():
            yield from flatten(value)
    elif isinstance(entry, list):
        for item in entry:
            yield from flatten(item)


def chapter_numbers(repo: Path = REPO) -> dict[str, int]:
    """Page source → chapter number, from the home page's chapter map."""
    home = (repo / "docs" / "index.md").read_text(encoding="utf-8")
    return {match["page"]: int(match["number"]) for match in MAP_ROW.finditer(home)}


def source_text(page: str, repo: Path = REPO) -> str:
    for root in (repo / "docs", repo):  # notebooks live in examples/, beside docs/
        if (root / page).is_file():
            return (root / page).read_text(encoding="utf-8")
    raise ValueError(f"page {page!r} in mkdocs.yml's nav does not exist")


def snippet_folder(pages: list[str], repo: Path = REPO) -> str:
    included = Counter(
        match["folder"]
        for page in pages
        if page.endswith(".md")
        for match in SNIPPET_INCLUDE.finditer(source_text(page, repo))
    )
    if not included:
        raise ValueError(f"the chapter of {pages[0]!r} includes no snippet")
    return included.most_common(1)[0][0]


def chapters(repo: Path = REPO) -> list[Chapter]:
    numbers = chapter_numbers(repo)
    found: list[Chapter] = []
    for section in nav_sections(repo):
        starts = [index for index, page in enumerate(section) if page in numbers]
        for start, end in zip(starts, [*starts[1:], len(section)], strict=False):
            pages = section[start:end]
            heading = HEADING_1.search(source_text(pages[0], repo))
            if heading is None:
                raise ValueError(f"{pages[0]!r} has no level-1 heading")
            number, folder = numbers[pages[0]], snippet_folder(pages, repo)
            found.append(Chapter(number, heading["title"], tuple(pages), folder))
    return found
