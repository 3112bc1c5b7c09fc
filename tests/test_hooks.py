"""The MkDocs hooks' own logic, on small inputs (the built site is checked in test_site.py)."""

from pathlib import Path

import pytest
from pymdownx.slugs import slugify

from hooks.chapters import load_book
from hooks.cjk_lines import join_cjk_lines
from hooks.glossary import glossary_by_chapter, glossary_table, read_glossary
from hooks.notebooks import relink_headings, strip_remote_loaders


def test_glossary_rejects_a_malformed_line(tmp_path: Path) -> None:
    source = tmp_path / "abbreviations.md"
    source.write_text("*[通道]: channel — 深度方向的维度。\n*[卷积核] kernel\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"abbreviations\.md:2: expected"):
        read_glossary(source)


def test_glossary_table_rows(tmp_path: Path) -> None:
    source = tmp_path / "abbreviations.md"
    source.write_text("*[步长]: stride — 每次移动的像素数。\n\n", encoding="utf-8")
    assert glossary_table(read_glossary(source)).splitlines()[-1] == (
        "| 步长 | stride | 每次移动的像素数。 |"
    )


REGISTRY = """front_pages = []
back_pages = []
[[chapter]]
number = 1
title = "甲"
summary = "s"
status = "done"
pages = ["a.md", "examples/nb.ipynb"]
snippets = "a"
figures = "a"
tests = ["test_a.py"]
[[chapter]]
number = 2
title = "乙"
summary = "s"
status = "done"
pages = ["b.md"]
snippets = "b"
figures = "b"
tests = ["test_b.py"]
"""


def test_glossary_groups_terms_by_the_chapter_that_first_uses_them(tmp_path: Path) -> None:
    (tmp_path / "chapters.toml").write_text(REGISTRY, encoding="utf-8")
    docs, examples = tmp_path / "docs", tmp_path / "examples"
    docs.mkdir()
    examples.mkdir()
    front_matter = "---\nsymbols:\n  K: 感受野\n---\n"  # not read: 感受野 stays in chapter 2
    (docs / "a.md").write_text(front_matter + "先讲步长，再讲通道。", encoding="utf-8")
    (examples / "nb.py").write_text("# 卷积核", encoding="utf-8")
    (docs / "b.md").write_text("感受野与步长、通道。", encoding="utf-8")
    source = tmp_path / "abbreviations.md"
    lines = [f"*[{t}]: x — 定义。" for t in ["通道", "感受野", "卷积核", "步长", "偏置"]]
    source.write_text("\n".join(lines), encoding="utf-8")
    book = load_book(tmp_path / "chapters.toml")
    sections = glossary_by_chapter(read_glossary(source), book, docs).split("## ")[1:]
    terms = [[row.split(" | ")[0][2:] for row in s.splitlines()[4:] if row] for s in sections]
    assert [s.splitlines()[0] for s in sections] == ["第 1 章 甲", "第 2 章 乙", "其他"]
    assert terms == [["步长", "通道", "卷积核"], ["感受野"], ["偏置"]]


def test_line_breaks_next_to_chinese_are_removed() -> None:
    assert join_cjk_lines("局部连接：\n一个输出") == "局部连接：一个输出"
    assert join_cjk_lines("见 `F.unfold`\n。") == "见 `F.unfold`。"
    assert join_cjk_lines("two English\nwords") == "two English\nwords"


def test_notebook_headings_get_slugs_and_a_nested_toc() -> None:
    html = (
        '<h1 id="">动手</h1><h2 id="x">准备<a class="anchor-link" href="#x">¶</a></h2>'
        "<h2>准备</h2><h3>Step 1</h3>"
    )
    fixed, toc = relink_headings(html, slugify(case="lower"), "-")
    assert '<h2 id="准备">准备<a class="anchor-link" href="#准备">¶</a></h2>' in fixed
    assert '<h2 id="准备_1">' in fixed
    assert [t["id"] for t in toc] == ["动手"]
    assert [t["id"] for t in toc[0]["children"]] == ["准备", "准备_1"]
    assert [t["id"] for t in toc[0]["children"][1]["children"]] == ["step-1"]


def test_remote_loaders_are_stripped_and_others_kept() -> None:
    html = (
        '<script src=""> </script><script type="text/x-mathjax-config">x</script>'
        '<script type="module">import("https://cdn/mermaid.mjs")</script>'
        "<script>keep()</script>"
    )
    assert strip_remote_loaders(html) == "<script>keep()</script>"
