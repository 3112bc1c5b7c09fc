"""Refresh the Chinese font the figures are drawn with: ``make vendor-font``.

Figure labels are Chinese, and a figure must be reproducible bit for bit, so the font is part
of the repository rather than whatever the machine has. This writes a subset of Noto Sans CJK
SC Regular (SIL Open Font License 1.1, see ``figures/fonts/OFL.txt``), renamed "CNN Book Sans SC"
as the licence asks of a modified font, with

* the 3,755 characters of GB 2312 level 1 (the common Chinese characters),
* every other Chinese character the figure scripts use,
* ASCII, Latin-1, Greek, general punctuation and the math signs figures need,
* CJK and full-width punctuation.

The source is Debian's fonts-noto-cjk package at exactly ``DEBIAN_VERSION`` (what ``make test``
installs), so the same command writes the same file on every machine.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

from cnnbook.cli import OneLineParser, saved_line

REPO = Path(__file__).resolve().parent.parent
FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILE = FONT_DIR / "CnnBookSansSC-Regular.otf"
FAMILY = "CNN Book Sans SC"
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_FACE = 2  # Noto Sans CJK SC in the collection
DEBIAN_PACKAGE = "fonts-noto-cjk"
DEBIAN_VERSION = "1:20220127+repack1-1"
SCANNED = ("figures",)  # where figure labels are written
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
EXTRA_RANGES = [
    (0x20, 0x7E),  # ASCII
    (0xA0, 0x17F),  # Latin-1 and Latin Extended-A
    (0x391, 0x3C9),  # Greek
    (0x2000, 0x206F),  # general punctuation (dashes, quotes, …)
    (0x2070, 0x209F),  # superscripts and subscripts
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators
    (0x3000, 0x303F),  # CJK punctuation
    (0xFF01, 0xFF5E),  # full-width forms
]


def gb2312_level_1() -> str:
    chars = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def used_han() -> str:
    found: set[str] = set()
    for folder in SCANNED:
        for path in (REPO / folder).rglob("*"):
            if path.suffix in {".md", ".py", ".out", ".ipynb"} and path.is_file():
                found.update(HAN.findall(path.read_text(encoding="utf-8")))
    return "".join(sorted(found))


def character_set() -> str:
    ranges = "".join(chr(c) for start, end in EXTRA_RANGES for c in range(start, end + 1))
    return "".join(sorted(set(gb2312_level_1() + used_han() + ranges)))


def installed_version() -> str:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", DEBIAN_PACKAGE],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() if result.returncode == 0 else ""


def write_subset(target: Path) -> Path:
    version = installed_version()
    if version != DEBIAN_VERSION:
        raise ValueError(
            f"需要 Debian 软件包 {DEBIAN_PACKAGE} {DEBIAN_VERSION}，本机是 {version or '未安装'}"
        )
    font = TTCollection(str(SOURCE)).fonts[SOURCE_FACE]
    options = subset.Options()
    options.hinting = False  # the figures are rendered by FreeType's autohinter-free path
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=character_set())
    subsetter.subset(font)
    names = font["name"]
    for record in names.names:
        if record.nameID in (1, 4, 16):
            record.string = FAMILY
        elif record.nameID == 3:
            record.string = f"{FAMILY} subset of Noto Sans CJK SC 2.004"
        elif record.nameID == 6:
            record.string = "CnnBookSansSC-Regular"
    font.recalcTimestamp = False  # keep the source's dates: no timestamp of this run
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(target))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(
        prog="figures.vendor_font",
        description="重新截取图中所用的中文字体子集（make vendor-font）："
        "常用汉字，加上图的脚本用到的每个字。",
    )
    where = FONT_FILE.relative_to(REPO)
    parser.add_argument("--out", type=Path, default=FONT_FILE, metavar="FILE",
                        help=f"输出的字体文件（默认 {where}）")  # fmt: skip
    args = parser.parse_args(argv)
    try:
        print(saved_line(write_subset(args.out)))
    except (OSError, ValueError) as error:
        parser.exit(1, f"figures.vendor_font: error: {error}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
