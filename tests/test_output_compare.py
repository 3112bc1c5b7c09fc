"""The comparison that guards every stored output must itself be right."""

import pytest

from tests.outputs import Tolerance, mismatch, numbers, read_tolerance


def test_exact_by_default() -> None:
    assert mismatch("a 1\nb 2\n", "a 1\nb 2\n", None) is None
    assert "line 2" in mismatch("a 1\nb 2\n", "a 1\nb 3\n", None)
    assert mismatch("a 1\n", "a 1", None) == "trailing newline differs"


def test_line_count_must_match() -> None:
    assert mismatch("a\nb\n", "a\n", Tolerance(rel=1)) == "1 lines instead of 2"


def test_tolerance_applies_to_numbers_only() -> None:
    loose = Tolerance(rel=0.1)
    assert mismatch("time 10.0 s\n", "time 10.9 s\n", loose) is None
    assert mismatch("time 10.0 s\n", "time 11.5 s\n", loose) is not None
    assert mismatch("time 10.0 s\n", "time 10.0 ms\n", loose) is not None


def test_absolute_tolerance_and_thousands_separators() -> None:
    assert mismatch("n = 1,000\n", "n = 1,002\n", Tolerance(abs=2)) is None
    assert mismatch("n = 1,000\n", "n = 1,003\n", Tolerance(abs=2)) is not None
    assert numbers("acc 99.12% of 10,000 (1e-3)") == [99.12, 10000.0, 0.001]


def test_read_tolerance() -> None:
    assert read_tolerance("print(1)\n") is None
    assert read_tolerance("x = 1\n# output-tolerance: rel=0.2 abs=0.5\n") == Tolerance(0.2, 0.5)
    with pytest.raises(ValueError, match="cannot read"):
        read_tolerance("# output-tolerance: relative=0.2\n")
    with pytest.raises(ValueError, match="give rel"):
        read_tolerance("# output-tolerance:\n")
