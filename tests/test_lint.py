import ast
import subprocess
import sys

from tests.paths import REPO


def test_ruff_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def literal_only_asserts(source: str) -> list[int]:
    """Line numbers of ``assert`` conditions (or ``and`` parts of one) made of literals only,
    such as ``assert 2 * 9 == 18``: they cannot fail, so they check nothing."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Assert):
            continue
        test = node.test
        parts = (
            test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
        )
        for part in parts:
            if not any(isinstance(n, LIVE_NODES) for n in ast.walk(part)):
                lines.append(part.lineno)
    return lines


LIVE_NODES = (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Starred, ast.Lambda)


def test_the_literal_assert_finder() -> None:
    source = "assert 2 * 9 == 18\nassert x == 1 and 3 - 2 == 1\nassert f'{x}' in PAGE\n"
    assert literal_only_asserts(source) == [1, 2]


def test_no_test_asserts_only_literals() -> None:
    found = [
        f"{path.relative_to(REPO)}:{line}"
        for path in sorted((REPO / "tests").glob("*.py"))
        for line in literal_only_asserts(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "these asserts compare literals with literals: compute one side"
