"""One notation for the whole book: the symbol table of 符号与约定 (docs/conventions.md) and the
chapters that use it.

The page holds two machine-readable tables (between ``<!-- symbol-table -->`` and
``<!-- end-symbol-table -->``, and between ``<!-- term-table -->`` and ``<!-- end-term-table -->``).
For every chapter page this module checks:

* it links to the conventions page;
* every symbol it *defines* keeps the table's meaning. A definition is written in one of the
  forms Chinese textbooks use: ``记作 $X$`` / ``记为 $X$`` / ``记 … 为 $X$``, ``用 $X$ 表示 …``,
  ``$X$ 表示 …``, ``**术语** $X$``, ``术语（english）$X$``. If ``X`` is in the table, the words
  around the definition must share a word (two Chinese characters) with the table's meaning; if it
  is not, the page declares it in its front matter, ``symbols: {"m": 步长为 2 的下采样次数}``, and a
  declared symbol must not be one of the table's;
* none of the spellings the book gave up appears: a batch written ``(N, C, H, W)``, a bare
  ``\\log`` in a formula, the hyper-parameters as lower-case ``(k, s, p, d)``, the words the term
  table says not to write.
"""

from __future__ import annotations

import itertools
import re

import pytest
import yaml

from hooks.chapters import load_book
from hooks.glossary import read_glossary
from tests.helpers import page
from tests.paths import ABBREVIATIONS, DOCS

CONVENTIONS = "conventions.md"
CHAPTER_PAGES = [p for c in load_book().chapters for p in c.pages if p.endswith(".md")]
NOT_CHAPTERS = {"index.md", "glossary.md", CONVENTIONS}  # home page, glossary, this notation

MATH = r"\$(?P<symbol>[^$\n]{1,24}?)\$"
DEFINITIONS = [  # (pattern, which group holds the words that say what the symbol means)
    re.compile(rf"(?P<words>[^。；！？\n]{{0,16}})(?:记作|记为)\s*{MATH}"),
    re.compile(rf"记\s*(?P<words>[^。；，\n$]{{1,16}})\s*为\s*{MATH}"),
    re.compile(rf"用\s*{MATH}\s*(?:表示|代表)(?P<words>[^。；，\n]{{1,16}})"),
    re.compile(rf"(?<!用)\s{MATH}\s*(?:表示|代表)(?P<words>[^。；，\n]{{1,16}})"),
    re.compile(
        rf"\*\*(?P<words>[^*\n]{{1,16}})\*\*(?:（[^）\n]*）)?\s*{MATH}(?=\s*[：:，,（(。；]|\s*$)",
        re.MULTILINE,
    ),
    re.compile(rf"(?P<words>[\u4e00-\u9fff]{{2,10}})（[A-Za-z][A-Za-z ,\-]*）\s*{MATH}"),
]
SYMBOL = re.compile(r"\\?[A-Za-z]+(?:'|_\{?[^=<>]{1,12}\}?)?|\\hat\{[A-Z]\}(?:_\w+)?")  # one symbol
GIVEN_UP = [  # (what, pattern in the page with code, macros and links removed)
    ("批大小写作 B，不写 N", re.compile(r"\(N,\s*C(?:_\\text\{in\})?,\s*H,\s*W\)")),
    ("公式里写 \\ln 或 \\log_2，不写不带底的 \\log", re.compile(r"\\log(?!_)(?![a-z])")),
    ("超参数用大写 (K, S, P, D)", re.compile(r"\(k,\s*s,\s*p(?:,\s*d)?\)")),
    (
        "空洞只有一种说法：相邻两个取样点之间隔开 $D - 1$ 个像素",
        re.compile(r"相隔\s*\$D\$\s*个像素|隔开\s*\$?d\s*[-−]\s*1"),
    ),
]


def table_rows(text: str, name: str) -> list[list[str]]:
    """The cells of the Markdown table between ``<!-- name -->`` and ``<!-- end-name -->``."""
    match = re.search(rf"<!-- {name} -->(.*?)<!-- end-{name} -->", text, re.DOTALL)
    if match is None:
        raise ValueError(f"{CONVENTIONS}: no table between <!-- {name} --> markers")
    rows = [line for line in match[1].splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def normalized(symbol: str) -> str:
    """``C_{\\text{in}}`` and ``C_\\text{in}`` are one symbol; spaces and braces do not count."""
    return re.sub(r"[\s{}]", "", symbol)


def book_symbols(text: str) -> dict[str, str]:
    """``{symbol: meaning}`` from the conventions page's symbol table."""
    symbols = {}
    for cells in table_rows(text, "symbol-table"):
        match = re.fullmatch(r"\$([^$]+)\$", cells[0])
        if match is None:
            raise ValueError(f"{CONVENTIONS}: the first cell must be one $symbol$: {cells[0]!r}")
        symbols[normalized(match[1])] = cells[1].replace("**", "")
    return symbols


def given_up_terms(text: str) -> dict[str, str]:
    """``{word not to write: word to write}`` from the term table."""
    return {cells[1]: cells[0] for cells in table_rows(text, "term-table")}


def lookup(symbol: str, symbols: dict[str, str]) -> str | None:
    """The table's key for ``symbol``: itself, or its per-layer form (``R_L``, ``S_{l-1}`` and
    ``K_3`` are ``R_l``, ``S_l``, ``K_l``), or the letter of a per-layer row (``S_l`` is ``S``)."""
    key = normalized(symbol)
    per_layer = re.sub(r"_(?:l-1|l|L|\d)$", "_l", key)
    for candidate in (key, per_layer):
        if candidate in symbols:
            return candidate
    if per_layer.endswith("_l") and per_layer[:-2] in symbols:
        return per_layer[:-2]
    return None


def words(text: str) -> set[str]:
    """Pairs of neighbouring Chinese characters: the words two phrases can share."""
    han = re.sub(r"\$[^$]*\$|[^\u4e00-\u9fff]", " ", text)
    return {a + b for chunk in han.split() for a, b in itertools.pairwise(chunk)}


def reader_text(markdown: str) -> str:
    """The prose and its math, without front matter, code, macros, includes and link targets."""
    text = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.DOTALL)
    for pattern in [
        r"^(?P<f>\s*(`{3,}|~{3,})).*?^\s*\2\s*$",
        r"\{\{.*?\}\}",
        r"`[^`\n]+`",
        r"<!--.*?-->",
        r"\]\([^)\s]*\)",
        r"^\s*--8<--.*$",
    ]:
        text = re.sub(pattern, " ", text, flags=re.DOTALL | re.MULTILINE)
    return text


def defined_symbols(text: str) -> list[tuple[str, str, str]]:
    """``(symbol, the words that define it, the matched text)`` for every definition."""
    found = []
    for pattern in DEFINITIONS:
        for match in pattern.finditer(text):
            symbol = match["symbol"].strip()
            if SYMBOL.fullmatch(symbol):
                found.append((symbol, match["words"], match[0]))
    return found


def conflicts(text: str, symbols: dict[str, str], local: dict[str, str]) -> list[str]:
    """Definitions that give a table symbol another meaning, or define an undeclared symbol."""
    problems = []
    for symbol, defining, matched in defined_symbols(text):
        key = lookup(symbol, symbols)
        if key is None:
            if normalized(symbol) not in map(normalized, local):
                problems.append(
                    f"${symbol}$ 不在符号表里，在 front matter 的 symbols 说明：{matched!r}"
                )
        elif not words(defining) & words(symbols[key]):
            problems.append(f"${symbol}$ 在符号表里是“{symbols[key]}”，这里却是：{matched!r}")
    return problems


SYMBOLS = book_symbols(page(CONVENTIONS))
TERMS = given_up_terms(page(CONVENTIONS))


def test_the_table_holds_the_books_notation() -> None:
    for symbol in ["K", "S", "P", "D", "G", "H", "W", "H'", "W'", "B", "C_\\text{in}", "R_l"]:
        assert normalized(symbol) in SYMBOLS, symbol
    dilation_row = next(line for line in page(CONVENTIONS).splitlines() if line.startswith("| $D$"))
    assert "隔开 $D - 1$ 个像素" in dilation_row  # the book's one wording for dilation
    assert TERMS["外包区间"] == "外接区间"


def test_the_detector_on_examples() -> None:
    text = (
        "批大小记作 $B$。**跳距**（jump）$J_l$：相邻两个。类别数（classes）$K$ 个。"
        "用 $m$ 表示下采样次数。步长（stride）$S$ 决定间隔。"
        # emphasis right before a symbol is no definition
        "每个滤波器覆盖**全部** $C_\\text{in}$ 个输入通道。"
    )
    found = {symbol: defining for symbol, defining, _ in defined_symbols(text)}
    assert found == {"B": "批大小", "J_l": "跳距", "K": "类别数", "m": "下采样次数", "S": "步长"}
    problems = conflicts(text, SYMBOLS, local={"m": "下采样次数"})
    assert len(problems) == 1 and "$K$" in problems[0]
    assert any("$m$" in problem for problem in conflicts(text, SYMBOLS, local={}))
    assert lookup("R_L", SYMBOLS) == "R_l" and lookup("S_{l-1}", SYMBOLS) == "S"
    assert lookup("C_{\\text{out}}", SYMBOLS) == normalized("C_\\text{out}")
    assert lookup("N", SYMBOLS) is None


def test_the_given_up_spellings_are_found() -> None:
    examples = ["$(N, C, H, W)$", "$\\log p$"]
    found = [what for what, pattern in GIVEN_UP for text in examples if pattern.search(text)]
    assert len(found) == 2
    assert not any(p.search("$\\log_2 n$ 与 $\\ln x$") for _, p in GIVEN_UP)


@pytest.mark.parametrize("path", CHAPTER_PAGES)
def test_every_chapter_links_to_the_conventions(path: str) -> None:
    text = page(path)
    link = "](../conventions.md)" if "/" in path else "](conventions.md)"
    assert link in text.split("\n## ")[0], f"{path}: link to 符号与约定 near the top"


@pytest.mark.parametrize("path", CHAPTER_PAGES)
def test_no_chapter_gives_a_book_symbol_another_meaning(path: str) -> None:
    markdown = page(path)
    front = re.match(r"\A---\n(.*?)\n---\n", markdown, re.DOTALL)
    local = (yaml.safe_load(front[1]) or {}).get("symbols", {}) if front else {}
    clash = sorted(s for s in local if lookup(s, SYMBOLS) is not None)
    assert clash == [], f"{path}: front matter symbols redefine the book's {clash}"
    assert conflicts(reader_text(markdown), SYMBOLS, local) == []


@pytest.mark.parametrize("path", CHAPTER_PAGES)
def test_no_chapter_uses_a_given_up_spelling(path: str) -> None:
    text = reader_text(page(path))
    for what, pattern in GIVEN_UP:
        assert not pattern.search(text), f"{path}: {what}"
    for wrong, right in TERMS.items():
        assert wrong not in text, f"{path}: 写“{right}”，不写“{wrong}”"


GLOSSARY_GIVEN_UP = [  # (what, pattern) in the glossary's plain-text definitions
    ("批大小写作 B，不写 N", re.compile(r"\(N,\s*C")),
    (
        "分组数写作 G、空洞率写作 D",
        re.compile(r"1/[gN]\b|\b[gd]\s*[−-]\s*1\b|\bd\s*\(K|\bg\s*[组行]"),
    ),
    ("对数写作 ln 或 log₂", re.compile(r"(?<![\w-])log(?![\w₂_-])")),
    ("空洞只有一种说法：隔开 D − 1 个像素", re.compile(r"相隔")),
]


def test_the_glossary_words_dilation_as_the_book_does() -> None:
    entries = {e["term"]: e["meaning"] for e in read_glossary(ABBREVIATIONS)}
    for term in ["空洞率", "空洞卷积"]:
        assert "隔开 D − 1 个像素" in entries[term], term
    assert not any(p.search(m) for m in entries.values() for _, p in GIVEN_UP[-1:])


def test_the_glossary_uses_the_books_notation_and_terms() -> None:
    entries = read_glossary(ABBREVIATIONS)
    for entry in entries:
        for what, pattern in GLOSSARY_GIVEN_UP:
            assert not pattern.search(entry["meaning"]), f"{entry['term']}: {what}"
        for wrong, right in TERMS.items():
            assert wrong not in entry["meaning"], f"{entry['term']}: 写“{right}”，不写“{wrong}”"
    examples = [
        "(N, C, H, W)",
        "参数量变为 1/g",
        "分成 g 组",
        "隔开 d − 1 个像素",
        "log p",
        "相隔 D",
    ]
    assert all(any(p.search(e) for _, p in GLOSSARY_GIVEN_UP) for e in examples)
    assert not any(p.search("log-softmax 与 log₂ 及 ln") for _, p in GLOSSARY_GIVEN_UP)


def test_the_glossary_has_one_line_per_term() -> None:
    entries = read_glossary(ABBREVIATIONS)
    terms = [e["term"] for e in entries]
    english = [e["english"].split(",")[0].strip().lower() for e in entries]
    assert sorted(t for t in set(terms) if terms.count(t) > 1) == []
    assert sorted(t for t in set(english) if english.count(t) > 1) == []


def test_every_page_but_home_glossary_and_conventions_is_checked() -> None:
    pages = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    assert pages >= NOT_CHAPTERS
    assert pages - NOT_CHAPTERS == set(CHAPTER_PAGES)
