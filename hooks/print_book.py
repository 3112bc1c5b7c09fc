"""MkDocs hook for the printed book (``mkdocs-print.yml`` only; the website does not load it).

mkdocs-print-site-plugin combines every page into one print page, which ``publish.pdf`` prints
with headless Chromium. This hook adapts what the plugin collects:

* the plugin keeps each page's HTML as ``page.html`` when *its* ``on_page_content`` runs, which is
  before the book's own hooks (hooks run after plugins): a notebook page would keep nbconvert's
  CDN loaders and its broken Chinese anchors. Running last, this hook stores the final HTML;
* paper shows the light theme only, so the ``#only-dark`` twin of every figure is dropped;
* Chromium prints the first frame of an animated GIF, which often shows an empty grid. Every GIF is
  replaced by a still of its key frames (``publish.stills``), written next to it at build time
  from the committed GIF; nothing generated is committed.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from publish.stills import STILL_SUFFIX, write_still

IMAGE = re.compile(r"<img\b[^>]*>")
DARK_IMAGE = re.compile(r"""<img\b[^>]*\bsrc="[^"]*#only-dark"[^>]*>""")
GIF_SOURCE = re.compile(r'(\bsrc="[^"#]*?)\.gif(?=[#"])')


def printable(html: str) -> str:
    """Page HTML for paper: light figures only, every GIF replaced by its still."""
    html = DARK_IMAGE.sub("", html)
    return IMAGE.sub(lambda image: GIF_SOURCE.sub(rf"\1{STILL_SUFFIX}", image[0]), html)


@event_priority(-100)  # after mkdocs-print-site-plugin and the book's other hooks
def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    page.html = printable(html)  # the attribute the print-site plugin combines
    return html


def on_post_build(config: MkDocsConfig) -> None:
    for gif in sorted(Path(config.site_dir).rglob("*.gif")):
        write_still(gif, gif.with_name(gif.stem + STILL_SUFFIX))
