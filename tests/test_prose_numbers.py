"""One source for every number: the prose quotes results through macros, never by hand.

A result in the prose (a count, a ratio, an accuracy, an error) is written as a macro that reads
the file the code wrote (``{{ out(...) }}``, ``{{ data(...) }}``, ``{{ calc(...) }}``, see
``hooks/macros.py``). A number typed by hand needs a reason, given in the page's front matter::

    ---
    hand_numbers:
      "224": ImageNet 图像的边长（约定的输入尺寸，不是计算结果）
    ---

Which numbers count: outside code, math, macros, links and HTML tags, every number with a
decimal point, a percent sign or an exponent, and every integer from 100 up (years 1900–2099
and numbers that are part of a name, such as ResNet-50 or conv1, excepted). Small integers
(kernel 3, 6 channels) are the vocabulary of the text, not results. Math is checked by each
chapter's formula tests instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import front_matter
from tests.paths import DOCS

PAGES = sorted(DOCS.rglob("*.md"))
HIDDEN = [
    re.compile(pattern, flags)
    for pattern, flags in [
        (r"^(?P<fence>`{3,}|~{3,}).*?^\s*(?P=fence)\s*$", re.DOTALL | re.MULTILINE),
        (r"^\s*(`{3,}|~{3,}).*?^\s*\1\s*$", re.DOTALL | re.MULTILINE),
        (r"\{\{.*?\}\}", re.DOTALL),  # macros
        (r"\$\$.*?\$\$", re.DOTALL),  # display math
        (r"(?<!\\)\$[^$\n]+?(?<!\\)\$", 0),  # inline math
        (r"`[^`\n]+`", 0),  # inline code
        (r"<!--.*?-->", re.DOTALL),
        (r"<[^>\n]+>", 0),  # tags (their text stays)
        (r"\]\([^)\s]*\)", 0),  # link targets
        (r"^\s*--8<--.*$", re.MULTILINE),
        (r"^\*\[[^\]]+\]:.*$", re.MULTILINE),  # abbreviation definitions
        (r"\{[:#.][^}\n]*\}", 0),  # attribute lists
        (r"#[\w-]*only-(?:light|dark)", 0),
        (r"\b[A-Za-z]\w*-\d+(?:/\d+)+", 0),  # names: ResNet-50/101/152
        (r"\b(?:Python|PyTorch|torchvision|MkDocs|KaTeX|Material)\s+\d+(?:\.\d+)+", 0),  # versions
    ]
]
NUMBER = re.compile(
    r"(?<![\w.\-])(?<![A-Za-z]-)[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?%?(?![\w])"
)


def prose(text: str) -> str:
    """``text`` without the parts that are not prose (code, math, macros, markup)."""
    for pattern in HIDDEN:
        text = pattern.sub(" ", text)
    return text


def is_significant(token: str) -> bool:
    digits = re.sub(r"\D", "", token.split("e")[0].split("E")[0])
    if re.fullmatch(r"(19|20)\d\d", token):
        return False
    return any(mark in token for mark in ".%eE") or int(digits or 0) >= 100


def hand_typed_numbers(text: str) -> list[str]:
    return [m.group() for m in NUMBER.finditer(prose(text)) if is_significant(m.group())]


def test_the_scanner_finds_results_and_skips_the_rest() -> None:
    text = (
        "准确率 99.16%，参数 61,706 个，误差 3.88e-07，137/256 个神经元，1998 年的 LeNet-5，\n"
        "ResNet-50/101/152 的 conv1，Python 3.11，3×3 卷积核，"
        '$0.5$ 与 `0.25` 与 {{ out("a", "b") }}，'
        '[链接](../x-100.md) <img src="a-200.png"> 的 6 个通道\n'
        "```python\nprint(12345)\n```\n"
    )
    assert hand_typed_numbers(text) == ["99.16%", "61,706", "3.88e-07", "137", "256"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_every_number_in_the_prose_has_a_source(page: Path) -> None:
    meta, body = front_matter(page.read_text(encoding="utf-8"))
    reasons = meta.get("hand_numbers", {}) or {}
    assert all(isinstance(r, str) and r.strip() for r in reasons.values()), "give each a reason"
    found = hand_typed_numbers(body)
    unexplained = sorted({token for token in found if str(token) not in reasons})
    assert unexplained == [], (
        f"{page.relative_to(DOCS)}: quote these through a macro (hooks/macros.py) "
        f"or give a reason in the front matter's hand_numbers: {unexplained}"
    )
    stale = sorted(set(map(str, reasons)) - set(found))
    assert stale == [], f"{page.relative_to(DOCS)}: hand_numbers lists unused {stale}"
