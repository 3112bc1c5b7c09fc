"""The MkDocs hooks' own logic, on small inputs (the built site is checked in test_site.py)."""

from pathlib import Path

import pytest
from pymdownx.slugs import slugify

from hooks.cjk_lines import join_cjk_lines
from hooks.glossary import glossary_table, read_glossary
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
