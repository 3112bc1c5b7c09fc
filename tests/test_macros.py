"""The number macros (hooks/macros.py): one source for every number the prose quotes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hooks.macros import MACRO, MacroError, expand, read_json, read_text


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A tiny repository: one stored output and one JSON result."""
    (tmp_path / "snippets" / "demo").mkdir(parents=True)
    (tmp_path / "snippets" / "demo" / "sizes.out").write_text(
        "LeNet-5           61,706  ≈    0.06 M\n"
        "AlexNet       61,100,840  ≈   61.10 M\n"
        "error 3.88e-07\n"
        "shared 1\nshared 2\n",
        encoding="utf-8",
    )
    (tmp_path / "results.json").write_text(
        json.dumps({"runs": [{"accuracy": 0.99163, "epochs": 2, "name": "fast"}]}),
        encoding="utf-8",
    )
    read_text.cache_clear()
    read_json.cache_clear()
    return tmp_path


def test_out_quotes_the_number_as_printed(repo: Path) -> None:
    page = '参数 {{ out("demo/sizes", "AlexNet") }} 个，约 {{ out("demo/sizes", "AlexNet", 2) }} M'
    assert expand(page, repo) == "参数 61,100,840 个，约 61.10 M"


def test_numbers_are_counted_after_the_label(repo: Path) -> None:
    # the 5 of "LeNet-5" is part of the label, not the first number
    assert expand('{{ out("demo/sizes", "LeNet-5") }}', repo) == "61,706"


def test_fmt_and_scale(repo: Path) -> None:
    assert expand('{{ out("demo/sizes", "AlexNet", scale=1e-6, fmt=".1f") }}', repo) == "61.1"
    assert expand('{{ out("demo/sizes", "error", fmt="sci:2") }}', repo) == (r"3.88 \times 10^{-7}")
    assert expand('{{ out("demo/sizes", "LeNet-5", fmt=",") }}', repo) == "61,706"


def test_data_walks_into_json(repo: Path) -> None:
    assert expand('{{ data("results.json", "runs/0/epochs") }}', repo) == "2"
    assert expand('{{ data("results.json", "runs/-1/name") }}', repo) == "fast"
    assert expand('{{ data("results.json", "runs/0/accuracy", fmt=".2%") }}', repo) == "99.16%"


def test_calc_does_exact_arithmetic_on_quoted_numbers(repo: Path) -> None:
    page = (
        '{{ calc("big / small", big=out("demo/sizes", "AlexNet"), '
        'small=out("demo/sizes", "LeNet-5"), fmt=",.0f") }}'
    )
    assert expand(page, repo) == f"{61_100_840 / 61_706:,.0f}"
    assert expand('{{ calc("1 / sqrt(2 * pi)", fmt=".3f") }}', repo) == "0.399"


@pytest.mark.parametrize(
    ("macro", "complaint"),
    [
        ('out("demo/missing", "x")', "no file snippets/demo/missing.out"),
        ('out("demo/sizes", "VGG")', "'VGG' is on no line"),
        ('out("demo/sizes", "shared")', "'shared' is on 2 lines"),
        ('out("demo/sizes", "AlexNet", 3)', "only 2 number"),
        ('out("demo/sizes", "AlexNet", 0)', "count numbers from 1"),
        ('out("demo/sizes", "AlexNet", fmt=".q")', "fmt='.q'"),
        ('out("demo/sizes", "AlexNet", colour=1)', "unexpected keyword"),
        ('data("results.json", "runs/0/loss")', "no 'loss'"),
        ('data("results.json", "runs/3")', "index 3 out of range"),
        ('data("results.json", "runs/0/accuracy")', "give fmt"),
        ('data("../outside.json", "a")', "outside the repository"),
        ('calc("__import__(1)", fmt="d")', "cannot evaluate"),
        ('calc("1 / 0", fmt="d")', "division by zero"),
        ('calc("x", x=y, fmt="d")', "not a literal"),
    ],
)
def test_a_bad_macro_stops_the_build(repo: Path, macro: str, complaint: str) -> None:
    with pytest.raises(MacroError, match="line 2: ") as caught:
        expand(f"第一行\n{{{{ {macro} }}}}\n", repo)
    assert complaint in str(caught.value)


def test_only_the_three_macros_are_expanded(repo: Path) -> None:
    latex = r"$\frac{{a}}{b}$ 与 {{ outline }} 保持原样"
    assert expand(latex, repo) == latex
    assert MACRO.search('{{ data("x.json", "k") }}')["call"] == 'data("x.json", "k")'
