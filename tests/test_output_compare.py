"""The comparison that guards every stored output must itself be right."""

import pytest

from tests.outputs import Rules, Varies, mismatch, parse_rules, unused_templates

ACCURACY = Varies("accuracy {}%", abs=0.5)


def test_exact_by_default() -> None:
    assert mismatch("a 1\nb 2\n", "a 1\nb 2\n") is None
    assert "line 2" in mismatch("a 1\nb 2\n", "a 1\nb 3\n")
    assert mismatch("a 1\n", "a 1") == "trailing newline differs"
    assert mismatch("a 1\n", "a 1\r\n") is not None


@pytest.mark.parametrize(
    ("stored", "fresh"),
    [("1.0", "1.00"), ("1,000", "1000"), ("0.001", "1e-3"), ("-0.0", "0.0"), ("2", "2.0")],
)
def test_exact_means_character_for_character(stored: str, fresh: str) -> None:
    assert mismatch(f"x = {stored}\n", f"x = {fresh}\n") is not None
    if stored != "-0.0":  # a marked number may cross zero; it may never change its format
        assert mismatch(f"accuracy {stored}%\n", f"accuracy {fresh}%\n", (ACCURACY,)) is not None


def test_line_count_must_match() -> None:
    assert mismatch("a\nb\n", "a\n", (ACCURACY,)) == "1 lines instead of 2"


def test_only_the_marked_number_may_vary() -> None:
    stored = "epoch 2: accuracy 98.74%, loss 0.536\n"
    assert mismatch(stored, "epoch 2: accuracy 98.91%, loss 0.536\n", (ACCURACY,)) is None
    assert mismatch(stored, "epoch 2: accuracy 99.31%, loss 0.536\n", (ACCURACY,)) is not None
    assert "no varies template" in mismatch(
        stored, "epoch 2: accuracy 98.74%, loss 0.537\n", (ACCURACY,)
    )
    assert "no varies template" in mismatch(
        stored, "epoch 3: accuracy 98.74%, loss 0.536\n", (ACCURACY,)
    )


def test_integers_never_vary_even_when_marked() -> None:
    count = Varies("correct {} of", abs=5)
    assert "an integer" in mismatch("correct 9916 of 10000\n", "correct 9917 of 10000\n", (count,))


def test_text_around_numbers_is_exact() -> None:
    assert "text differs" in mismatch(
        "time 10.0 s\n", "time 10.0 ms\n", (Varies("time {}", rel=1),)
    )


def test_relative_tolerance_and_blank_runs() -> None:
    norms = (Varies(") {}", rel=0.01),)
    stored = "  conv1.weight (6, 1, 5, 5)    0.1000\n  fc3.bias     (10,)            0.2000\n"
    fresh = "  conv1.weight (6, 1, 5, 5)    0.1009\n  fc3.bias     (10,)            0.2019\n"
    assert mismatch(stored, fresh, norms) is None
    assert mismatch(stored, fresh.replace("0.2019", "0.2021"), norms) is not None


def test_templates_must_be_well_formed_and_used() -> None:
    with pytest.raises(ValueError, match="exactly one number"):
        Varies("accuracy", abs=1)
    with pytest.raises(ValueError, match="rel > 0 or abs > 0"):
        Varies("accuracy {}%")
    assert unused_templates("loss 0.5\n", (ACCURACY,)) == ["accuracy {}%"]


def test_parse_rules() -> None:
    rules = parse_rules(
        {"snippets/a.py": {"data": ["mnist"], "varies": [{"text": "t {}", "abs": 1}]}}
    )
    assert rules == {"snippets/a.py": Rules(frozenset({"mnist"}), (Varies("t {}", abs=1),))}
    with pytest.raises(ValueError, match="unknown data set"):
        parse_rules({"snippets/a.py": {"data": ["cifar10"]}})
    with pytest.raises(ValueError, match="unknown setting"):
        parse_rules({"snippets/a.py": {"tolerance": 1}})
