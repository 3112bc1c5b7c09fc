"""What every command of the book shares: an argparse parser that speaks Chinese and fails in
one line, a runner that prints any error as one line, and the lines a command prints as it goes.

``OneLineParser`` is the one parser of the repository (``cnnbook``'s commands, ``figures`` and
``benchmarks`` use it). It needs a Chinese ``description``, and its ``--help`` is Chinese too
(用法、位置参数、选项). A bad argument prints ``prog: error: …`` — one line, no usage block —
with argparse's own messages ("unrecognized arguments", "invalid choice", …) in Chinese, and
exits with status 2. ``run_command`` runs a command's body and turns every failure into one line
and exit status 1 (130 after Ctrl-C), never a traceback.

Every command says what it wrote with ``saved_line`` (``已保存 PATH（N 字节）``) and how long a
stage of a long run took with ``stage_line`` (``名称：12.3 s（累计 45 s）``).
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

from cnnbook.errors import CnnBookError

# argparse's own messages (its gettext strings, Python 3.11 to 3.13) → Chinese. A message that is
# not listed stays as argparse wrote it; tests/test_lenet_cli.py checks that every message
# argparse can raise for a user's command line is listed.
_TYPE_NAMES = {"int": "整数", "float": "数", "str": "字符串"}
_MESSAGES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"unrecognized arguments: (?P<args>.*)"), lambda m: f"无法识别的参数：{m['args']}"),
    (
        re.compile(r"invalid choice: (?P<value>.*?) \(choose from (?P<choices>.*)\)"),
        lambda m: f"无效的选项 {m['value']}（可选：{m['choices']}）",
    ),
    (re.compile(r"expected one argument"), lambda m: "需要一个值"),
    (re.compile(r"expected at most one argument"), lambda m: "最多只能给一个值"),
    (re.compile(r"expected at least one argument"), lambda m: "至少需要一个值"),
    (re.compile(r"expected (?P<count>\d+) arguments?"), lambda m: f"需要 {m['count']} 个值"),
    (
        re.compile(r"the following arguments are required: (?P<args>.*)"),
        lambda m: f"缺少必需的参数：{m['args']}",
    ),
    (
        re.compile(r"invalid (?P<type>\w+) value: (?P<value>.*)"),
        lambda m: f"{m['value']} 不是有效的{_TYPE_NAMES.get(m['type'], m['type'] + ' ')}值",
    ),
    (
        re.compile(r"not allowed with argument (?P<other>.*)"),
        lambda m: f"不能与 {m['other']} 同时使用",
    ),
    (
        re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)"),
        lambda m: f"选项 {m['option']} 有歧义，可能是 {m['matches']}",
    ),
    (
        re.compile(r"one of the arguments (?P<args>.*) is required"),
        lambda m: f"参数 {m['args']} 中必须给出一个",
    ),
    (re.compile(r"ignored explicit argument (?P<value>.*)"), lambda m: f"不接受值 {m['value']}"),
    (
        re.compile(r"argument (?P<name>\S+): (?P<rest>.*)", re.DOTALL),
        lambda m: f"参数 {m['name']}：{chinese_message(m['rest'])}",
    ),
]


def chinese_message(message: str) -> str:
    """argparse's English ``message`` in Chinese (unchanged if it is not one of argparse's)."""
    for pattern, chinese in _MESSAGES:
        match = pattern.fullmatch(message)
        if match:
            return chinese(match)
    return message


HAN = re.compile(r"[\u4e00-\u9fff]")
_CLOSING = "，。、；：？！）》」’”"  # never at the start of a line
_TOKENS = re.compile(r"[\u2e80-\uffff]|[^\s\u2e80-\uffff]+")


def display_width(text: str) -> int:
    """Terminal columns of ``text``: a Chinese character or full-width sign takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns (a closing sign may stick out): breaks
    between any two Chinese characters, and at spaces between other words."""
    lines, line = [], ""
    for token in _TOKENS.finditer(" ".join(text.split())):
        word = token.group()
        spaced = " " if line and token.string[token.start() - 1] == " " else ""
        if line and display_width(line + spaced + word) > width and word not in _CLOSING:
            lines.append(line)
            line, spaced = "", ""
        line += spaced + word
    return [*lines, line] if line else lines


class ChineseHelpFormatter(argparse.HelpFormatter):
    """argparse's help layout in Chinese: "用法：" for "usage:" (the same width, so wrapped lines
    of the usage stay aligned), a full-width colon after the section titles, and text wrapped
    by terminal columns (a Chinese character takes two)."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))

    def format_help(self) -> str:
        return re.sub(r"^(位置参数|选项):$", r"\1：", super().format_help(), flags=re.MULTILINE)

    def _format_usage(self, usage, actions, groups, prefix) -> str:  # type: ignore[override]
        text = super()._format_usage(usage, actions, groups, prefix)
        english = "usage: "
        if prefix is None and text.startswith(english):
            return "用法： " + text[len(english) :]
        return text


class OneLineParser(argparse.ArgumentParser):
    """argparse, but in Chinese: ``description`` must be Chinese, ``--help`` says 用法/位置参数/
    选项, and a bad argument prints one Chinese line (no usage block) and exits with 2."""

    def __init__(self, *, prog: str, description: str, **options) -> None:
        if not HAN.search(description or ""):
            raise ValueError(f"{prog} 的 description 必须是中文，得到 {description!r}")
        options.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(prog=prog, description=description, add_help=False, **options)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示这段帮助并退出")

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {chinese_message(message)}\n")


def positive_int(text: str) -> int:
    """An argparse type: an integer ≥ 1 (a thread count, a number of epochs or images)."""
    value = int(text) if text.isdecimal() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"必须是正整数，得到 {text!r}")
    return value


def seed_value(text: str) -> int:
    """An argparse type: a random seed, an integer from 0 to 2^63 - 1 (what PyTorch accepts)."""
    value = int(text) if text.isdecimal() else -1
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"必须是 0 到 2^63 - 1 之间的整数，得到 {text!r}")
    return value


def saved_line(path: Path) -> str:
    """What a command prints for every file it wrote: ``已保存 PATH（N 字节）``."""
    return f"已保存 {path}（{path.stat().st_size:,} 字节）"


def stage_line(name: str, seconds: float, total: float) -> str:
    """A progress line of a long run: how long stage ``name`` took, and the time so far."""
    return f"{name}：{seconds:.1f} s（累计 {total:.0f} s）"


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def run_command(
    prog: str, body: Callable[[argparse.Namespace], int], parser: argparse.ArgumentParser,
    argv: Sequence[str] | None,
) -> int:  # fmt: skip
    """Parse ``argv`` and run ``body``. A ``CnnBookError`` or ``OSError`` (bad input) prints its
    message; anything else prints "意外的错误" with the exception's type; both as one line on
    stderr and exit status 1. Ctrl-C prints "已中断" and exits with 130."""
    args = parser.parse_args(argv)
    try:
        return body(args)
    except (CnnBookError, OSError) as error:
        print(f"{prog}: error: {first_line(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: error: 已中断", file=sys.stderr)
        return 130
    except Exception as error:  # a bug or an unforeseen input: still one line, no traceback
        name = type(error).__name__
        print(f"{prog}: error: 意外的错误（{name}：{first_line(error)}）", file=sys.stderr)
        return 1
