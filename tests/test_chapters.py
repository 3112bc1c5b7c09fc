"""chapters.toml is the one list of chapters: the nav, the folders and the tests agree with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from hooks.chapters import chapter_map, load_book, nav_titles, read_config
from tests.paths import DOCS, FIGURES, REPO, SNIPPETS

BOOK = load_book()
DONE = [chapter for chapter in BOOK.chapters if chapter.status == "done"]


CONFIG = read_config(REPO / "mkdocs.yml")


def nav_pages(nav: list) -> list[str]:
    pages = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        pages.extend([value] if isinstance(value, str) else nav_pages(value))
    return pages


def test_the_nav_lists_the_registry_pages_in_order() -> None:
    assert nav_pages(CONFIG["nav"]) == BOOK.pages


def test_every_page_is_registered() -> None:
    sources = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    notebooks = {f"examples/{p.name}" for p in (REPO / "examples").glob("*.ipynb")}
    assert sources | notebooks == set(BOOK.pages)


def test_every_snippet_figure_and_test_folder_belongs_to_a_chapter() -> None:
    assert {c.snippets for c in DONE} == {p.name for p in SNIPPETS.iterdir() if p.is_dir()}
    assert {c.figures for c in DONE} == {p.name for p in FIGURES.iterdir() if p.is_dir()}
    for chapter in DONE:
        assert chapter.tests, f"chapter {chapter.number} has no test module"
        for module in chapter.tests:
            assert (REPO / "tests" / module).is_file(), module


CHAPTER = """
[[chapter]]
number = {number}
title = "t"
summary = "s"
status = "{status}"
pages = ["a.md"]
snippets = "a"
figures = "a"
tests = ["test_a.py"]
"""


@pytest.mark.parametrize(
    ("number", "status", "complaint"),
    [(1, "draft", "unknown status"), (2, "done", "numbered 1, 2"), (1, "planned", "pages iff")],
)
def test_a_malformed_registry_is_refused(
    tmp_path: Path, number: int, status: str, complaint: str
) -> None:
    path = tmp_path / "chapters.toml"
    text = "front_pages = []\nback_pages = []\n" + CHAPTER.format(number=number, status=status)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=complaint):
        load_book(path)
    path.write_text(text.replace(f"number = {number}", "number = 1").replace(status, "done"))
    assert load_book(path).pages == ["a.md"]


def test_the_chapter_map_lists_every_chapter_and_notebook() -> None:
    table = chapter_map(BOOK, nav_titles(CONFIG["nav"])).splitlines()
    assert len(table) == 2 + len(BOOK.chapters)
    for chapter, row in zip(BOOK.chapters, table[2:], strict=True):
        assert row.startswith(f"| {chapter.number} | ")
        for page in chapter.pages[:1] + chapter.notebooks:
            assert f"]({page})" in row
    assert "[动手：训练、评估与预测](examples/lenet_mnist.ipynb)" in table[2 + 8]


def test_the_home_page_shows_the_generated_map(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    for chapter in BOOK.chapters:
        assert chapter.title in html
    assert "<!-- chapter-map -->" not in html
