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


def imported_test_modules(source: str) -> list[str]:
    """The ``tests.test_*`` modules a source imports (``from tests.test_x import …``,
    ``from tests import test_x``, ``import tests.test_x``, ``from .test_x import …``), anywhere
    in the file, functions included."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("tests.test_")]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: from .test_x import …, from . import test_x
                module = "tests." + module if module else "tests"
            if module.startswith("tests.test_"):
                found.append(module)
            elif module == "tests":
                found += [f"tests.{a.name}" for a in node.names if a.name.startswith("test_")]
    return found


def test_the_test_import_finder() -> None:
    source = (
        "import tests.test_a\nfrom tests.test_b import x\nfrom tests import test_c as c, helpers\n"
        "from .test_d import y\nfrom . import test_e\nfrom tests.properties import z\n"
        "def f():\n    from tests.test_f import w\n"
    )
    expected = ["a", "b", "c", "d", "e", "f"]
    assert sorted(imported_test_modules(source)) == [f"tests.test_{m}" for m in expected]


def test_no_test_module_imports_another() -> None:
    """Shared pieces live in non-test modules (tests/helpers.py, tests/properties.py,
    tests/receptive.py, tests/widgets.py …): importing a test module would also collect and
    couple its tests."""
    found = {
        path.name: imported
        for path in sorted((REPO / "tests").glob("test_*.py"))
        if (imported := imported_test_modules(path.read_text(encoding="utf-8")))
    }
    assert found == {}
