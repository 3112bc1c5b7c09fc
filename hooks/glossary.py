"""MkDocs hook: glossary tooltips that work in Chinese text, and the glossary table.

``includes/abbreviations.md`` is the single source of the book's terms. pymdownx.snippets
appends it to every page (``auto_append``), so Python-Markdown's ``abbr`` extension turns each
term into ``<abbr title="…">``. Two things need help:

* ``abbr`` only matches a term between ``\\b`` word boundaries, and there is no boundary between
  two Chinese characters: 「输出的感受野很大」 would get no tooltip. We re-register its tree
  processor with boundaries that only keep ASCII terms (``BN``, ``FLOPs``) from matching inside
  longer ASCII words.
* The glossary page shows the same terms as tables, generated here so it never drifts: one
  table per chapter, each term under the chapter where the book first uses it, in the order of
  that first use. The chapters and their reading order come from ``chapters.toml``; nobody
  tags a term with its chapter by hand.
* Material's search segments Chinese with jieba; the terms are added to jieba's dictionary so
  that 卷积核 is indexed as one word (jieba alone splits it into 卷积 + 核).
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown import Extension, Markdown
from markdown.extensions.abbr import AbbrTreeprocessor
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

try:  # imported as hooks.glossary (tests), or loaded by MkDocs with hooks/ on sys.path
    from hooks.chapters import Book, load_book
except ModuleNotFoundError:
    from chapters import Book, load_book  # type: ignore[no-redef]

ABBREVIATIONS_FILE = Path("includes/abbreviations.md")
GLOSSARY_PAGE = "glossary.md"
TABLE_MARKER = "<!-- glossary-table -->"
NO_TOOLTIP_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "a"}
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
DEFINITION = re.compile(r"^\*\[(?P<term>[^\]]+)\]:\s*(?P<english>.+?)\s+—\s+(?P<meaning>.+)$")


class CjkAbbrTreeprocessor(AbbrTreeprocessor):
    """``abbr``'s tree processor, with word boundaries that only guard ASCII words.

    Headings and links are left alone: a dotted underline there reads as noise.
    """

    def iter_element(self, el, parent=None):  # same signature as the parent class
        if el.tag not in NO_TOOLTIP_TAGS:
            super().iter_element(el, parent)

    def run(self, root):  # same signature as the parent class
        if not self.abbrs:
            return
        terms = sorted(self.abbrs, key=len, reverse=True)
        alternatives = "|".join(re.escape(term) for term in terms)
        self.RE = re.compile(rf"(?<![A-Za-z0-9_])(?:{alternatives})(?![A-Za-z0-9_])")
        self.iter_element(root)


class CjkAbbrExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        if "abbr" not in md.treeprocessors:
            raise ValueError("mkdocs.yml: the 'abbr' markdown extension must be enabled")
        shared_terms = md.treeprocessors["abbr"].abbrs
        md.treeprocessors.register(CjkAbbrTreeprocessor(md, shared_terms), "abbr", 7)


def read_glossary(path: Path) -> list[dict[str, str]]:
    """Parse ``*[术语]: English — 定义`` lines; any other non-blank line is an error."""
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        match = DEFINITION.match(line)
        if match is None:
            raise ValueError(f"{path}:{number}: expected '*[术语]: English — 定义', got {line!r}")
        entries.append(match.groupdict())
    return entries


def glossary_table(entries: list[dict[str, str]]) -> str:
    rows = ["| 中文 | English | 定义 |", "| --- | --- | --- |"]
    rows += [f"| {e['term']} | {e['english']} | {e['meaning']} |" for e in entries]
    return "\n".join(rows)


def page_source(page: str, docs_dir: Path) -> str:
    """The text a reader reads on ``page``: its Markdown without the front matter, or a
    notebook's jupytext source."""
    if page.endswith(".ipynb"):
        path = docs_dir.parent / "examples" / Path(page).with_suffix(".py").name
    else:
        path = docs_dir / page
    return FRONT_MATTER.sub("", path.read_text(encoding="utf-8"), count=1)


def first_uses(
    entries: list[dict[str, str]], book: Book, docs_dir: Path
) -> dict[str, tuple[int, int, int]]:
    """``{term: (chapter number, page index, position)}`` of each term's first use in reading
    order; a term no chapter uses is left out."""
    found: dict[str, tuple[int, int, int]] = {}
    for chapter in book.chapters:
        for index, page in enumerate(chapter.pages):
            text = page_source(page, docs_dir)
            for entry in entries:
                position = text.find(entry["term"])
                if entry["term"] not in found and position >= 0:
                    found[entry["term"]] = (chapter.number, index, position)
    return found


def glossary_by_chapter(entries: list[dict[str, str]], book: Book, docs_dir: Path) -> str:
    """One heading and table per chapter, the terms in the order the chapter first uses them;
    terms that no chapter uses come last, under 其他."""
    uses = first_uses(entries, book, docs_dir)
    sections = []
    for chapter in book.chapters:
        mine = sorted((e for e in entries if uses.get(e["term"], (0,))[0] == chapter.number),
                      key=lambda e: uses[e["term"]])  # fmt: skip
        if mine:
            heading = f"## 第 {chapter.number} 章 {chapter.title}"
            sections.append(f"{heading}\n\n{glossary_table(mine)}")
    unused = [e for e in entries if e["term"] not in uses]
    if unused:
        sections.append(f"## 其他\n\n{glossary_table(unused)}")
    return "\n\n".join(sections)


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    config.markdown_extensions.append(CjkAbbrExtension())
    import jieba  # the segmenter Material's search plugin uses (same process)

    for entry in read_glossary(Path(config.config_file_path).parent / ABBREVIATIONS_FILE):
        jieba.add_word(entry["term"])
    return config


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if page.file.src_uri != GLOSSARY_PAGE:
        return markdown
    if TABLE_MARKER not in markdown:
        raise ValueError(f"{GLOSSARY_PAGE} must contain the marker {TABLE_MARKER}")
    source = Path(config.config_file_path).parent / ABBREVIATIONS_FILE
    tables = glossary_by_chapter(read_glossary(source), load_book(), Path(config.docs_dir))
    return markdown.replace(TABLE_MARKER, tables)
