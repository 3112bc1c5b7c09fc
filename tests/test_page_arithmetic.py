"""Arithmetic written in a page's formulas is right: every ``$28 - 5 + 1 = 24$``.

Numbers in math are not quoted through macros (tests/test_prose_numbers.py leaves math alone),
so each equality chain made only of numbers and operators is evaluated here: ``a = b = c``
needs every evaluable side equal, ``a \\approx b`` needs them equal to the digits shown.
Macros are expanded first, so ``$16 \\times 3 = {{ out(...) }}$`` is checked with the stored
number. Formulas with letters (``2 \\cdot 9C^2``) are the chapters' own tests' business.
"""

from __future__ import annotations

import math
import re

import pytest

from hooks.macros import expand
from tests.helpers import page

PAGES = ["overview.md", "conv-arithmetic.md", "receptive-field.md"]
MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$([^$\n]+?)\$", re.DOTALL)
LATEX = [
    (r"\\left|\\right|\\,|\\;|\\!|\\quad|\\qquad|\\big|\\Bigl|\\Bigr|\\bigl|\\bigr", " "),
    (r"\{,\}", ""),  # 31{,}467{,}520
    (r"\\frac\{([^{}]+)\}\{([^{}]+)\}", r"((\1)/(\2))"),
    (r"\\lfloor", " floor("),
    (r"\\rfloor", ") "),
    (r"\\lceil", " ceil("),
    (r"\\rceil", ") "),
    (r"\\times|\\cdot", "*"),
    (r"−", "-"),
    (r"\^\{([^{}]+)\}", r"**(\1)"),
    (r"\^(\d)", r"**\1"),
    (r"[{}]", " "),
]
ARITHMETIC = re.compile(r"[\d\s+\-*/().]+|[\d\s+\-*/().]*(?:floor|ceil)[\d\s+\-*/().floorceil]*")


def python_expression(side: str) -> str | None:
    """``side`` as a Python expression, or None if it holds anything but numbers and operators."""
    text = side
    for pattern, replacement in LATEX:
        text = re.sub(pattern, replacement, text)
    text = text.strip().rstrip(",.;，。；")
    if not text or not re.search(r"\d", text) or not ARITHMETIC.fullmatch(text):
        return None
    return text


def evaluate(expression: str) -> float:
    return eval(expression, {"__builtins__": {}}, {"floor": math.floor, "ceil": math.ceil})


def chains(markdown: str) -> list[str]:
    """Every piece of math that holds an ``=`` or ``\\approx`` between numbers."""
    found = []
    for match in MATH.finditer(markdown):
        formula = match[1] or match[2]
        for line in re.split(r"\\\\|,\s*\\qquad|\\qquad|;", formula):
            if "=" in line or "\\approx" in line:
                found.append(line)
    return found


def wrong_equalities(formula: str) -> list[str]:
    problems = []
    sides = re.split(r"(=|\\approx)", formula)
    values = sides[0::2]
    relations = sides[1::2]
    for left, relation, right in zip(values, relations, values[1:], strict=False):
        a, b = python_expression(left), python_expression(right)
        if a is None or b is None:
            continue
        x, y = evaluate(a), evaluate(b)
        if relation == "=":
            ok = math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12)
        else:
            digits = len(b.split(".")[1]) if "." in b else 0
            ok = round(x, digits) == y
        if not ok:
            problems.append(f"{left.strip()} {relation} {right.strip()}  ({x} vs {y})")
    return problems


def test_the_checker_on_examples() -> None:
    assert wrong_equalities(r"28 - 5 + 1 = 24") == []
    assert wrong_equalities(r"\lfloor (224 + 2 \cdot 3 - 7)/2 \rfloor + 1 = 112") == []
    assert wrong_equalities(r"3072 \times 10240 + 10240 = 31{,}467{,}520") == []
    assert wrong_equalities(r"16/3 \approx 5.333") == []
    assert wrong_equalities(r"\frac{18}{25} = 0.72") == []
    assert len(wrong_equalities(r"2 \times 32 = 66")) == 1
    assert wrong_equalities(r"2 \cdot 9C^2 = 18C^2") == []  # letters: not this test's business


@pytest.mark.parametrize("name", PAGES)
def test_arithmetic_in_formulas_is_right(name: str) -> None:
    problems = [p for formula in chains(expand(page(name))) for p in wrong_equalities(formula)]
    assert problems == []


@pytest.mark.parametrize("name", PAGES)
def test_the_pages_have_arithmetic_to_check(name: str) -> None:
    checked = [f for f in chains(expand(page(name))) if any(
        python_expression(a) and python_expression(b)
        for a, b in zip(re.split(r"=|\\approx", f), re.split(r"=|\\approx", f)[1:], strict=False)
    )]  # fmt: skip
    assert len(checked) >= 5, name
