"""Make the PDF's Chinese text search and copy as the characters the book wrote.

Noto Sans CJK draws 入 (U+5165) and the Kangxi radical ⼊ (U+2F0A) with one glyph, and 长 and the
radical ⻓ (U+2ED3) with another. When Chromium embeds a font it writes one character per glyph
into the font's ``/ToUnicode`` map, and picks the radical (the lower code point): the page shows
输入, but a search for 输入 finds nothing and copying gives 输⼊.

``fix_radicals`` rewrites such a map so that each radical (Kangxi Radicals, CJK Radicals
Supplement) becomes its ideograph: the compatibility form Unicode defines (NFKC: ⼊ → 入), else
the one ideograph that shares the radical's glyph in the CJK fonts Chromium printed with
(``radical_equivalents``: ⻓ → 长). The book's text contains no radicals (tests/test_pdf.py
checks), so nothing it meant is lost.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections import defaultdict

from fontTools.ttLib import TTFont

RADICAL = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf]")
IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003ffff]")
# The faces fontconfig gives Chinese text in Chromium: body text and code.
CJK_PATTERNS = ("sans-serif:lang=zh-cn", "monospace:lang=zh-cn")
CODESPACE = re.compile(r"begincodespacerange\s*(?P<ranges>.*?)\s*endcodespacerange", re.DOTALL)
BFCHAR = re.compile(r"beginbfchar(?P<body>.*?)endbfchar", re.DOTALL)
BFRANGE = re.compile(r"beginbfrange(?P<body>.*?)endbfrange", re.DOTALL)
CHAR_ENTRY = re.compile(r"<(?P<code>[0-9A-Fa-f]+)>\s*<(?P<text>[0-9A-Fa-f]*)>")
RANGE_ENTRY = re.compile(
    r"<(?P<low>[0-9A-Fa-f]+)>\s*<(?P<high>[0-9A-Fa-f]+)>\s*"
    r"(?:<(?P<start>[0-9A-Fa-f]*)>|\[(?P<texts>[^\]]*)\])"
)
HEX = re.compile(r"<([0-9A-Fa-f]*)>")
ENTRIES_PER_BLOCK = 100  # the most one beginbfchar block may hold

TEMPLATE = """/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo
<<  /Registry (Adobe)
/Ordering (UCS)
/Supplement 0
>> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
{codespace}
endcodespacerange
{blocks}endcmap
CMapName currentdict /CMap defineresource pop
end
end
"""


def decode(hex_text: str) -> str:
    return bytes.fromhex(hex_text).decode("utf-16-be")


def encode(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def read_cmap(cmap: str) -> tuple[str, dict[str, str]]:
    """A ToUnicode map's codespace ranges (verbatim) and its code (hex, as written) → text."""
    codespace = CODESPACE.search(cmap)
    if codespace is None:
        raise ValueError("a ToUnicode map without a codespace range")
    mapping: dict[str, str] = {}
    for block in BFCHAR.finditer(cmap):
        for entry in CHAR_ENTRY.finditer(block["body"]):
            mapping[entry["code"]] = decode(entry["text"])
    for block in BFRANGE.finditer(cmap):
        for entry in RANGE_ENTRY.finditer(block["body"]):
            low, high, width = int(entry["low"], 16), int(entry["high"], 16), len(entry["low"])
            if entry["texts"] is not None:
                texts = [decode(text) for text in HEX.findall(entry["texts"])]
            else:  # consecutive codes, consecutive last characters
                start = decode(entry["start"])
                texts = [start[:-1] + chr(ord(start[-1]) + k) for k in range(high - low + 1)]
            for offset, text in enumerate(texts[: high - low + 1]):
                mapping[f"{low + offset:0{width}X}"] = text
    return codespace["ranges"], mapping


def write_cmap(codespace: str, mapping: dict[str, str]) -> str:
    entries = [f"<{code}> <{encode(text)}>" for code, text in sorted(mapping.items())]
    blocks = ""
    for start in range(0, len(entries), ENTRIES_PER_BLOCK):
        chunk = entries[start : start + ENTRIES_PER_BLOCK]
        blocks += f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar\n"
    return TEMPLATE.format(codespace=codespace, blocks=blocks)


def font_faces(patterns: tuple[str, ...] = CJK_PATTERNS) -> set[tuple[str, int]]:
    """(file, index in a collection) of the face fontconfig picks for each pattern."""
    faces = set()
    for pattern in patterns:
        found = subprocess.run(
            ["fc-match", "--format=%{file}\t%{index}", pattern],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        path, index = found.split("\t")
        faces.add((path, int(index)))
    return faces


def radical_equivalents(faces: set[tuple[str, int]]) -> dict[str, str]:
    """Radical → the ideograph drawn with the same glyph, where every face agrees on one."""
    proposals: dict[str, set[str]] = defaultdict(set)
    for path, index in sorted(faces):
        cmap = TTFont(path, fontNumber=index, lazy=True).getBestCmap()
        characters: dict[str, list[str]] = defaultdict(list)
        for code_point, glyph in cmap.items():
            characters[glyph].append(chr(code_point))
        for sharing in characters.values():
            radicals = [c for c in sharing if RADICAL.match(c)]
            ideographs = [c for c in sharing if IDEOGRAPH.match(c)]
            for radical in radicals:
                proposals[radical].add(ideographs[0] if len(ideographs) == 1 else "")
    return {
        radical: ideograph.pop()
        for radical, ideograph in proposals.items()
        if len(ideograph) == 1 and "" not in ideograph
    }


def unified(text: str, equivalents: dict[str, str]) -> str:
    def ideograph(radical: re.Match[str]) -> str:
        compatible = unicodedata.normalize("NFKC", radical[0])
        return compatible if compatible != radical[0] else equivalents.get(radical[0], radical[0])

    return RADICAL.sub(ideograph, text)


def fix_radicals(cmap: str, equivalents: dict[str, str]) -> str | None:
    """The map with radicals replaced by their ideographs, or None if it maps to no radical."""
    codespace, mapping = read_cmap(cmap)
    if not any(RADICAL.search(text) for text in mapping.values()):
        return None
    fixed = {code: unified(text, equivalents) for code, text in mapping.items()}
    return write_cmap(codespace, fixed)
