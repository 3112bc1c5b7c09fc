"""Chapter 6 (激活函数): facts that span the snippets, the page and the figures."""

from __future__ import annotations

import functools
import json
import math
import re
from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn import functional as F

from figures import activation_approximations, activation_plots
from figures.common import load_snippet, torch_default_dtype
from tests.paths import DOCS, SNIPPETS
from tests.test_pages import fenced_blocks

PAGE = (DOCS / "activations.md").read_text(encoding="utf-8")
OUTPUTS = SNIPPETS / "activations"
FAST = settings(max_examples=60, derandomize=True, deadline=None)


def stored(name: str) -> str:
    return (OUTPUTS / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module", autouse=True)
def float64_like_the_snippets():
    """The chapter's snippets check in float64 (each sets it at its top, as a script);
    load_snippet restores the default, so run the tests of their functions in float64 too."""
    with torch_default_dtype(torch.float64):
        yield


@functools.cache
def snippet(name: str) -> dict:
    return load_snippet(f"activations/{name}")


@functools.cache
def panels() -> dict[str, activation_plots.Panel]:
    """The plotted panels by the leading word of their title (Sigmoid, ReLU6, Maxout, ...)."""
    found = {}
    for family in activation_plots.family_panels().values():
        for panel in family:
            found[re.match(r"[A-Za-z0-9]+", panel.title)[0]] = panel
    return found


def autograd_slope(function, x: torch.Tensor) -> torch.Tensor:
    x = x.clone().requires_grad_()
    (grad,) = torch.autograd.grad(function(x).sum(), x)
    return grad


# --- the formulas on the page -------------------------------------------------------------


def test_two_linear_layers_without_activation_are_one_linear_layer() -> None:
    torch.manual_seed(0)
    first, second = nn.Linear(5, 4).double(), nn.Linear(4, 3).double()
    x = torch.randn(10, 5, dtype=torch.float64)
    merged_weight = second.weight @ first.weight  # W2 W1
    merged_bias = second.weight @ first.bias + second.bias  # W2 b1 + b2
    assert torch.allclose(second(first(x)), x @ merged_weight.T + merged_bias, atol=1e-12)


def test_the_chapter_has_twelve_activations() -> None:
    assert len(snippet("formulas.py")["ACTIVATIONS"]) + 1 == 12  # + maxout
    assert "常用的 12 个激活函数" in PAGE and "11 个函数（maxout 之外）" in PAGE


def test_sigmoid_identities_used_in_the_prose() -> None:
    x = torch.linspace(-20, 20, 4001, dtype=torch.float64)
    sigmoid_slope = autograd_slope(torch.sigmoid, x)
    s = torch.sigmoid(x)
    assert torch.allclose(sigmoid_slope, torch.exp(-x) / (1 + torch.exp(-x)) ** 2, atol=1e-15)
    assert torch.allclose(sigmoid_slope, s * (1 - s), atol=1e-15)
    assert torch.allclose(autograd_slope(torch.tanh, x / 2), 4 * sigmoid_slope, atol=1e-14)
    assert torch.allclose(torch.sigmoid(-x), 1 - s, atol=1e-15)  # halves the lookup table
    # 1 - softsign(x) = 1 / (1 + x) for x > 0: softsign approaches 1 like 1/x
    positive = x[x > 0]
    assert torch.allclose(1 - F.softsign(positive), 1 / (1 + positive), atol=1e-15)


def test_largest_sigmoid_curvature_is_one_over_six_root_three() -> None:
    for root in (math.log(2 - math.sqrt(3)), math.log(2 + math.sqrt(3))):
        x = torch.tensor(root, dtype=torch.float64, requires_grad=True)
        (slope,) = torch.autograd.grad(torch.sigmoid(x), x, create_graph=True)
        (curvature,) = torch.autograd.grad(slope, x)
        assert math.isclose(abs(curvature.item()), 1 / (6 * math.sqrt(3)), rel_tol=1e-12)
    x = torch.linspace(-10, 10, 200_001, dtype=torch.float64, requires_grad=True)
    (slope,) = torch.autograd.grad(torch.sigmoid(x).sum(), x, create_graph=True)
    (curvature,) = torch.autograd.grad(slope.sum(), x)
    assert curvature.abs().max().item() <= 1 / (6 * math.sqrt(3)) + 1e-15


def test_silu_and_hardswish_derivatives_on_the_page() -> None:
    x = torch.linspace(-8, 8, 1601, dtype=torch.float64)
    s = torch.sigmoid(x)
    assert torch.allclose(autograd_slope(F.silu, x), s * (1 + x * (1 - s)), atol=1e-14)
    assert torch.allclose(autograd_slope(lambda v: F.softplus(v, beta=3), x), torch.sigmoid(3 * x))
    inside = x[(x > -3) & (x < 3)]
    assert torch.allclose(autograd_slope(F.hardswish, inside), (2 * inside + 3) / 6, atol=1e-15)


def test_hardswish_is_farthest_from_silu_at_its_corners() -> None:
    x = snippet("hard_sigmoid.py")["x"]
    gap = (F.hardswish(x) - F.silu(x)).abs()
    farthest = x[gap >= gap.max() - 1e-12].tolist()
    assert farthest == [-3.0, 3.0]
    assert "恰好出现在两个拐角 $x = \\pm 3$ 处" in PAGE


def test_elu_and_softsign_have_continuous_slopes_but_jumping_curvature() -> None:
    eps = 1e-6
    for function, jump in [(F.elu, 1.0), (F.softsign, 4.0)]:  # ELU'' : 1 -> 0, softsign'' : 2 -> -2
        x = torch.tensor([-eps, eps], dtype=torch.float64, requires_grad=True)
        (slope,) = torch.autograd.grad(function(x).sum(), x, create_graph=True)
        (curvature,) = torch.autograd.grad(slope.sum(), x)
        assert abs(slope[0] - slope[1]).item() < 1e-5
        assert abs(curvature[0] - curvature[1]).item() == pytest.approx(jump, rel=1e-4)
    assert "ELU（$\\alpha = 1$）和 softsign 的导数连续，但二阶导数不连续" in PAGE


@FAST
@given(st.floats(-30, 30), st.floats(0.1, 50))
def test_softplus_never_exceeds_relu_by_more_than_log2_over_beta(x: float, beta: float) -> None:
    value = torch.tensor(x, dtype=torch.float64)
    gap = (F.softplus(value, beta=beta) - F.relu(value)).item()
    assert 0 <= gap <= math.log(2) / beta + 1e-15


# --- the figures draw what torch computes --------------------------------------------------

REFERENCE = {
    "Sigmoid": torch.sigmoid,
    "Tanh": torch.tanh,
    "Softsign": F.softsign,
    "Hardsigmoid": F.hardsigmoid,
    "ReLU": F.relu,
    "ReLU6": F.relu6,
    "LeakyReLU": lambda x: F.leaky_relu(x, 0.1),
    "ELU": F.elu,
    "Softplus": F.softplus,
    "SiLU": F.silu,
    "Hardswish": F.hardswish,
}


def test_every_activation_has_a_panel() -> None:
    assert sorted(panels()) == sorted([*REFERENCE, "Maxout"])


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_plotted_values_and_slopes_are_torchs(name: str) -> None:
    panel, reference = panels()[name], REFERENCE[name]
    for point in (-3.0, -2.5, -1.0, 0.0, 0.5, 3.0, 6.0):
        (index,) = np.flatnonzero(panel.x == point)
        x = torch.tensor([point], dtype=torch.float64)
        assert panel.y[index] == pytest.approx(reference(x).item(), abs=1e-12)
        assert panel.slope[index] == pytest.approx(autograd_slope(reference, x).item(), abs=1e-7)


def test_plotted_slopes_at_hand_checked_points() -> None:
    """sigma'(0) = 1/4, tanh'(0) = softsign'(0) = 1, hardsigmoid'(0) = 1/6, autograd's kinks."""
    expected = {
        ("Sigmoid", 0.0): 0.25,
        ("Tanh", 0.0): 1.0,
        ("Softsign", 0.0): 1.0,
        ("Hardsigmoid", 0.0): 1 / 6,
        ("ReLU", 0.0): 0.0,
        ("ReLU6", 6.0): 0.0,
        ("LeakyReLU", 0.0): 0.1,
        ("ELU", -1.0): math.exp(-1),
        ("Hardswish", -3.0): 0.0,
        ("Hardswish", 3.0): 1.0,
    }
    for (name, point), slope in expected.items():
        panel = panels()[name]
        (index,) = np.flatnonzero(panel.x == point)
        assert panel.slope[index] == pytest.approx(slope, abs=1e-7), name


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_the_marked_kinks_are_exactly_where_the_slope_jumps(name: str) -> None:
    panel = panels()[name]
    jumps = np.flatnonzero(np.abs(np.diff(panel.slope)) > activation_plots.JUMP)
    at = sorted({round((panel.x[i] + panel.x[i + 1]) / 2) for i in jumps})
    assert at == [kink["x"] for kink in panel.kinks]
    for kink in panel.kinks:  # the filled dot is one of the two one-sided limits
        assert (
            min(abs(kink["autograd"] - kink["left"]), abs(kink["autograd"] - kink["right"])) < 1e-5
        )


def test_maxout_panel_is_a_max_of_softplus_tangents() -> None:
    panel = panels()["Maxout"]
    pieces = np.stack(panel.pieces)
    assert len(panel.pieces) == 3
    assert np.allclose(panel.y, pieces.max(axis=0), atol=1e-12)
    softplus = F.softplus(torch.from_numpy(panel.x)).numpy()
    assert (panel.y <= softplus + 1e-12).all()  # tangents of a convex function lie below it
    for point in activation_plots.MAXOUT_TANGENTS_AT:
        (index,) = np.flatnonzero(panel.x == point)
        assert panel.y[index] == pytest.approx(softplus[index], abs=1e-12)
    jumps = np.flatnonzero(np.abs(np.diff(panel.slope)) > activation_plots.JUMP)
    assert len(jumps) == 2  # k = 3 pieces take turns twice


def test_approximation_figure_draws_torch_values() -> None:
    x, curves = activation_approximations.hard_sigmoid_curves()
    (one,) = np.flatnonzero(x == 1.0)  # checked by hand: 1, 0.7, 4/6 at x = 1
    assert curves["clip((x+1)/2, 0, 1)"][one] == 1.0
    assert curves["clip(0.2x+0.5, 0, 1)"][one] == pytest.approx(0.7)
    assert curves["ReLU6(x+3)/6"][one] == pytest.approx(F.hardsigmoid(torch.tensor(1.0)).item())
    assert np.allclose(curves["sigmoid"], torch.sigmoid(torch.from_numpy(x)).numpy())

    x, curves = activation_approximations.swish_curves()
    assert np.allclose(curves["Hardswish"], F.hardswish(torch.from_numpy(x)).numpy())
    assert np.allclose(curves["SiLU"], F.silu(torch.from_numpy(x)).numpy())

    x, curves = activation_approximations.softplus_curves()
    for beta in activation_approximations.BETAS:
        expected = F.softplus(torch.from_numpy(x), beta=beta).numpy()
        assert np.allclose(curves[f"softplus, beta={beta:g}"], expected)


def test_lookup_error_panel_agrees_with_the_stored_table() -> None:
    centres, curves = activation_approximations.lookup_error_curves()
    row = next(r for r in table_rows(stored("lookup_sigmoid.out")) if r[0] == "256")
    nearest, linear = curves["nearest, 256 entries"], curves["linear, 256 entries"]
    # the figure samples every 2^-10, the table every 2^-14: the same maxima to within 2 %
    assert nearest.max() == pytest.approx(float(row[1]), rel=0.02)
    assert linear[np.abs(centres) < 7.9].max() == pytest.approx(float(row[3]), rel=0.02)
    # outside the table the clamped value sigmoid(8) is used: the error climbs towards sigma(-8)
    tail = torch.sigmoid(torch.tensor(-8.0, dtype=torch.float64)).item()
    assert linear[np.abs(centres) > 8].max() < tail < 1.05 * linear[np.abs(centres) > 8].max()


# --- the stored outputs, the tables and the prose -----------------------------------------


def table_rows(markdown: str) -> list[list[str]]:
    rows = [line.strip("|").split("|") for line in markdown.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row] for row in rows[2:]]  # skip header and rule


def test_generated_tables_are_included_outside_fences() -> None:
    inside = {line for _, _, body in fenced_blocks(PAGE) for line in body}
    for name in ("properties.out", "lookup_sigmoid.out"):
        include = f'--8<-- "snippets/activations/{name}"'
        assert include in PAGE.splitlines() and include not in inside


def test_properties_table_states_hand_checked_facts() -> None:
    rows = {row[0]: row[1:] for row in table_rows(stored("properties.out"))}
    assert len(rows) == 11
    # (range, zero-centred, monotonic, derivative continuous, saturates, exp/log); E[f(z)] for
    # z ~ N(0, 1) is 1/2 for sigmoid and hard-sigmoid, 1/sqrt(2 pi) = 0.399 for ReLU, 0 if odd
    expected = {
        "Sigmoid": ("$(0, 1)$", "否（0.500）", "是", "是", "两侧", "exp"),
        "Tanh": ("$(-1, 1)$", "是（0.000）", "是", "是", "两侧", "exp"),
        "ReLU": (r"$[0, \infty)$", "否（0.399）", "是", "否（0）", "左侧", "—"),
        "ReLU6": ("$[0, 6]$", "否（0.399）", "是", "否（0、6）", "两侧", "—"),
        "LeakyReLU": (r"$(-\infty, \infty)$", "否（0.395）", "是", "否（0）", "无", "—"),
        "ELU": (r"$(-1, \infty)$", "否（0.161）", "是", "是", "左侧", "exp"),
        "Softplus": (r"$(0, \infty)$", "否（0.806）", "是", "是", "左侧", "exp、log"),
        "Softsign": ("$(-1, 1)$", "是（0.000）", "是", "是", "两侧", "—"),
        "SiLU": (r"$[-0.2785, \infty)$", "否（0.207）", "否", "是", "左侧", "exp"),
        "Hardsigmoid": ("$[0, 1]$", "否（0.500）", "是", "否（-3、3）", "两侧", "—"),
        "Hardswish": (r"$[-0.375, \infty)$", "否（0.166）", "否", "否（-3、3）", "左侧", "—"),
    }
    assert {name: tuple(row) for name, row in rows.items()} == expected
    assert f"{1 / math.sqrt(2 * math.pi):.3f}" == "0.399"
    # ELU's mean, checked against the closed form E[z; z > 0] + E[e^z - 1; z < 0]
    elu_mean = 1 / math.sqrt(2 * math.pi) + math.exp(0.5) * 0.5 * math.erfc(1 / math.sqrt(2)) - 0.5
    assert f"{elu_mean:.3f}" == "0.161"


def test_silu_minimum_in_the_table_is_torchs() -> None:
    x = torch.linspace(-3, 0, 300_001, dtype=torch.float64)
    assert f"{F.silu(x).min().item():.4g}" == "-0.2785"
    assert F.hardswish(torch.tensor(-1.5)).item() == -0.375  # (-1.5)(1.5)/6


def test_prose_quotes_the_stored_outputs() -> None:
    quoted = {
        "saturation.out": ["0.006648", "3.88e-07", "9.54e-07"],
        "zero_centering.out": ["4/4"],
        "dying_relu.out": ["137/256", "100 步"],
        "leaky_slope.out": ["0.01", "0.25"],
        "relations.out": ["2.06e-09"],
        "hard_sigmoid.out": ["0.0692", "0.2689", "0.1423"],
        "lookup_sigmoid.out": ["7.84e-03", "4.74e-05", "3.35e-04"],
        "integer_leaky.out": ["0.1015625", "1.5625", "0.597", "[-0.60, 0.40]"],
        "properties.out": ["0.161", "0.399", "-0.2785"],
        "kinks.out": ["0.5"],
    }
    for output, numbers in quoted.items():
        text = stored(output)
        for number in numbers:
            assert number in text and number in PAGE, (output, number)


def test_numbers_the_prose_derives() -> None:
    sigmoid = torch.sigmoid(torch.tensor([8.0, -8.0], dtype=torch.float64)).tolist()
    assert f"{sigmoid[0]:.5f}" == "0.99966" and f"{sigmoid[1]:.5f}" == "0.00034"
    assert "$\\sigma(8) \\approx 0.99966$，$\\sigma(-8) \\approx 0.00034$" in PAGE
    assert f"{1 / 256:.4f}" == "0.0039" and f"{1 / 512:.5f}" == "0.00195"
    assert "$1/256 \\approx 0.0039$" in PAGE and "$1/512 \\approx 0.00195$" in PAGE
    rows = {row[0]: row for row in table_rows(stored("lookup_sigmoid.out"))}
    assert round(float(rows["256"][1]) * 256) == 2  # "about two steps of an 8-bit output"
    assert float(rows["256"][5]) < 1 / 512 and float(rows["256"][3]) < float(rows["256"][5])
    assert float(rows["256"][2]) == float(f"{16 / 255 / 8:.2e}")  # the bound h/8, h = 16/(n - 1)
    assert Fraction(13, 128) - Fraction(1, 10) == Fraction(1, 10) * Fraction(1, 64)
    assert "\\frac{|130 - 128|}{128} = \\frac{1}{64} = 1.5625\\%" in PAGE
    assert 0.25**10 < 9.54e-07 < 0.25**10 * 1.001
    assert "ELU 为 0.161，ReLU 为 0.399" in PAGE


def test_kink_choices_quoted_in_the_prose() -> None:
    choices = {(name, kink): side for (name, kink), side in snippet("kinks.py")["results"].items()}
    assert choices[("ReLU", 0.0)] == choices[("LeakyReLU(0.01)", 0.0)] == "左"
    assert choices[("ReLU6", 0.0)] == "左" and choices[("ReLU6", 6.0)] == "右"
    assert choices[("Hardswish", -3.0)] == "左" and choices[("Hardswish", 3.0)] == "右"
    assert choices[("maximum(x, 0)", 0.0)] == "都不是"
    assert "得到 0.5" in PAGE and "hard-swish 在 $-3$ 处取 0、在 $3$ 处取 1" in PAGE


def test_torch_defaults_quoted_in_the_prose() -> None:
    assert nn.LeakyReLU().negative_slope == 0.01 and "默认 `negative_slope=0.01`" in PAGE
    assert (nn.Softplus().beta, nn.Softplus().threshold) == (1.0, 20.0)
    assert "`threshold`（默认 20）" in PAGE
    assert nn.PReLU().weight.item() == 0.25 and "初始值为 0.25" in PAGE


# --- the helpers: bad input ----------------------------------------------------------------


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
        call(snippet("maxout.py"))


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"size": 1}, "size"),
        ({"size": -5}, "size"),
        ({"size": 16, "low": 2.0, "high": 2.0}, "low must be below high"),
        ({"size": 16, "low": 8.0, "high": -8.0}, "low must be below high"),
    ],
)
def test_lookup_table_rejects_bad_arguments(kwargs: dict, argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        snippet("lookup_sigmoid.py")["build_table"](**kwargs)


def test_lookup_rejects_an_unknown_mode() -> None:
    example = snippet("lookup_sigmoid.py")
    table = example["build_table"](16)
    with pytest.raises(ValueError, match="mode"):
        example["lookup"](table, torch.zeros(3), "cubic")


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda s: s["fixed_point_slope"](-0.1, 7), "slope"),
        (lambda s: s["fixed_point_slope"](0.0, 7), "slope"),
        (lambda s: s["fixed_point_slope"](1.5, 7), "slope"),
        (lambda s: s["fixed_point_slope"](0.1, -1), "shift"),
        (lambda s: s["fixed_point_slope"](0.01, 4), "shift=4 is too small"),
        (lambda s: s["leaky_relu_int"](torch.zeros(3)), "x must be an integer tensor"),
        (lambda s: s["leaky_relu_int"](torch.zeros(3, dtype=torch.bool)), "x must be"),
        (lambda s: s["leaky_relu_int"](torch.zeros(3, dtype=torch.int8), 0, 7), "numerator"),
        (lambda s: s["leaky_relu_int"](torch.zeros(3, dtype=torch.int8), 128, 7), "numerator"),
        (lambda s: s["leaky_relu_int"](torch.zeros(3, dtype=torch.int8), -13, 7), "numerator"),
        (lambda s: s["leaky_relu_int"](torch.zeros(3, dtype=torch.int8), 13, -1), "shift"),
    ],
)
def test_integer_leaky_relu_rejects_bad_arguments(call, argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        call(snippet("integer_leaky.py"))


# --- the helpers: properties ---------------------------------------------------------------


@FAST
@given(
    st.lists(st.integers(-(2**20), 2**20), min_size=1, max_size=20),
    st.integers(1, 12),
    st.data(),
)
def test_integer_leaky_relu_is_floor_of_the_exact_product(values, shift, data) -> None:
    numerator = data.draw(st.integers(1, 2**shift - 1))
    result = snippet("integer_leaky.py")["leaky_relu_int"](
        torch.tensor(values, dtype=torch.int32), numerator, shift
    )
    expected = [v if v >= 0 else (v * numerator) // 2**shift for v in values]  # Python // floors
    assert result.tolist() == expected


@FAST
@given(st.integers(2, 2000), st.lists(st.floats(-8, 8), min_size=1, max_size=50))
def test_lookup_errors_stay_within_the_bounds(size: int, points: list[float]) -> None:
    example = snippet("lookup_sigmoid.py")
    table = example["build_table"](size)
    x = torch.tensor(points, dtype=torch.float64)
    exact = torch.sigmoid(x)
    h = table.step
    nearest = (example["lookup"](table, x, "nearest") - exact).abs().max().item()
    linear = (example["lookup"](table, x, "linear") - exact).abs().max().item()
    assert nearest <= h / 8 + 1e-15
    assert linear <= h**2 / (48 * math.sqrt(3)) + 1e-15


@FAST
@given(st.integers(1, 5), st.integers(1, 6), st.integers(1, 4), st.integers(0, 2**16))
def test_maxout_takes_the_max_of_each_group(k: int, groups: int, batch: int, seed: int) -> None:
    maxout = snippet("maxout.py")["maxout"]
    features = torch.randn(batch, groups * k, generator=torch.Generator().manual_seed(seed))
    out = maxout(features, k)
    assert out.shape == (batch, groups)
    for b in range(batch):
        for g in range(groups):
            assert out[b, g] == max(features[b, g * k : (g + 1) * k].tolist())
    if k == 1:
        assert torch.equal(out, features)


# --- more prose numbers, each tied to a stored output or a computation ---------------------


def test_saturation_numbers_are_paired_with_their_points() -> None:
    text = stored("saturation.out")
    assert "x=5: 0.006648" in text and "在 $x = 5$ 处只剩 0.006648" in PAGE
    five = torch.tensor(5.0, dtype=torch.float64)
    assert f"{autograd_slope(torch.sigmoid, five).item():.4g}" == "0.006648"
    assert "连续 10 层 sigmoid 后的梯度: 3.88e-07" in text
    assert "连续 10 层 sigmoid 之后梯度只剩 3.88e-07" in PAGE and "$(1/4)^{10}" in PAGE
    assert "x=0: 0.25" in text and "$\\sigma'(0) = 1/4$" in PAGE  # hard-sigmoid comparison
    assert "tanh: 导数最大值 1，" in text and "tanh 的上界是 1" in PAGE


def test_zero_centering_batch_of_sixteen() -> None:
    assert "sigmoid 的输出作输入，批大小 16: 权重梯度全部同号的神经元 4/4" in stored(
        "zero_centering.out"
    )
    assert "本例中批大小为 16 时仍然是 4/4" in PAGE


def test_ranges_quoted_in_the_prose_match_the_properties_table() -> None:
    rows = {row[0]: row[1:] for row in table_rows(stored("properties.out"))}
    assert rows["Sigmoid"][0] == "$(0, 1)$" and "sigmoid 的值域是 $(0, 1)$" in PAGE
    assert rows["Tanh"][0] == "$(-1, 1)$" and "纵向拉伸到\n$(-1, 1)$" in PAGE
    assert rows["ReLU6"][0] == "$[0, 6]$" and "ReLU6 把输出限制在 $[0, 6]$" in PAGE
    assert rows["ELU"][0] == r"$(-1, \infty)$" and "平滑地饱和到 $-\\alpha$" in PAGE  # α = 1


def test_property_table_settings_stated_in_the_prose() -> None:
    example = snippet("properties.py")
    grid = example["grid"]
    assert (grid[0].item(), grid[-1].item(), (grid[1] - grid[0]).item()) == (-8.0, 8.0, 1 / 256)
    assert example["far"].tolist() == [-1e6, 1e6]
    assert example["limit"](1001.0) == math.inf and example["limit"](999.0) == 999.0
    source = (OUTPUTS / "properties.py").read_text(encoding="utf-8")
    assert "slope.diff().abs() > 0.05" in source and "abs(slope) < 1e-9" in source
    assert "在 $[-8, 8]$ 上步长 $1/256$ 的网格上" in PAGE and "$x = \\pm 10^6$" in PAGE
    assert "绝对值超过 $10^3$ 记为 $\\infty$" in PAGE and "跳变超过 0.05" in PAGE
    assert "导数的绝对值小于 $10^{-9}$" in PAGE


def test_relu_family_figure_uses_slope_a_tenth() -> None:
    panel = panels()["LeakyReLU"]
    (index,) = np.flatnonzero(panel.x == -1.0)
    assert panel.y[index] == pytest.approx(-0.1)  # slope 0.1, not torch's default 0.01
    assert "leaky ReLU 取斜率 a = 0.1（torch 的默认值是 0.01" in PAGE


def test_every_kink_choice_the_prose_states() -> None:
    results = snippet("kinks.py")["results"]
    # ELU takes alpha at 0; with alpha = 1 both sides agree
    assert results[("ELU(alpha=1)", 0.0)] == "两侧相等" and results[("ELU(alpha=2)", 0.0)] == "左"
    assert autograd_slope(lambda v: F.elu(v, alpha=2.0), torch.tensor(0.0)).item() == 2.0
    # the clipped functions take the outer (flat or slope-1) piece at every corner
    for name, kink in [("ReLU6", 0.0), ("Hardsigmoid", -3.0), ("Hardswish", -3.0)]:
        assert results[(name, kink)] == "左", name
    for name, kink in [("ReLU6", 6.0), ("Hardsigmoid", 3.0), ("Hardswish", 3.0)]:
        assert results[(name, kink)] == "右", name
    for point in (0.0, 6.0):  # "ReLU6 在 0 和 6 处都取 0"
        assert autograd_slope(F.relu6, torch.tensor(point)).item() == 0.0
    assert "ReLU6 在 0 和 6 处都取 0" in PAGE and "ELU 取 $\\alpha$（$\\alpha = 1$" in PAGE


def test_dying_relu_unit_never_moves() -> None:
    text = stored("dying_relu.out")
    assert "ReLU: 预激活为正的输入 0/256 -> 训练 100 步后 0/256" in text
    assert "第一步的梯度全为 0: True，参数一直没变: True" in text
    assert "LeakyReLU(0.01): 预激活为正的输入 0/256 -> 训练 100 步后 137/256" in text
    assert "负半轴上的斜率 0.01 虽小却不为 0" in PAGE


def test_slope_point_one_is_ten_times_the_default() -> None:
    lines = dict(line.split(": ", 1) for line in stored("leaky_slope.out").splitlines())
    default = json.loads(lines["negative_slope=0.01"])
    yolo = json.loads(lines["negative_slope=0.1"])
    negatives = [b / a for a, b in zip(default, yolo, strict=True) if a < 0]
    assert negatives == pytest.approx([10.0, 10.0])
    assert "负半轴的输出差了 10 倍" in PAGE and "`nn.LeakyReLU(0.1)`" in PAGE


def test_softplus_threshold_switch_is_below_float32_spacing() -> None:
    jump = math.log1p(math.exp(-20))
    # at x = 20 torch still evaluates the formula (the switch is beta*x > threshold)
    at_switch = F.softplus(torch.tensor(20.0, dtype=torch.float64)).item() - 20.0
    assert at_switch == pytest.approx(jump, rel=1e-5)
    spacing = float(np.spacing(np.float32(20.0)))
    assert f"{jump:.2e}" == "2.06e-09" and f"{spacing:.2e}" == "1.91e-06" and jump < spacing
    assert "float32 在 20 附近的间距 1.91e-06" in stored("relations.out")
    assert "$\\ln(1 + e^{-20}) \\approx$ 2.06e-09" in PAGE


def test_maxout_figure_and_cost_numbers() -> None:
    assert activation_plots.MAXOUT_TANGENTS_AT == (-3.0, 0.0, 3.0)
    assert "maxout 有 k = 3 个线性片段" in PAGE and "x = −3、0、3 处的三条切线" in PAGE
    assert "参数 8320，是同尺寸 Linear（2080）的 4 倍" in stored("maxout.out")
    layer, linear = snippet("maxout.py")["Maxout"](64, 32, k=4), nn.Linear(64, 32)
    assert sum(p.numel() for p in layer.parameters()) == 8320 == 4 * 2080
    assert layer.pieces.weight.numel() == 4 * linear.weight.numel()  # multiply-adds per input
    assert "同尺寸线性层的 $k$ 倍" in PAGE


def test_maxout_gradient_is_the_winning_pieces_weights() -> None:
    torch.manual_seed(3)
    layer = snippet("maxout.py")["Maxout"](5, 3, k=4)
    x = torch.randn(1, 5, requires_grad=True)
    out = layer(x)
    pieces = layer.pieces(x).view(3, 4)
    for unit in range(3):
        (grad,) = torch.autograd.grad(out[0, unit], x, retain_graph=True)
        winner = unit * 4 + int(pieces[unit].argmax())
        assert torch.allclose(grad[0], layer.pieces.weight[winner], atol=1e-15)


def test_formula_check_grid_and_tolerances_stated_in_the_prose() -> None:
    x = snippet("formulas.py")["x"].detach()
    assert (x[0].item(), x[-1].item(), (x[1] - x[0]).item()) == (-10.0, 10.0, 1 / 64)
    assert torch.isin(torch.tensor([-3.0, 0.0, 3.0, 6.0]), x).all()
    source = (OUTPUTS / "formulas.py").read_text(encoding="utf-8")
    assert "rtol=0, atol=1e-12" in source and "rtol=0, atol=1e-8" in source
    assert "$[-10, 10]$ 上步长 $1/64$" in PAGE and "所有不可导点 $-3$、$0$、$3$、$6$" in PAGE
    assert "容差 $10^{-12}$（导数 $10^{-8}$" in PAGE


def test_formulas_with_parameters_other_than_torchs_defaults() -> None:
    x = torch.linspace(-6, 6, 1201, dtype=torch.float64)
    expo = (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x))
    assert torch.allclose(torch.tanh(x), expo, atol=1e-15)  # the page's definition of tanh
    a, alpha, beta = 0.1, 2.0, 3.0
    assert torch.allclose(F.leaky_relu(x, a), torch.where(x > 0, x, a * x), atol=1e-15)
    assert torch.allclose(
        autograd_slope(lambda v: F.leaky_relu(v, a), x), torch.where(x > 0, 1.0, a)
    )
    elu = torch.where(x > 0, x, alpha * (torch.exp(x) - 1))
    assert torch.allclose(F.elu(x, alpha), elu, atol=1e-15)
    elu_slope = torch.where(x > 0, 1.0, alpha * torch.exp(x))
    assert torch.allclose(autograd_slope(lambda v: F.elu(v, alpha), x), elu_slope, atol=1e-15)
    softplus = torch.log(1 + torch.exp(beta * x)) / beta
    assert torch.allclose(F.softplus(x, beta=beta), softplus, atol=1e-15)
    # ReLU6(x + 3)/6 = clip(x/6 + 1/2, 0, 1)
    assert torch.allclose(F.hardsigmoid(x), torch.clamp(x / 6 + 0.5, 0, 1), atol=1e-15)


def test_hard_sigmoid_slopes_and_ranking() -> None:
    lines = stored("hard_sigmoid.out").splitlines()[1:4]  # name (22 columns), then 4 fields
    slopes = [float(line[22:].split()[1]) for line in lines]
    gaps = {line[:22].strip(): float(line[22:].split()[3]) for line in lines}
    assert slopes == [0.5, 0.2, pytest.approx(1 / 6, abs=5e-5)]
    assert "斜率分别是 0.5、0.2 和 $1/6$" in PAGE
    nearest, farthest = min(gaps, key=gaps.get), max(gaps, key=gaps.get)
    assert (nearest, farthest) == ("ReLU6(x+3)/6", "clip((x+1)/2, 0, 1)")
    assert "离 sigmoid 最近（最大差 0.0692），BinaryConnect 那一种最远（0.2689）" in PAGE


def test_lookup_table_settings_and_bounds_for_every_size() -> None:
    example = snippet("lookup_sigmoid.py")
    table = example["build_table"](256)
    assert (table.low, table.high) == (-8.0, 8.0) and activation_approximations.TABLE_SIZE == 256
    assert "256 项查找表 sigmoid" in PAGE and "阴影为表格覆盖的 [−8, 8]" in PAGE
    fine = example["fine"]
    assert (fine[0].item(), fine[-1].item(), (fine[1] - fine[0]).item()) == (-12.0, 12.0, 2**-14)
    assert "在 $[-12, 12]$ 上步长 $2^{-14}$ 的细网格上" in PAGE
    rows = table_rows(stored("lookup_sigmoid.out"))
    for row in rows:
        n = int(row[0])
        h = 16 / (n - 1)
        assert float(row[2]) == float(f"{h / 8:.2e}")
        assert float(row[4]) == float(f"{h**2 / (48 * math.sqrt(3)):.2e}")
        # "实测值都接近上限"
        assert 0.9 < float(row[1]) / float(row[2]) <= 1 and 0.9 < float(row[3]) / float(row[4]) <= 1
    assert "$h = 16/(n - 1)$" in PAGE and "即 $h^2/(48\\sqrt3)$" in PAGE


def test_lookup_tail_error_is_sigma_of_minus_eight() -> None:
    tail = torch.sigmoid(torch.tensor(-8.0, dtype=torch.float64)).item()
    assert f"{tail:.2e}" == "3.35e-04"
    assert "表外钳位带来的误差趋于 $\\sigma(-8) \\approx$ 3.35e-04" in PAGE
    rows = {row[0]: row for row in table_rows(stored("lookup_sigmoid.out"))}
    # from 256 entries on, a bigger table no longer helps linear interpolation over all reals
    assert rows["256"][5] == rows["1024"][5] == "3.35e-04"
    assert float(rows["64"][5]) > float(rows["256"][5])


def test_integer_leaky_relu_numbers_in_the_prose() -> None:
    text = stored("integer_leaky.out")
    minus_one = torch.tensor([-1], dtype=torch.int32)
    assert ((13 * minus_one) >> 7).item() == -1
    assert "x               [-1," in text and "(13x) >> 7      [-1," in text
    assert "$(13 \\cdot (-1)) \\gg 7 = -1$，而不是 $0$" in PAGE
    assert 2 ** (7 - 1) == 64 and "(13x + 64) >> 7" in text and "$2^{7-1} = 64$" in PAGE
    assert (torch.tensor([-10], dtype=torch.int8) * 13).item() == 126 and -10 * 13 == -130
    assert "int8 里直接乘 13: [126," in text
    assert "$-10 \\times 13 = -130$ 超出了 $[-128, 127]$" in PAGE and "会回绕成 126" in PAGE
    errors = [float(m) for m in re.findall(r"相对误差 ([\d.]+)%", text)[1:]]  # by shift
    assert errors == sorted(errors, reverse=True)  # "右移位数越多，近似越准"
    assert "乘 13 再右移 7 位" in PAGE
