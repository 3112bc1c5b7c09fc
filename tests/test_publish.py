"""The pieces behind ``make pdf`` and ``make bundle``, on small inputs; the configuration they rely
on. The PDF itself is checked in test_pdf.py, the zip in test_bundle.py."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from PIL import Image

from hooks.chapters import load_book, read_config
from hooks.print_book import GAP_PX, key_frame_indices, printable, sheet
from publish import bundle, pdf
from publish.chapters import chapters
from publish.tounicode import (
    fix_radicals,
    font_faces,
    radical_equivalents,
    read_cmap,
    write_cmap,
)
from tests.paths import EXAMPLES, REPO, SNIPPETS


def load_yaml(name: str) -> dict:
    return read_config(REPO / name)


def plugin_names(entries: list) -> list[str]:
    return [entry if isinstance(entry, str) else next(iter(entry)) for entry in entries]


# --- the chapters ---------------------------------------------------------------------------


def test_chapters_are_the_registry_s_done_chapters_titled_by_their_first_heading() -> None:
    found = chapters()
    done = [c for c in load_book().chapters if c.status == "done"]
    assert [c.number for c in found] == [c.number for c in done]
    assert found[0].title == "CNN 概览与术语" and found[0].pages[0] == "overview.md"
    for chapter, entry in zip(found, done, strict=True):
        assert entry.title in chapter.title  # the bookmark names the chapter the map shows


def test_every_snippet_folder_and_notebook_belongs_to_one_chapter() -> None:
    found = chapters()
    folders = [chapter.snippet_folder for chapter in found]
    assert sorted(folders) == sorted(path.name for path in SNIPPETS.iterdir() if path.is_dir())
    notebooks = [notebook for chapter in found for notebook in chapter.notebooks]
    assert sorted(notebooks) == [f"examples/{p.name}" for p in sorted(EXAMPLES.glob("*.ipynb"))]


# --- the print configuration and the pins ---------------------------------------------------


def test_print_config_is_the_site_config_plus_the_print_pieces() -> None:
    """INHERIT replaces lists: mkdocs-print.yml must repeat mkdocs.yml's hooks and plugins."""
    site, book = load_yaml("mkdocs.yml"), load_yaml("mkdocs-print.yml")
    assert book["INHERIT"] == "mkdocs.yml"
    assert book["hooks"] == [*site["hooks"], "hooks/print_book.py"]
    site_plugins = [p for p in site["plugins"] if plugin_names([p]) != ["search"]]
    assert book["plugins"] == [*site_plugins, book["plugins"][-1]]
    assert plugin_names(book["plugins"])[-1] == "print-site"  # the plugin wants to be last


def test_a_package_pinned_in_two_groups_has_one_pin() -> None:
    groups = tomllib.loads((REPO / "pyproject.toml").read_text())["dependency-groups"]
    pins: dict[str, set[str]] = {}
    for entries in groups.values():
        for entry in entries:
            if isinstance(entry, str):
                name, version = entry.split("==")
                pins.setdefault(name.lower(), set()).add(version)
    assert {name: versions for name, versions in pins.items() if len(versions) > 1} == {}
    assert {"playwright", "pillow", "pypdf", "mkdocs-print-site-plugin"} <= pins.keys()


@pytest.mark.xdist_group("site")
def test_home_page_links_the_pdf_and_the_bundle(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    for name in (pdf.DEFAULT_OUTPUT.name, bundle.DEFAULT_OUTPUT.name):
        assert f'<a href="{name}">' in home  # relative: beside index.html on Pages
    paragraph = re.search(r'<p class="print-site-plugin-ignore">(.*?)</p>', home, re.DOTALL)
    assert paragraph and pdf.DEFAULT_OUTPUT.name in paragraph[1]  # not repeated in the PDF


def test_pages_workflow_publishes_the_pdf_and_the_bundle() -> None:
    workflow = (REPO / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")
    assert re.search(r"^\s*run: make pages\s*$", workflow, re.MULTILINE)
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^pages:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe is not None
    for output in (pdf.DEFAULT_OUTPUT, bundle.DEFAULT_OUTPUT):
        assert f"build/{output.name}" in recipe[1] and "site/" in recipe[1]


# --- the print hook and the GIF stills ------------------------------------------------------


def test_print_html_keeps_light_figures_and_replaces_gifs_by_stills() -> None:
    html = (
        '<p><img alt="a" src="assets/figures/x/anim-light.gif#only-light" />'
        '<img alt="a" src="assets/figures/x/anim-dark.gif#only-dark" />'
        '<img alt="b" src="assets/figures/x/chart-light.png#only-light" />'
        '<a href="anim.gif">not an image</a></p>'
    )
    assert printable(html) == (
        '<p><img alt="a" src="assets/figures/x/anim-light-print.png#only-light" />'
        '<img alt="b" src="assets/figures/x/chart-light.png#only-light" />'
        '<a href="anim.gif">not an image</a></p>'
    )


def test_key_frames_run_from_the_first_to_the_last() -> None:
    assert key_frame_indices(10) == [0, 3, 6, 9]
    assert key_frame_indices(21) == [0, 7, 13, 20]
    assert key_frame_indices(3) == [0, 1, 2]
    with pytest.raises(ValueError, match="frame_count"):
        key_frame_indices(0)


def test_sheet_places_frames_left_to_right_then_down() -> None:
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (9, 9, 9)]
    frames = [Image.new("RGB", (30, 20), colour) for colour in colours]
    still = sheet(frames)
    assert still.size == (2 * 30 + GAP_PX, 2 * 20 + GAP_PX)
    corners = [(0, 0), (30 + GAP_PX, 0), (0, 20 + GAP_PX), (30 + GAP_PX, 20 + GAP_PX)]
    assert [still.getpixel(corner) for corner in corners] == colours
    assert still.getpixel((30, 0)) == colours[0]  # the gap has the first frame's background


# --- searchable Chinese text ----------------------------------------------------------------

SAMPLE_CMAP = """/CIDInit /ProcSet findresource begin
begincmap
1 begincodespacerange
<00> <FF>
endcodespacerange
3 beginbfchar
<41> <2F0A>
<42> <2ED3>
<43> <8F93>
endbfchar
1 beginbfrange
<50> <52> <0061>
endbfrange
endcmap
end
"""


def test_cmap_is_read_with_its_ranges_and_written_back() -> None:
    codespace, mapping = read_cmap(SAMPLE_CMAP)
    assert codespace == "<00> <FF>"
    assert mapping == {"41": "⼊", "42": "⻓", "43": "输", "50": "a", "51": "b", "52": "c"}
    assert read_cmap(write_cmap(codespace, mapping)) == (codespace, mapping)


def test_radicals_become_the_ideographs_they_are_drawn_as() -> None:
    fixed = fix_radicals(SAMPLE_CMAP, {"⻓": "长"})
    assert fixed is not None
    assert read_cmap(fixed)[1] == {
        "41": "入",
        "42": "长",
        "43": "输",
        "50": "a",
        "51": "b",
        "52": "c",
    }
    assert fix_radicals(write_cmap("<00> <FF>", {"43": "输"}), {}) is None


def test_noto_cjk_draws_the_simplified_radicals_as_ideographs() -> None:
    """The fonts Chromium prints Chinese with (Debian's fonts-noto-cjk, installed by make test)."""
    equivalents = radical_equivalents(font_faces())
    assert {radical: equivalents[radical] for radical in "⻓⻅⻔⼀"} == {
        "⻓": "长",
        "⻅": "见",
        "⻔": "门",
        "⼀": "一",
    }
