"""Chapter 6 (激活函数): the hardware-friendly approximations — hard sigmoids, the sigmoid
lookup table, the integer leaky ReLU — and the bad input their helpers must reject."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.nn import functional as F

from figures.common import torch_default_dtype
from hooks.macros import expand
from tests.helpers import page, snippet, stored

PAGE = "activations.md"
FAST = settings(max_examples=60, derandomize=True, deadline=None)


@pytest.fixture(scope="module", autouse=True)
def float64_like_the_snippets():
    with torch_default_dtype(torch.float64):
        yield


def table_rows(markdown: str) -> dict[str, list[str]]:
    rows = [line.strip("|").split("|") for line in markdown.splitlines() if line.startswith("|")]
    return {row[0].strip(): [cell.strip() for cell in row[1:]] for row in rows[2:]}


def latex_sci(value: float) -> str:
    mantissa, exponent = f"{value:.2e}".split("e")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}"


# --- hard sigmoid and hard-swish ----------------------------------------------------------


def test_hard_sigmoid_slopes_and_ranking() -> None:
    example = snippet("activations/hard_sigmoid")
    x, sigmoid = example["x"], torch.sigmoid(example["x"])
    gaps = {name: (values - sigmoid).abs().max().item() for name, values in
            example["definitions"].items()}  # fmt: skip
    nearest, farthest = min(gaps, key=gaps.get), max(gaps, key=gaps.get)
    assert (nearest, farthest) == ("ReLU6(x+3)/6", "clip((x+1)/2, 0, 1)")
    slopes = {name: ((v[x == 0.5] - v[x == -0.5]) / 1.0).item()
              for name, v in example["definitions"].items()}  # fmt: skip
    assert slopes == pytest.approx(
        {"clip((x+1)/2, 0, 1)": 0.5, "clip(0.2x+0.5, 0, 1)": 0.2, "ReLU6(x+3)/6": 1 / 6}
    )
    assert "斜率分别是 $0.5$、$0.2$ 和 $1/6$" in page(PAGE)
    sentence = "离 sigmoid 最近（最大差 {near:.4f}），\nBinaryConnect 那一种最远（{far:.4f}）"
    assert sentence.format(near=gaps[nearest], far=gaps[farthest]) in expand(page(PAGE))


def test_hardswish_is_farthest_from_silu_at_its_kinks() -> None:
    x = snippet("activations/hard_sigmoid")["x"]
    gap = (F.hardswish(x) - F.silu(x)).abs()
    assert x[gap >= gap.max() - 1e-12].tolist() == [-3.0, 3.0]
    assert (
        f"hard-swish 与 SiLU 的最大差是 {gap.max().item():.4f}，恰好出现在两个折点 $x = \\pm 3$ 处"
        in (expand(page(PAGE)))
    )


# --- the lookup table ---------------------------------------------------------------------


def test_lookup_table_settings_and_bounds_for_every_size() -> None:
    example = snippet("activations/lookup_sigmoid")
    table = example["build_table"](256)
    assert (table.low, table.high) == (-8.0, 8.0)
    fine = example["fine"]
    assert (fine[0].item(), fine[-1].item(), (fine[1] - fine[0]).item()) == (-12.0, 12.0, 2**-14)
    assert "在 $[-12, 12]$ 上步长 $2^{-14}$ 的细网格上" in page(PAGE)
    for size, row in table_rows(stored("activations/lookup_sigmoid.out")).items():
        h = 16 / (int(size) - 1)
        assert float(row[1]) == float(f"{h / 8:.2e}")
        assert float(row[3]) == float(f"{h**2 / (48 * math.sqrt(3)):.2e}")
        # "实测值都接近上限"
        assert 0.9 < float(row[0]) / float(row[1]) <= 1 and 0.9 < float(row[2]) / float(row[3]) <= 1
    assert "$h = 16/(n - 1)$" in page(PAGE) and "即 $h^2/(48\\sqrt3)$" in page(PAGE)


def test_lookup_conclusions_in_the_prose() -> None:
    rows = table_rows(stored("activations/lookup_sigmoid.out"))
    tail = torch.sigmoid(torch.tensor(-8.0, dtype=torch.float64)).item()
    # from 256 entries on, the clamped tail dominates linear interpolation over all reals
    assert float(rows["256"][4]) == float(rows["1024"][4]) == float(f"{tail:.2e}")
    assert float(rows["64"][4]) > float(rows["256"][4])
    assert round(float(rows["256"][0]) * 256) == 2  # "about two steps of an 8-bit output"
    assert float(rows["256"][4]) < 1 / 512  # "不到半个量化台阶"
    text = expand(page(PAGE))
    assert f"最大误差 ${latex_sci(float(rows['256'][0]))}$" in text
    assert f"表内误差降到 ${latex_sci(float(rows['256'][2]))}$" in text
    assert f"$\\sigma(-8) \\approx {latex_sci(tail)}$" in text
    sigmoid = torch.sigmoid(torch.tensor([8.0, -8.0], dtype=torch.float64)).tolist()
    assert (
        f"$\\sigma(8) \\approx {sigmoid[0]:.5f}$，$\\sigma(-8) \\approx {sigmoid[1]:.5f}$" in text
    )
    assert f"$1/256 \\approx {1 / 256:.4f}$" in text and f"$1/512 \\approx {1 / 512:.5f}$" in text


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"size": 1}, "size"),
        ({"size": -5}, "size"),
        ({"size": 16, "low": 2.0, "high": 2.0}, "low 必须小于 high"),
        ({"size": 16, "low": 8.0, "high": -8.0}, "low 必须小于 high"),
    ],
)
def test_lookup_table_rejects_bad_arguments(kwargs: dict, argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        snippet("activations/lookup_sigmoid")["build_table"](**kwargs)


def test_lookup_rejects_an_unknown_mode() -> None:
    example = snippet("activations/lookup_sigmoid")
    table = example["build_table"](16)
    with pytest.raises(ValueError, match="mode"):
        example["lookup"](table, torch.zeros(3), "cubic")


@FAST
@given(st.integers(2, 2000), st.lists(st.floats(-8, 8), min_size=1, max_size=50))
def test_lookup_errors_stay_within_the_bounds(size: int, points: list[float]) -> None:
    example = snippet("activations/lookup_sigmoid")
    table = example["build_table"](size)
    x = torch.tensor(points, dtype=torch.float64)
    exact = torch.sigmoid(x)
    h = table.step
    nearest = (example["lookup"](table, x, "nearest") - exact).abs().max().item()
    linear = (example["lookup"](table, x, "linear") - exact).abs().max().item()
    assert nearest <= h / 8 + 1e-15
    assert linear <= h**2 / (48 * math.sqrt(3)) + 1e-15


# --- the integer leaky ReLU ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda s: s["fixed_point_slope"](-0.1, 7), "slope"),
        (lambda s: s["fixed_point_slope"](0.0, 7), "slope"),
        (lambda s: s["fixed_point_slope"](1.5, 7), "slope"),
        (lambda s: s["fixed_point_slope"](0.1, -1), "shift"),
        (lambda s: s["fixed_point_slope"](0.01, 4), "shift=4"),
        (lambda s: s["leaky_relu_int"](torch.zeros(3)), "x"),
        (lambda s: s["leaky_relu_int"](torch.zeros(3, dtype=torch.bool)), "x"),
        (lambda s: s["leaky_relu_int"](torch.zeros(3, dtype=torch.int8), 0, 7), "numerator"),
        (lambda s: s["leaky_relu_int"](torch.zeros(3, dtype=torch.int8), 128, 7), "numerator"),
        (lambda s: s["leaky_relu_int"](torch.zeros(3, dtype=torch.int8), -13, 7), "numerator"),
        (lambda s: s["leaky_relu_int"](torch.zeros(3, dtype=torch.int8), 13, -1), "shift"),
    ],
)
def test_integer_leaky_relu_rejects_bad_arguments(call, argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        call(snippet("activations/integer_leaky"))


@FAST
@given(
    st.lists(st.integers(-(2**20), 2**20), min_size=1, max_size=20),
    st.integers(1, 12),
    st.data(),
)
def test_integer_leaky_relu_is_floor_of_the_exact_product(values, shift, data) -> None:
    numerator = data.draw(st.integers(1, 2**shift - 1))
    result = snippet("activations/integer_leaky")["leaky_relu_int"](
        torch.tensor(values, dtype=torch.int32), numerator, shift
    )
    expected = [v if v >= 0 else (v * numerator) // 2**shift for v in values]  # Python // floors
    assert result.tolist() == expected


def test_integer_leaky_relu_numbers_in_the_prose() -> None:
    text = expand(page(PAGE))
    approx = Fraction(snippet("activations/integer_leaky")["fixed_point_slope"](0.1, 7), 2**7)
    assert approx == Fraction(13, 128) and f"$13/128 = {float(approx)}$" in text
    assert abs(approx - Fraction(1, 10)) / Fraction(1, 10) == Fraction(1, 64)
    assert "\\frac{|130 - 128|}{128} = \\frac{1}{64} = 1.5625\\%" in text
    minus_one = torch.tensor([-1], dtype=torch.int32)
    assert ((13 * minus_one) >> 7).item() == -1
    assert "$(13 \\cdot (-1)) \\gg 7 = -1$，而不是 $0$" in text
    negatives = torch.arange(-128, 0, dtype=torch.int32)
    floor_error = ((negatives * 13) >> 7).double() - 0.1 * negatives.double()
    assert f"平均小\n{-floor_error.mean().item():.3f}" in text
    nearest_error = ((negatives * 13 + 2 ** (7 - 1)) >> 7).double() - 0.1 * negatives.double()
    low, high = nearest_error.min().item(), nearest_error.max().item()
    assert f"误差落在\n$[{low:.2f}, {high:.2f}]$" in text
    wrapped = (torch.tensor([-10], dtype=torch.int8) * 13).item()
    assert wrapped == -10 * 13 + 256 and f"会回绕成 {wrapped}" in text
    assert "$-10 \\times 13 = -130$ 超出了 $[-128, 127]$" in text
    errors = [
        float(m)
        for m in re.findall(r"相对误差 ([\d.]+)%", stored("activations/integer_leaky.out"))[1:]
    ]
    assert errors == sorted(errors, reverse=True)  # "右移位数越多，近似越准"


# --- maxout -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda s: s["maxout"](torch.zeros(2, 6), 0), "k"),
        (lambda s: s["maxout"](torch.zeros(2, 7), 2), "features"),
        (lambda s: s["Maxout"](4, 2, k=0), "k"),
        (lambda s: s["Maxout"](0, 2, k=2), "in_features"),
        (lambda s: s["Maxout"](4, 0, k=2), "out_features"),
    ],
)
def test_maxout_rejects_bad_arguments(call, argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        call(snippet("activations/maxout"))


@FAST
@given(st.integers(1, 5), st.integers(1, 6), st.integers(1, 4), st.integers(0, 2**16))
def test_maxout_takes_the_max_of_each_group(k: int, groups: int, batch: int, seed: int) -> None:
    maxout = snippet("activations/maxout")["maxout"]
    features = torch.randn(batch, groups * k, generator=torch.Generator().manual_seed(seed))
    out = maxout(features, k)
    assert out.shape == (batch, groups)
    for b in range(batch):
        for g in range(groups):
            assert out[b, g] == max(features[b, g * k : (g + 1) * k].tolist())


def test_maxout_cost_and_gradient() -> None:
    example = snippet("activations/maxout")
    layer, linear = example["Maxout"](64, 32, k=4), torch.nn.Linear(64, 32)
    params = sum(p.numel() for p in layer.parameters())
    assert params == 4 * sum(p.numel() for p in linear.parameters())
    assert f"参数 {params}" in stored("activations/maxout.out")
    torch.manual_seed(3)
    unit = example["Maxout"](5, 3, k=4)
    x = torch.randn(1, 5, requires_grad=True)
    out, pieces = unit(x), unit.pieces(x).view(3, 4)
    for index in range(3):
        (grad,) = torch.autograd.grad(out[0, index], x, retain_graph=True)
        winner = index * 4 + int(pieces[index].argmax())
        assert torch.allclose(grad[0], unit.pieces.weight[winner], atol=1e-15)
