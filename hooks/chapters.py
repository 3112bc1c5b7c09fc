"""MkDocs hook and loader for ``chapters.toml``, the one list of the book's chapters.

The home page's chapter map is generated here (it replaces ``<!-- chapter-map -->`` in
``index.md``), so a chapter's title, summary, status and notebooks are written once. The tests
read the same list (``load_chapters``) for the page list of the browser tests, the nav check and
the download bundle.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

REGISTRY = Path(__file__).resolve().parent.parent / "chapters.toml"
MAP_MARKER = "<!-- chapter-map -->"
STATUS = {"done": "已完成", "planned": "计划中"}


@dataclass(frozen=True)
class Chapter:
    number: int
    title: str
    summary: str
    status: str
    pages: tuple[str, ...]
    snippets: str
    figures: str
    tests: tuple[str, ...]

    @property
    def notebooks(self) -> tuple[str, ...]:
        return tuple(page for page in self.pages if page.endswith(".ipynb"))


@dataclass(frozen=True)
class Book:
    front_pages: tuple[str, ...]
    chapters: tuple[Chapter, ...]
    back_pages: tuple[str, ...]

    @property
    def pages(self) -> list[str]:
        """Every page in reading order, as paths under ``docs/``."""
        inner = [page for chapter in self.chapters for page in chapter.pages]
        return [*self.front_pages, *inner, *self.back_pages]


def page_url(page: str) -> str:
    """The URL path a page is served at: a/b.md at /a/b/, a/index.md at /a/, index.md at /."""
    stem = Path(page).with_suffix("").as_posix().removesuffix("index").rstrip("/")
    return f"/{stem}/" if stem else "/"


def site_urls(book: Book) -> list[str]:
    """The URL paths of every page, home first, then sorted (as the built site lists them)."""
    return sorted({page_url(page) for page in book.pages}, key=lambda url: (url != "/", url))


def load_book(path: Path = REGISTRY) -> Book:
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    chapters = []
    for entry in table["chapter"]:
        if entry["status"] not in STATUS:
            raise ValueError(f"{path.name}: chapter {entry['number']}: unknown status")
        if (entry["status"] == "planned") != (not entry["pages"]):
            raise ValueError(f"{path.name}: chapter {entry['number']}: pages iff done")
        fields = {**entry, "pages": tuple(entry["pages"]), "tests": tuple(entry["tests"])}
        chapters.append(Chapter(**fields))
    numbers = [chapter.number for chapter in chapters]
    if numbers != list(range(1, len(chapters) + 1)):
        raise ValueError(f"{path.name}: chapters must be numbered 1, 2, … in order: {numbers}")
    return Book(tuple(table["front_pages"]), tuple(chapters), tuple(table["back_pages"]))


class _IgnoreTags(yaml.SafeLoader):
    """Reads mkdocs.yml without MkDocs: its tags (!ENV, !relative, python objects) become None."""


_IgnoreTags.add_multi_constructor("!", lambda loader, suffix, node: None)
_IgnoreTags.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def read_config(path: Path) -> dict:
    """A MkDocs configuration file as plain data (tags dropped), e.g. to read its nav."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_IgnoreTags)


def nav_titles(nav: list) -> dict[str, str]:
    """``{page path: its title in the nav}`` for every titled page of mkdocs.yml's nav."""
    titles: dict[str, str] = {}
    for item in nav:
        if isinstance(item, dict):
            for title, value in item.items():
                if isinstance(value, str):
                    titles[value] = title
                else:
                    titles.update(nav_titles(value))
    return titles


def chapter_map(book: Book, titles: dict[str, str]) -> str:
    """The home page's table: number, linked title and summary (with notebooks), status."""
    rows = ["| 章 | 内容 | 状态 |", "| --- | --- | --- |"]
    for chapter in book.chapters:
        if chapter.pages:
            content = f"[{chapter.title}]({chapter.pages[0]})：{chapter.summary}"
        else:
            content = f"{chapter.title}：{chapter.summary}"
        notebooks = [f"[{titles.get(nb, nb)}]({nb})" for nb in chapter.notebooks]
        if notebooks:
            content += "；配套 Notebook " + "、".join(notebooks)
        rows.append(f"| {chapter.number} | {content} | {STATUS[chapter.status]} |")
    return "\n".join(rows)


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if MAP_MARKER not in markdown:
        return markdown
    try:
        book = load_book()
    except (KeyError, TypeError, ValueError) as error:
        raise PluginError(f"chapters.toml: {error}") from None
    return markdown.replace(MAP_MARKER, chapter_map(book, nav_titles(config.nav or [])))
