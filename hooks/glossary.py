"""MkDocs hook: glossary tooltips that work in Chinese text, and the glossary table.

``includes/abbreviations.md`` is the single source of the book's terms. pymdownx.snippets
appends it to every page (``auto_append``), so Python-Markdown's ``abbr`` extension turns each
term into ``<abbr title="…">``. Two things need help:

* ``abbr`` only matches a term between ``\\b`` word boundaries, and there is no boundary between
  two Chinese characters: 「输出的感受野很大」 would get no tooltip. We re-register its tree
  processor with boundaries that only keep ASCII terms (``BN``, ``FLOPs``) from matching inside
  longer ASCII words.
* The glossary page shows the same terms as a table, generated here so it never drifts.
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

ABBREVIATIONS_FILE = Path("includes/abbreviations.md")
GLOSSARY_PAGE = "glossary.md"
TABLE_MARKER = "<!-- glossary-table -->"
NO_TOOLTIP_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "a"}
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
    return markdown.replace(TABLE_MARKER, glossary_table(read_glossary(source)))
