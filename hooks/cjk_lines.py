"""MkDocs hook: a line break inside Chinese prose does not become a space.

Markdown sources are wrapped at about 100 characters for readable diffs, and browsers render
every source line break as a space: 「验证了局部连接：␣一个卷积输出」. A tree processor removes
the break (and the blanks around it) when the character on either side is Chinese text or
full-width punctuation. Code, math and raw HTML are untouched (they are atomic strings).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString
from mkdocs.config.defaults import MkDocsConfig

CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2018\u2019\u201c\u201d\u2014\u2026"
BREAK_NEXT_TO_CJK = re.compile(rf"(?<=[{CJK}])[ \t]*\n[ \t]*|[ \t]*\n[ \t]*(?=[{CJK}])")
SKIPPED_TAGS = {"pre", "code", "script", "style", "textarea"}


def join_cjk_lines(text: str) -> str:
    return BREAK_NEXT_TO_CJK.sub("", text)


class CjkLineJoiner(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag not in SKIPPED_TAGS and is_plain(element.text):
                element.text = join_cjk_lines(element.text)
            if is_plain(element.tail):
                element.tail = join_cjk_lines(element.tail)


def is_plain(text: str | None) -> bool:
    return bool(text) and "\n" in text and not isinstance(text, AtomicString)


class CjkLinesExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # after inline parsing (priority 20), so code spans and math are atomic by now
        md.treeprocessors.register(CjkLineJoiner(md), "cjk_lines", 6)


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    config.markdown_extensions.append(CjkLinesExtension())
    return config
