"""Promise 5 in a real browser: every page loads cleanly, offline, with its math typeset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from playwright.sync_api import Browser

from hooks.chapters import load_book, site_urls
from tests.browser import (
    Visit,
    base_url_fixture,  # noqa: F401 (a fixture: tests ask for it by its name, base_url)
    browser_fixture,  # noqa: F401 (a fixture: tests ask for it by its name, browser)
    page_paths,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("site")]

# Every page of the site, from chapters.toml; checked against the built site below.
PAGE_PATHS = site_urls(load_book())
VISIBLE_GIFS = """() => [...document.images]
  .filter(i => i.checkVisibility() && new URL(i.src).pathname.endsWith('.gif'))
  .map(i => new URL(i.src).pathname.split('/').pop())"""

MATH_STATE = """() => {
  const formulas = [...document.querySelectorAll('.arithmatex')];
  const notebookCells = [...document.querySelectorAll('.jp-RenderedMarkdown')];
  const article = document.querySelector('article');
  const text = article ? article.innerText : '';
  return {
    formulas: formulas.length,
    untypeset: formulas.filter(f => !f.querySelector('.katex')).length,
    errors: document.querySelectorAll('.katex-error').length,
    katex: document.querySelectorAll('.katex').length,
    rawDelimiters: /\\\\\\(|\\\\\\[/.test(text),
    rawDollars: notebookCells.some(c => /\\$[^$\\n]+\\$/.test(c.innerText)),
  };
}"""


@pytest.fixture
def visit(browser: Browser, base_url: str) -> Iterator[Visit]:
    opened = Visit(browser, base_url)
    yield opened
    opened.close()


def test_page_list_is_complete(site: Path) -> None:
    assert page_paths(site) == PAGE_PATHS


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_page_loads_cleanly_offline_with_math(visit: Visit, base_url: str, path: str) -> None:
    visit.page.goto(base_url + path, wait_until="networkidle")
    visit.page.wait_for_function(
        "document.querySelectorAll('.arithmatex:not(:has(.katex))').length === 0", timeout=10_000
    )
    state = visit.page.evaluate(MATH_STATE)
    assert visit.errors == []
    assert visit.foreign == []
    assert state["untypeset"] == 0 and state["errors"] == 0
    assert not state["rawDelimiters"] and not state["rawDollars"]
    if path in ("/overview/", "/examples/feature_maps/"):
        assert state["katex"] >= 5


def test_images_load(visit: Visit, base_url: str) -> None:
    visit.page.goto(base_url + "/overview/", wait_until="networkidle")
    broken = visit.page.evaluate(
        "() => [...document.images].filter(i => i.checkVisibility() && i.naturalWidth === 0)"
        ".map(i => i.src)"
    )
    assert broken == []
    assert visit.page.evaluate(VISIBLE_GIFS) == ["multichannel-conv-light.gif"]


def test_dark_scheme_shows_dark_figures(browser: Browser, base_url: str) -> None:
    dark = Visit(browser, base_url, scheme="dark")
    try:
        dark.page.goto(base_url + "/overview/", wait_until="networkidle")
        scheme = dark.page.evaluate("document.body.getAttribute('data-md-color-scheme')")
        assert scheme == "slate"
        assert dark.page.evaluate(VISIBLE_GIFS) == ["multichannel-conv-dark.gif"]
    finally:
        dark.close()


def test_search_for_kernel_lists_chapter_1_first(visit: Visit, base_url: str) -> None:
    visit.page.goto(base_url + "/", wait_until="networkidle")
    visit.page.click(".md-search__input")
    visit.page.fill("input.md-search__input", "卷积核")
    visit.page.press("input.md-search__input", "End")  # Material reads the query on key events
    first = visit.page.wait_for_selector(".md-search-result__item > a", timeout=15_000)
    assert urlparse(first.get_attribute("href")).path == "/overview/"
    assert visit.errors == []


def test_instant_navigation_typesets_math(visit: Visit, base_url: str) -> None:
    visit.page.goto(base_url + "/", wait_until="networkidle")
    visit.page.evaluate("window.__sameDocument = true")
    visit.page.click("article a[href$='overview/']")
    visit.page.wait_for_url("**/overview/")
    visit.page.wait_for_function("document.querySelectorAll('.arithmatex .katex').length > 5")
    assert visit.page.evaluate("window.__sameDocument === true")  # no full page load
    assert visit.page.evaluate(MATH_STATE)["untypeset"] == 0
    assert visit.errors == []


def test_glossary_tooltip_on_terms(visit: Visit, base_url: str) -> None:
    visit.page.goto(base_url + "/overview/", wait_until="networkidle")
    titles = visit.page.evaluate(
        "() => [...document.querySelectorAll('article abbr')].map(a => a.textContent)"
    )
    for term in ["通道", "卷积核", "滤波器", "特征图", "感受野"]:
        assert term in titles


def test_notebook_download_button_serves_the_notebook(visit: Visit, base_url: str) -> None:
    visit.page.goto(base_url + "/examples/feature_maps/", wait_until="networkidle")
    href = visit.page.get_attribute("a.md-content__button[download]", "href")
    response = visit.page.request.get(urljoin(visit.page.url, href))
    assert response.ok
    assert response.json()["cells"][0]["cell_type"] == "markdown"
