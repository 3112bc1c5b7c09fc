"""MkDocs hook: numbers in the prose come from the files the code wrote, never from a keyboard.

A page writes ``{{ out("lenet/lenet_model", "fc1") }}`` where it quotes a number. At build
time the macro is replaced by that number, read from the stored output of the snippet
``snippets/lenet/lenet_model.py`` (its ``.out`` file, which a test regenerates and compares).
So the page, the output and the code cannot drift apart: there is one source for each number.

Three macros, written as Python calls between ``{{`` and ``}}``:

``out(snippet, label, n=1, *, fmt=None, scale=1)``
    the ``n``-th number after ``label`` on the only line of ``snippets/<snippet>.out`` that
    contains ``label`` (``label=""``: the only line of a one-line output). Without ``fmt`` the
    number is shown exactly as printed (``61,100,840``, ``99.16``).
``data(path, key, *, fmt=None, scale=1)``
    a value from a JSON file the code wrote (``path`` from the repository root); ``key`` walks
    into it, parts separated by ``/`` (``"quantization/bits/0"``). Integers and strings show as
    they are; a float needs ``fmt``.
``calc(expression, *, fmt, **values)``
    exact arithmetic: ``calc("a / b", a=out(...), b=out(...), fmt=".1f")``, with ``+ - * / // %
    **``, parentheses, numbers, the names given and ``pi, e, sqrt, log, log2, log10, exp, ceil,
    floor``.

``fmt`` is a Python format spec (``".1f"``, ``","``, ``".2%"``) or ``"sci:2"`` for LaTeX
scientific notation with 2 decimals (``3.88 \\times 10^{-7}``, to be used inside ``$…$``).
``scale`` multiplies the value first (``scale=1e-6`` for millions, ``scale=100`` for percent).

Everything is strict: an unknown file, a label on no line or on two lines, a number that is not
there, an unknown key, a bad format: the build stops and names the page, line and macro.
"""

from __future__ import annotations

import ast
import json
import math
import operator
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

REPO = Path(__file__).resolve().parent.parent
SNIPPETS_DIR = "snippets"
MACRO = re.compile(r"\{\{\s*(?P<call>(?:out|data|calc)\s*\(.*?\))\s*\}\}", re.DOTALL)
NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?")
SCIENTIFIC = re.compile(r"^sci:(?P<digits>\d)$")


class MacroError(ValueError):
    """A macro that cannot be resolved; the message says why."""


@cache
def read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@cache
def read_json(path: Path) -> Any:
    return json.loads(read_text(path))


def repo_file(relative: str, root: Path) -> Path:
    path = (root / relative).resolve()
    if root.resolve() not in path.parents:
        raise MacroError(f"{relative!r} is outside the repository")
    if not path.is_file():
        raise MacroError(f"no file {relative}")
    return path


def number_value(token: str) -> int | float:
    plain = token.replace(",", "")
    return int(plain) if re.fullmatch(r"[-+]?\d+", plain) else float(plain)


def formatted(value: int | float, fmt: str | None, scale: float) -> str:
    if scale != 1:
        value = value * scale
    if fmt is None:
        if isinstance(value, float):
            raise MacroError(f"{value!r} is not an integer: give fmt (e.g. fmt='.2f')")
        return str(value)
    scientific = SCIENTIFIC.match(fmt)
    if scientific:
        mantissa, exponent = f"{value:.{scientific['digits']}e}".split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    try:
        return format(value, fmt)
    except ValueError as error:
        raise MacroError(f"fmt={fmt!r}: {error}") from None


def stored_number(snippet: str, label: str, n: int, root: Path) -> str:
    """The ``n``-th number token after ``label`` on its one line of ``snippets/<snippet>.out``."""
    if not isinstance(n, int) or n < 1:
        raise MacroError(f"n={n!r}: count numbers from 1")
    lines = read_text(repo_file(f"{SNIPPETS_DIR}/{snippet}.out", root)).splitlines()
    found = [line for line in lines if label in line and line.strip()]
    if len(found) != 1:
        where = "no line" if not found else f"{len(found)} lines"
        raise MacroError(f"{label!r} is on {where} of {snippet}.out (it must be on exactly one)")
    line = found[0]
    tokens = NUMBER.findall(line[line.index(label) + len(label) :])
    if n > len(tokens):
        raise MacroError(f"{snippet}.out: only {len(tokens)} number(s) after {label!r}: {line!r}")
    return tokens[n - 1]


def out(
    snippet: str,
    label: str,
    n: int = 1,
    *,
    fmt: str | None = None,
    scale: float = 1,
    root: Path = REPO,
) -> str:
    token = stored_number(snippet, label, n, root)
    if fmt is None and scale == 1:
        return token
    return formatted(number_value(token), fmt, scale)


def json_value(path: str, key: str, root: Path) -> Any:
    value = read_json(repo_file(path, root))
    for part in key.split("/"):
        if isinstance(value, list) and re.fullmatch(r"-?\d+", part):
            index = int(part)
            if not -len(value) <= index < len(value):
                raise MacroError(f"{path}: index {part} out of range in {key!r}")
            value = value[index]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            raise MacroError(f"{path}: no {part!r} in {key!r}")
    return value


def data(
    path: str, key: str, *, fmt: str | None = None, scale: float = 1, root: Path = REPO
) -> str:
    value = json_value(path, key, root)
    if isinstance(value, str) and fmt is None and scale == 1:
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MacroError(f"{path}: {key!r} is {type(value).__name__}, not a number")
    return formatted(value, fmt, scale)


OPERATORS: dict[type, Callable[..., Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}
MATH_NAMES: dict[str, Any] = {
    "pi": math.pi,
    "e": math.e,
    "sqrt": math.sqrt,
    "log": math.log,
    "log2": math.log2,
    "log10": math.log10,
    "exp": math.exp,
    "ceil": math.ceil,
    "floor": math.floor,
}


def evaluate(node: ast.AST, names: dict[str, Any]) -> Any:
    """Arithmetic only: numbers, the given names, the math names, + - * / // % ** and calls
    of the math functions."""
    if isinstance(node, ast.Expression):
        return evaluate(node.body, names)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        return OPERATORS[type(node.op)](evaluate(node.left, names), evaluate(node.right, names))
    if isinstance(node, ast.UnaryOp) and type(node.op) in OPERATORS:
        return OPERATORS[type(node.op)](evaluate(node.operand, names))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        function = names.get(node.func.id)
        if callable(function):
            return function(*(evaluate(arg, names) for arg in node.args))
    raise MacroError(f"calc: cannot evaluate {ast.unparse(node)!r}")


def calc(expression: str, *, fmt: str, root: Path = REPO, **values: Any) -> str:
    names = dict(MATH_NAMES)
    for name, value in values.items():
        names[name] = number_value(value) if isinstance(value, str) else value
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        raise MacroError(f"calc: {expression!r} is not an expression") from None
    try:
        value = evaluate(tree, names)
    except (ArithmeticError, ValueError) as error:
        raise MacroError(f"calc: {expression!r}: {error}") from None
    return formatted(value, fmt, 1)


MACROS: dict[str, Callable[..., str]] = {"out": out, "data": data, "calc": calc}


def argument(node: ast.expr, root: Path) -> Any:
    """A literal, or a nested macro call (only inside ``calc``)."""
    if isinstance(node, ast.Call):
        return call(node, root)
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise MacroError(f"{ast.unparse(node)!r} is not a literal") from None


def call(node: ast.AST, root: Path) -> str:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        raise MacroError("expected out(...), data(...) or calc(...)")
    function = MACROS.get(node.func.id)
    if function is None:
        raise MacroError(f"unknown macro {node.func.id!r} (known: {', '.join(MACROS)})")
    args = [argument(arg, root) for arg in node.args]
    kwargs = {keyword.arg: argument(keyword.value, root) for keyword in node.keywords}
    if None in kwargs:
        raise MacroError("**arguments are not allowed")
    try:
        return function(*args, root=root, **kwargs)
    except TypeError as error:
        raise MacroError(f"{node.func.id}(): {error}") from None


def expand(text: str, root: Path = REPO) -> str:
    """``text`` with every macro replaced by its value; MacroError names the first bad one."""

    def replace(match: re.Match[str]) -> str:
        source = match["call"]
        try:
            tree = ast.parse(source, mode="eval")
        except SyntaxError:
            raise MacroError(f"{{{{ {source} }}}} is not a call") from None
        try:
            return call(tree.body, root)
        except MacroError as error:
            line = text.count("\n", 0, match.start()) + 1
            raise MacroError(f"line {line}: {{{{ {source} }}}}: {error}") from None

    return MACRO.sub(replace, text)


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    try:
        return expand(markdown)
    except MacroError as error:
        raise PluginError(f"{page.file.src_uri}: {error}") from None


def on_pre_build(config: MkDocsConfig) -> None:
    """``mkdocs serve`` rebuilds after a snippet's ``.out`` changed: read every file afresh."""
    read_text.cache_clear()
    read_json.cache_clear()
