"""``make pdf``: the whole book as one PDF, printed by headless Chromium.

Usage: ``python -m publish.pdf [OUTPUT]`` (default ``build/cnn-basics.pdf``).

1. ``mkdocs build --strict -f mkdocs-print.yml`` builds the site with mkdocs-print-site-plugin,
   which adds one page holding the cover, a table of contents and every page in nav order, with
   links between pages turned into links inside that page (``hooks/print_book.py`` puts the
   final HTML of each page there, light figures only, animations as stills);
2. Chromium opens that page from a local server, waits until the vendored KaTeX has typeset every
   formula and every image has loaded; a collapsed block (the book's complete listings) keeps
   its summary line with a pointer to the code bundle; links that would only lead back to the
   local server are unlinked; ``publish/print.css`` is added;
3. ``page.pdf`` prints it, A4, with page numbers, a bookmark for every heading (PDF outline) and
   the links inside the book as links inside the PDF. Chromium embeds the fonts it used: Noto
   Sans CJK for the Chinese text, KaTeX's fonts for the math;
4. Chromium writes the outline only into a tagged PDF, and the tags (the structure tree) are two
   thirds of that file. pypdf copies the pages, links and outline into a new file without them
   (under a third of the size), and corrects the fonts' character maps so that the Chinese
   text searches and copies as written (``publish.tounicode``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import DictionaryObject

from publish.tounicode import fix_radicals, font_faces, radical_equivalents
from tests.browser import launch, serve

REPO = Path(__file__).resolve().parent.parent
PRINT_CONFIG = REPO / "mkdocs-print.yml"
PRINT_CSS = Path(__file__).with_name("print.css")
PRINT_PAGE = "/print_page/"
DEFAULT_OUTPUT = REPO / "build" / "cnn-basics.pdf"
TIMEOUT_MS = 180_000  # generous: CI shares two cores between two test workers

BUNDLE_NOTE = "：印刷版从略，见随书代码包"
READY = """() =>
  document.querySelectorAll('.arithmatex').length > 0 &&
  document.querySelectorAll('.arithmatex:not(:has(.katex))').length === 0 &&
  document.querySelector('#print-page-toc ul') !== null &&
  [...document.images].every(image => image.complete)"""

PREPARE = """() => {
  // A collapsed block holds a complete listing whose parts the page already shows: paper keeps
  // its summary line and says where the whole file is (Material opens every block to print).
  for (const details of document.querySelectorAll('details:not([open])')) {
    if (!details.querySelector('pre')) continue;
    const summary = details.querySelector(':scope > summary');
    details.replaceChildren(summary);
    summary.append(BUNDLE_NOTE);
  }
  // A nav section whose first page is its index page: one heading, not two in a row.
  for (const heading of document.querySelectorAll('section.md-section > h1')) {
    const first = heading.parentElement.querySelector(':scope > section.print-page h1');
    if (first && first.textContent.trim() === heading.textContent.trim()) heading.remove();
  }
  // Keep links to other hosts and to anchors that exist in this page; unlink the rest: they
  // would lead to the local server the page was printed from, or to a reader's own machine
  // (`make serve` on 127.0.0.1), which a PDF cannot open.
  for (const link of document.querySelectorAll('a[href]')) {
    const target = new URL(link.href);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname);
    if (target.origin !== location.origin && !loopback) continue;
    const id = decodeURIComponent(target.hash.slice(1));
    const here = target.origin === location.origin && target.pathname === location.pathname;
    if (!(here && id && document.getElementById(id))) link.removeAttribute('href');
  }
}"""


class PdfError(Exception):
    """Raised with a one-line, reader-facing message."""


def build_print_site(site_dir: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "--quiet",
        "-f",
        str(PRINT_CONFIG),
        "--site-dir",
        str(site_dir),
    ]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise PdfError("mkdocs 构建印刷版失败（见上面的输出）")


def prepare_for_print(page: Page) -> None:
    page.wait_for_function(READY, timeout=TIMEOUT_MS)
    page.evaluate("document.fonts.ready")
    page.evaluate(PREPARE.replace("BUNDLE_NOTE", json.dumps(BUNDLE_NOTE)))
    page.add_style_tag(path=str(PRINT_CSS))
    page.evaluate("document.fonts.ready")


def print_book(site_dir: Path, output: Path) -> str:
    """Print the combined page to ``output``; return the book's title (the cover's heading)."""
    with serve(site_dir) as base, sync_playwright() as playwright:
        try:
            browser = launch(playwright)
        except (FileNotFoundError, PlaywrightError) as error:
            raise PdfError(f"无法启动 Chromium（make pdf 会用 apt-get 安装它）：{error}") from error
        try:
            page = browser.new_context(color_scheme="light").new_page()
            page.goto(base + PRINT_PAGE, wait_until="networkidle", timeout=TIMEOUT_MS)
            prepare_for_print(page)
            title = page.text_content("#print-site-cover-page h1").strip()
            page.pdf(
                path=str(output),
                prefer_css_page_size=True,
                print_background=True,
                outline=True,
                tagged=True,  # Chromium writes the outline only with tags
            )
        except PlaywrightError as error:  # a timeout included
            first_line = str(error).splitlines()[0]
            raise PdfError(f"Chromium 没能排版或打印印刷页：{first_line}") from error
        finally:
            browser.close()
    return title


def fonts(pages: Iterable[PageObject]) -> Iterator[DictionaryObject]:
    """Every font the pages use, directly or inside form XObjects, once each."""
    seen: set[int] = set()
    pending = [page.get("/Resources") for page in pages]
    while pending:
        resources = pending.pop()
        resources = resources.get_object() if resources is not None else None
        if not resources or id(resources) in seen:
            continue
        seen.add(id(resources))
        for font in (resources.get("/Font") or DictionaryObject()).values():
            yield font.get_object()
        for xobject in (resources.get("/XObject") or DictionaryObject()).values():
            pending.append(xobject.get_object().get("/Resources"))


def finish(tagged: Path, output: Path, title: str) -> Path:
    """Copy the pages, links, named destinations and outline of ``tagged`` without its tags,
    with Chinese text that searches and copies correctly (``publish.tounicode``)."""
    writer = PdfWriter()
    writer.append(PdfReader(tagged), import_outline=True)
    equivalents = radical_equivalents(font_faces())
    for font in fonts(writer.pages):
        if "/ToUnicode" in font:
            cmap = font["/ToUnicode"].get_object()
            fixed = fix_radicals(cmap.get_data().decode("latin-1"), equivalents)
            if fixed is not None:
                cmap.set_data(fixed.encode("latin-1"))
    writer.add_metadata({"/Title": title})
    writer.write(output)
    return output


def make_pdf(output: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix="print-book-") as work:
        site, tagged = Path(work) / "site", Path(work) / "tagged.pdf"
        build_print_site(site)
        title = print_book(site, tagged)
        output.parent.mkdir(parents=True, exist_ok=True)
        return finish(tagged, output, title)


def main(argv: list[str]) -> int:
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        print("publish.pdf: error: 用法：python -m publish.pdf [输出文件.pdf]", file=sys.stderr)
        return 2
    output = Path(argv[0]) if argv else DEFAULT_OUTPUT
    if output.suffix != ".pdf":
        print(f"publish.pdf: error: 输出文件必须以 .pdf 结尾：{output}", file=sys.stderr)
        return 2
    try:
        written = make_pdf(output)
    except PdfError as error:
        print(f"publish.pdf: error: {error}", file=sys.stderr)
        return 1
    print(written)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
