"""What every command of the book shares: an argparse parser that fails in one Chinese line, and
a runner that prints any error as one line.

``OneLineParser`` is the one parser of the repository (``cnnbook``'s commands, ``figures`` and
``benchmarks`` use it): a bad argument prints ``prog: error: …`` — one line, no usage block —
with argparse's own messages ("unrecognized arguments", "invalid choice", …) in Chinese, and
exits with status 2. ``run_command`` runs a command's body and turns every failure into one line
and exit status 1 (130 after Ctrl-C), never a traceback.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence

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


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad argument prints one Chinese line (no usage block) and exits with 2."""

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
