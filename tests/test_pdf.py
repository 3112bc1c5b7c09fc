"""``make pdf``: the printed book, checked in the PDF file itself with pypdf.

The PDF is built once for this module (about 40 s on 2 quiet cores: the print build, Chromium
typesetting and printing the one combined page, pypdf finishing the file), then read.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from hooks.glossary import read_glossary
from hooks.print_book import key_frames, sheet
from publish.chapters import chapters
from publish.pdf import fonts
from publish.tounicode import RADICAL
from tests.paths import ABBREVIATIONS, DOCS, REPO

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("pdf")]

# 347 pages on 2026-12-04 (chapters 1-10 and the appendix; chapter 8 alone is 40); a collapsed
# build (no chapters, unprinted images) has far fewer, a broken layout (code cut into narrow
# columns, listings printed twice) far more. Widen the upper bound as chapters are added.
PAGE_RANGE = range(280, 441)
FIGURE_REFERENCE = re.compile(r"assets/figures/(?P<path>[\w/-]+-light\.(?:png|gif))")
DOLLAR_MATH = re.compile(r"\$[^$\n]+\$")  # notebooks write math between dollars
RAW_TEX = re.compile(r"\\(?:frac|sum|times|mathrm|left|right|begin|end|cdot)\b|\$\$|\\\(|\\\[")


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("pdf") / "cnn-basics.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "publish.pdf", str(target)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return target


@pytest.fixture(scope="module")
def reader(book: Path) -> PdfReader:
    return PdfReader(book)


@pytest.fixture(scope="module")
def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def first_pages(reader: PdfReader) -> dict[str, int]:
    """Bookmark title → 0-based page of its first bookmark (the cover and the home page are both
    titled CNN 基础)."""
    pages: dict[str, int] = {}
    for title, page in bookmarks(reader):
        pages.setdefault(title, page)
    return pages


def bookmarks(reader: PdfReader, items: list | None = None) -> Iterator[tuple[str, int]]:
    """(title, 0-based page) of every outline entry, depth first."""
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            yield from bookmarks(reader, item)
        else:
            yield item.title, reader.get_destination_page_number(item)


def squeezed(text: str) -> str:
    """Text without whitespace: extraction breaks lines where the page wraps them."""
    return re.sub(r"\s+", "", text)


def images(reader: PdfReader) -> Iterator[Image.Image]:
    seen: set[int] = set()
    pending = [page.get("/Resources") for page in reader.pages]
    while pending:
        resources = pending.pop()
        resources = resources.get_object() if resources is not None else None
        for reference in (resources or DictionaryObject()).get("/XObject", {}).values():
            if reference.idnum in seen:
                continue
            seen.add(reference.idnum)
            xobject = reference.get_object()
            if xobject["/Subtype"] == "/Image":
                yield xobject.decode_as_image()
            else:
                pending.append(xobject.get("/Resources"))


def pixels(image: Image.Image) -> str:
    return hashlib.sha256(image.convert("RGB").tobytes()).hexdigest()


def notebook_page_ranges(reader: PdfReader) -> list[tuple[int, int]]:
    """Pages of each notebook: from its title (the first cell's heading) to the next chapter."""
    starts, found = first_pages(reader), chapters()
    ranges = []
    for chapter, following in zip(found, [*found[1:], None], strict=True):
        for notebook in chapter.notebooks:
            cells = json.loads((REPO / notebook).read_text(encoding="utf-8"))["cells"]
            title = "".join(cells[0]["source"]).splitlines()[0].removeprefix("# ")
            end = starts[following.title] if following else len(reader.pages)
            ranges.append((starts[title], end))
    return ranges


def test_page_count_is_in_range(reader: PdfReader) -> None:
    assert len(reader.pages) in PAGE_RANGE


def test_every_chapter_title_is_a_bookmark_in_book_order(reader: PdfReader) -> None:
    pages = first_pages(reader)
    titles = [chapter.title for chapter in chapters()]
    assert [title for title in titles if title not in pages] == []
    assert [pages[title] for title in titles] == sorted(pages[title] for title in titles)
    assert pages["CNN 基础"] == 0 and pages["目录"] == 1  # cover, then the contents


def test_formulas_are_typeset_glyphs_not_tex(reader: PdfReader, page_texts: list[str]) -> None:
    assert [page for page, text in enumerate(page_texts) if RAW_TEX.search(text)] == []
    starts = first_pages(reader)
    first, second = (starts[chapter.title] for chapter in chapters()[:2])
    chapter_1 = "".join(page_texts[first:second])
    assert "∑" in chapter_1 and "⋆" in chapter_1  # y_o = b_o + \sum_c w_{o,c} \star x_c
    notebook_text = "".join(
        "".join(page_texts[start:end]) for start, end in notebook_page_ranges(reader)
    )
    assert len(notebook_text) > 1000 and not DOLLAR_MATH.search(notebook_text)
    font_names = {str(font.get("/BaseFont", "")) for font in fonts(reader.pages)}
    assert any("KaTeX_Main" in name for name in font_names)
    assert any("KaTeX_Math" in name for name in font_names)


def test_fonts_are_embedded_and_map_to_text(reader: PdfReader) -> None:
    not_embedded, no_text = [], []
    for font in fonts(reader.pages):
        if font["/Subtype"] != "/Type3":  # a Type 3 font carries its glyphs as drawings
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = descendant["/FontDescriptor"].get_object()
            if not {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor):
                not_embedded.append(str(font.get("/BaseFont")))
        if "/ToUnicode" not in font:
            no_text.append(str(font.get("/BaseFont")))
    assert not_embedded == [] and no_text == []


def test_chinese_text_extracts_without_missing_glyphs(page_texts: list[str]) -> None:
    text = "".join(page_texts)
    assert "\x00" not in text  # a glyph the fonts lack prints as a box and extracts as NUL
    assert "\ufffd" not in text
    assert RADICAL.findall(text) == []  # 输入, not 输⼊ (publish.tounicode)
    everything = squeezed(text)
    missing = [
        e["term"] for e in read_glossary(ABBREVIATIONS) if squeezed(e["term"]) not in everything
    ]
    assert missing == []
    promise = "页面上的每一段代码、每一行输出、正文里的每一个数字、每一幅动图"
    assert promise in (DOCS / "index.md").read_text(encoding="utf-8") and promise in everything


def test_every_light_figure_is_printed_and_no_dark_one(reader: PdfReader) -> None:
    printed = {pixels(image) for image in images(reader)}
    referenced = sorted(
        {
            match["path"]
            for page in DOCS.rglob("*.md")
            for match in FIGURE_REFERENCE.finditer(page.read_text(encoding="utf-8"))
        }
    )
    assert len(referenced) >= 20
    figures = DOCS / "assets" / "figures"

    def as_printed(path: Path) -> Image.Image:  # an animation is printed as its still
        return sheet(key_frames(path)) if path.suffix == ".gif" else Image.open(path)

    missing = [p for p in referenced if pixels(as_printed(figures / p)) not in printed]
    assert missing == []
    dark = [p.replace("-light.", "-dark.") for p in referenced]
    assert [p for p in dark if pixels(as_printed(figures / p)) in printed] == []


def test_links_inside_the_book_lead_to_its_pages(reader: PdfReader) -> None:
    destinations = reader.named_destinations
    internal, local_urls = [], []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            if "/Dest" in annotation:
                internal.append(str(annotation["/Dest"]))
            uri = annotation.get("/A", {}).get("/URI", "")
            if re.match(r"https?://(127\.|localhost)", str(uri)):
                local_urls.append(uri)
    assert len(internal) >= 2 * len(chapters())  # the contents and the chapter map at least
    assert [name for name in internal if name not in destinations] == []
    assert local_urls == []
