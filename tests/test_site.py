"""Promise 5 on the built HTML: a strict build with 0 warnings that loads nothing from outside."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from hooks.glossary import read_glossary
from tests.paths import ABBREVIATIONS, DOCS

pytestmark = pytest.mark.xdist_group("site")

# Elements whose attributes make the browser fetch something.
FETCHING = {
    ("script", "src"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("iframe", "src"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("embed", "src"),
    ("object", "data"),
}
FETCHING_LINK_RELS = {"stylesheet", "preload", "modulepreload", "prefetch", "icon", "manifest"}
CSS_URL = re.compile(r"""url\(\s*['"]?(?P<url>[^'")\s]+)|@import\s+['"](?P<imported>[^'"]+)""")


def is_external(url: str) -> bool:
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url.strip(), re.IGNORECASE))


class FetchedUrls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if (tag, name) in FETCHING:
                self.urls += [part.split()[0] for part in value.split(",") if part.strip()]
        rels = set(values.get("rel", "").lower().split())
        if tag == "link" and rels & FETCHING_LINK_RELS:
            self.urls.append(values.get("href", ""))


def fetched_urls(html: str) -> list[str]:
    parser = FetchedUrls()
    parser.feed(html)
    return parser.urls


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_build_is_strict_with_zero_warnings(
    site_build: tuple[Path, subprocess.CompletedProcess],
) -> None:
    _, result = site_build
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    assert [line for line in log.splitlines() if "WARNING" in line] == []


def test_detectors_catch_external_resources() -> None:
    page = (
        '<link rel="stylesheet" href="https://cdn.example/x.css"><link rel="canonical" '
        'href="https://book.example/"><script src="//cdn.example/k.js"></script>'
        '<img srcset="a.png 1x, https://x.example/b.png 2x">'
    )
    external = [url for url in fetched_urls(page) if is_external(url)]
    assert external == [
        "https://cdn.example/x.css",
        "//cdn.example/k.js",
        "https://x.example/b.png",
    ]
    assert not is_external("../assets/katex.min.js") and not is_external("data:image/png;base64,")


def test_pages_fetch_nothing_from_other_hosts(site: Path) -> None:
    offenders = {
        str(page.relative_to(site)): url
        for page in html_pages(site)
        for url in fetched_urls(page.read_text(encoding="utf-8"))
        if is_external(url)
    }
    assert offenders == {}


def test_stylesheets_fetch_nothing_from_other_hosts(site: Path) -> None:
    offenders = []
    for sheet in site.rglob("*.css"):
        for match in CSS_URL.finditer(sheet.read_text(encoding="utf-8", errors="replace")):
            url = match["url"] or match["imported"]
            if is_external(url):
                offenders.append((str(sheet.relative_to(site)), url))
    assert offenders == []


def test_no_google_fonts_and_no_cdn_in_pages_or_styles(site: Path) -> None:
    hosts = re.compile(r"fonts\.(googleapis|gstatic)\.com|cdnjs|jsdelivr|unpkg\.com")
    hits = [
        str(path.relative_to(site))
        for path in site.rglob("*")
        if path.suffix in {".html", ".css"} and hosts.search(path.read_text(errors="replace"))
    ]
    assert hits == []


def test_no_page_needs_materials_cdn_fallbacks(site: Path) -> None:
    """Material's bundle would fetch mermaid from a CDN for a diagram; the book has none."""
    assert not any('class="mermaid"' in page.read_text() for page in html_pages(site))


def test_math_is_left_for_the_vendored_katex(site: Path) -> None:
    overview = (site / "overview" / "index.html").read_text(encoding="utf-8")
    assert overview.count('class="arithmatex"') >= 20
    for asset in ["katex.min.js", "contrib/auto-render.min.js", "katex.min.css"]:
        assert f"assets/vendor/katex/{asset}" in overview
        assert (site / "assets" / "vendor" / "katex" / asset).is_file()
    fonts = list((site / "assets" / "vendor" / "katex" / "fonts").glob("*.woff2"))
    assert len(fonts) == 20


def test_glossary_terms_get_tooltips_inside_chinese_text(site: Path) -> None:
    overview = (site / "overview" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'的<abbr title="feature map — [^"]+">特征图</abbr>', overview)
    assert re.search(r'<abbr title="kernel — [^"]+">卷积核</abbr>', overview)
    for math in re.findall(r'<span class="arithmatex">(.*?)</span>', overview):
        assert "<abbr" not in math


def test_glossary_page_lists_every_term(site: Path) -> None:
    glossary = (site / "glossary" / "index.html").read_text(encoding="utf-8")
    entries = read_glossary(ABBREVIATIONS)
    assert len(entries) >= 15
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", glossary, re.DOTALL)
    shown = [re.sub(r"<[^>]+>", "", term) for term, _ in rows]
    assert sorted(shown) == sorted(e["term"] for e in entries)  # each once, grouped by chapter
    assert re.search(r'<h2 id="[^"]+">第 1 章 CNN 概览与术语', glossary)


def test_every_glossary_term_is_used_in_a_chapter() -> None:
    pages = [page for page in DOCS.rglob("*.md") if page.name != "glossary.md"]
    chapters = " ".join(page.read_text(encoding="utf-8") for page in pages)
    unused = [e["term"] for e in read_glossary(ABBREVIATIONS) if e["term"] not in chapters]
    assert unused == []


def test_headings_have_non_empty_unique_anchors(site: Path) -> None:
    for page in html_pages(site):
        ids = re.findall(r'<h[1-6][^>]*\bid="([^"]*)"', page.read_text(encoding="utf-8"))
        assert all(ids), f"{page}: empty heading id"
        assert len(ids) == len(set(ids)), f"{page}: duplicate heading ids"


def test_chinese_headings_keep_chinese_anchors(site: Path) -> None:
    overview = (site / "overview" / "index.html").read_text(encoding="utf-8")
    assert 'id="为什么卷积有效"' in overview
    notebook = (site / "examples" / "feature_maps" / "index.html").read_text(encoding="utf-8")
    assert 'id="四个手工卷积核"' in notebook
    assert 'href="#四个手工卷积核"' in notebook  # the table of contents links to it


def test_notebook_page_has_download_and_no_remote_loaders(site: Path) -> None:
    page = (site / "examples" / "feature_maps" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="[^"]*feature_maps\.ipynb"[^>]*\bdownload\b', page)
    assert (site / "examples" / "feature_maps" / "feature_maps.ipynb").is_file()
    scripts = re.findall(r"<script\b[^>]*>.*?</script>", page, re.DOTALL)
    assert [s for s in scripts if re.search(r"src=\"\"|mathjax|mermaid", s, re.I)] == []
    assert "G_x = \\begin{bmatrix}" in page  # raw TeX, typeset in the browser by KaTeX
