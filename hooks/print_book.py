"""MkDocs hook for the printed book (``mkdocs-print.yml`` only; the website does not load it).

mkdocs-print-site-plugin combines every page into one print page, which ``publish.pdf`` prints
with headless Chromium. This hook adapts what the plugin collects:

* the plugin keeps each page's HTML as ``page.html`` when *its* ``on_page_content`` runs, which is
  before the book's own hooks (hooks run after plugins): a notebook page would keep nbconvert's
  CDN loaders and its broken Chinese anchors. Running last, this hook stores the final HTML;
* paper shows the light theme only, so the ``#only-dark`` twin of every figure is dropped;
* Chromium prints the first frame of an animated GIF, which often shows an empty grid. Every GIF is
  replaced by a still, written next to it at build time from the committed GIF (nothing generated
  is committed): a 2 × 2 sheet of four key frames, evenly spaced from the first to the last, so
  that a reader of the PDF sees how the animation starts, proceeds and ends (the last frame
  usually holds the finished result). Frames keep their full resolution; the sheet is scaled to
  the text width.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from PIL import Image, ImageSequence

STILL_SUFFIX = "-print.png"
KEY_FRAMES = 4
COLUMNS = 2
GAP_PX = 24  # between frames, in the frame's background colour
IMAGE = re.compile(r"<img\b[^>]*>")
DARK_IMAGE = re.compile(r"""<img\b[^>]*\bsrc="[^"]*#only-dark"[^>]*>""")
GIF_SOURCE = re.compile(r'(\bsrc="[^"#]*?)\.gif(?=[#"])')


def key_frame_indices(frame_count: int, wanted: int = KEY_FRAMES) -> list[int]:
    """``wanted`` frame indices evenly spaced from the first to the last frame (all if fewer)."""
    if frame_count < 1:
        raise ValueError(f"frame_count must be at least 1, got {frame_count}")
    if frame_count <= wanted:
        return list(range(frame_count))
    return [round(k * (frame_count - 1) / (wanted - 1)) for k in range(wanted)]


def key_frames(gif: Path) -> list[Image.Image]:
    with Image.open(gif) as animation:
        frames = [frame.convert("RGB") for frame in ImageSequence.Iterator(animation)]
    return [frames[index] for index in key_frame_indices(len(frames))]


def sheet(frames: list[Image.Image], columns: int = COLUMNS) -> Image.Image:
    """The frames left to right, top to bottom, on the first frame's background colour."""
    width, height = frames[0].size
    columns = min(columns, len(frames))
    rows = -(-len(frames) // columns)
    background = frames[0].getpixel((0, 0))
    canvas = Image.new(
        "RGB",
        (columns * width + (columns - 1) * GAP_PX, rows * height + (rows - 1) * GAP_PX),
        background,
    )
    for position, frame in enumerate(frames):
        row, column = divmod(position, columns)
        canvas.paste(frame, (column * (width + GAP_PX), row * (height + GAP_PX)))
    return canvas


def write_still(gif: Path, target: Path) -> Path:
    sheet(key_frames(gif)).save(target)
    return target


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
        if not gif.stem.endswith("-dark"):  # the print page shows light figures only
            write_still(gif, gif.with_name(gif.stem + STILL_SUFFIX))
