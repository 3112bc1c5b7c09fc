"""Chapter 6 (激活函数): the formulas, the properties table, GELU/Mish/SELU, the review's findings
and the exercises. The figures are checked in ``test_activations_figures.py``, the hardware
approximations in ``test_activations_hardware.py``.

Numbers in the prose are macros (``hooks/macros.py``); where the macro's choice of number could
silently drift, a test expands the page and compares the sentence with a value computed here.
"""

from __future__ import annotations

import math
import re

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn import functional as F

from figures.common import torch_default_dtype
from hooks.macros import expand
from tests.helpers import page, snippet, stored
from tests.paths import REPO

PAGE = "activations.md"
FAST = settings(max_examples=60, derandomize=True, deadline=None)


@pytest.fixture(scope="module", autouse=True)
def float64_like_the_snippets():
    """The chapter's snippets check in float64 (each sets it at its top, as a script);
    load_snippet restores the default, so run the tests of their functions in float64 too."""
    with torch_default_dtype(torch.float64):
        yield


def rendered() -> str:
    """The page with every macro replaced by its number, as the reader sees it."""
    return expand(page(PAGE))


def latex_sci(value: float, digits: int = 2) -> str:
    """``value`` as the page's macros write it with fmt="sci:2": 3.88 \\times 10^{-7}."""
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}"


def autograd_slope(function, x: torch.Tensor) -> torch.Tensor:
    x = x.clone().requires_grad_()
    (grad,) = torch.autograd.grad(function(x).sum(), x)
    return grad


def table_rows(markdown: str) -> dict[str, list[str]]:
    rows = [line.strip("|").split("|") for line in markdown.splitlines() if line.startswith("|")]
    return {row[0].strip(): [cell.strip() for cell in row[1:]] for row in rows[2:]}


def section(name: str) -> str:
    """The Markdown of the ``## name`` section of the page."""
    text = page(PAGE)
    start = text.index(f"\n## {name}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


# --- the formulas on the page -------------------------------------------------------------


def test_two_linear_layers_without_activation_are_one_linear_layer() -> None:
    torch.manual_seed(0)
    first, second = nn.Linear(5, 4).double(), nn.Linear(4, 3).double()
    x = torch.randn(10, 5, dtype=torch.float64)
    merged_weight = second.weight @ first.weight  # W2 W1
    merged_bias = second.weight @ first.bias + second.bias  # W2 b1 + b2
    assert torch.allclose(second(first(x)), x @ merged_weight.T + merged_bias, atol=1e-12)


def test_the_chapter_counts_its_activations() -> None:
    checked = len(snippet("activations/formulas")["ACTIVATIONS"])
    assert f"常用的 {checked + 1} 个激活函数" in page(PAGE)  # + maxout
    assert f"{checked} 个函数（maxout 之外）" in page(PAGE)
    assert len(table_rows(stored("activations/properties.out"))) == checked


def test_sigmoid_identities_used_in_the_prose() -> None:
    x = torch.linspace(-20, 20, 4001, dtype=torch.float64)
    sigmoid_slope = autograd_slope(torch.sigmoid, x)
    s = torch.sigmoid(x)
    assert torch.allclose(sigmoid_slope, torch.exp(-x) / (1 + torch.exp(-x)) ** 2, atol=1e-15)
    assert torch.allclose(sigmoid_slope, s * (1 - s), atol=1e-15)
    assert torch.allclose(autograd_slope(torch.tanh, x / 2), 4 * sigmoid_slope, atol=1e-14)
    assert torch.allclose(torch.sigmoid(-x), 1 - s, atol=1e-15)  # halves the lookup table
    positive = x[x > 0]  # 1 - softsign(x) = 1 / (1 + x): softsign approaches 1 like 1/x
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
    assert torch.allclose(F.hardsigmoid(x), torch.clamp(x / 6 + 0.5, 0, 1), atol=1e-15)


def test_elu_and_softsign_have_continuous_slopes_but_jumping_curvature() -> None:
    eps = 1e-6
    for function, jump in [(F.elu, 1.0), (F.softsign, 4.0)]:  # ELU'' : 1 -> 0, softsign'' : 2 -> -2
        x = torch.tensor([-eps, eps], dtype=torch.float64, requires_grad=True)
        (slope,) = torch.autograd.grad(function(x).sum(), x, create_graph=True)
        (curvature,) = torch.autograd.grad(slope.sum(), x)
        assert abs(slope[0] - slope[1]).item() < 1e-5
        assert abs(curvature[0] - curvature[1]).item() == pytest.approx(jump, rel=1e-4)
    assert "ELU（$\\alpha = 1$）和 softsign 的导数连续，但二阶导数不连续" in page(PAGE)


@FAST
@given(st.floats(-30, 30), st.floats(0.1, 50))
def test_softplus_never_exceeds_relu_by_more_than_ln2_over_beta(x: float, beta: float) -> None:
    value = torch.tensor(x, dtype=torch.float64)
    gap = (F.softplus(value, beta=beta) - F.relu(value)).item()
    assert 0 <= gap <= math.log(2) / beta + 1e-15


def test_softplus_threshold_switch_is_below_float32_spacing() -> None:
    jump = math.log1p(math.exp(-20))
    # at x = 20 torch still evaluates the formula (the switch is beta*x > threshold)
    at_switch = F.softplus(torch.tensor(20.0, dtype=torch.float64)).item() - 20.0
    assert at_switch == pytest.approx(jump, rel=1e-5)
    spacing = torch.finfo(torch.float32).eps * 16  # between floats in [16, 32)
    twenty = torch.tensor(20.0, dtype=torch.float32)
    assert spacing == float(twenty.nextafter(torch.tensor(21.0, dtype=torch.float32)) - twenty)
    assert jump < spacing
    assert nn.Softplus().threshold == 20.0 and "`threshold`（默认 20）" in page(PAGE)
    assert f"\\ln(1 + e^{{-20}}) \\approx {latex_sci(jump)}$" in rendered()


# --- the review's findings ----------------------------------------------------------------


def test_torch_maximum_with_a_python_zero_raises() -> None:
    """The page once said ``torch.maximum(x, 0)`` splits the gradient; it raises instead."""
    x = torch.tensor([-1.0, 0.0, 2.0])
    with pytest.raises(TypeError, match="must be Tensor"):
        torch.maximum(x, 0)
    assert "写成 `torch.maximum(x, 0)` 直接报 `TypeError`" in page(PAGE)
    assert "torch.maximum(x, 0) 报错: TypeError" in stored("activations/relu_tie.out")


def test_the_ways_of_writing_relu_and_their_slope_at_zero() -> None:
    x = torch.tensor([-1.0, 0.0, 2.0])
    for name, relu in snippet("activations/relu_tie")["ways"].items():
        slope = autograd_slope(relu, x)
        assert slope[0] == 0 and slope[2] == 1, name
        expected = 0.5 if name in snippet("activations/relu_tie")["splits_ties"] else 0.0
        assert slope[1].item() == expected, name
    assert "梯度被平分，得到\n0.5" in rendered()


def test_a_kink_is_not_called_an_inflection_point() -> None:
    """拐点 is an inflection point (where curvature changes sign); a kink is 折点/不可导点."""
    for source in (page(PAGE), page("normalization.md")):
        assert "拐点" not in source and "拐角" not in source
    glossary = (REPO / "includes/abbreviations.md").read_text(encoding="utf-8").splitlines()
    assert all("inflection point" in line for line in glossary if "拐点" in line)
    assert any(line.startswith("*[折点]: kink") for line in glossary)
    assert "折点（不可导点）" in page(PAGE)


def test_one_letter_one_meaning() -> None:
    """a is the leaky slope; the activation value is h (as in the zero-centring section)."""
    text = page(PAGE)
    assert "激活值为 $h = f(z)$" in text and "$a = f(z)$" not in text
    assert "负半轴斜率 $0 < a < 1$" in text and "输入 $h_j$ 是上一层的输出" in text


def test_zero_centred_means_mean_zero_under_a_standard_normal() -> None:
    """The glossary, the prose and the table use one criterion: E[f(z)] = 0 for z ~ N(0, 1)."""
    glossary = next(
        line
        for line in (REPO / "includes/abbreviations.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("*[零中心]:")
    )
    assert "z ~ N(0, 1)" in glossary and "均值为 0" in glossary
    assert "输入 $z \\sim \\mathcal{N}(0, 1)$ 时输出的均值 $\\mathbb{E}[f(z)]$ 为 0" in page(PAGE)
    for name, row in table_rows(stored("activations/properties.out")).items():
        verdict, mean = re.fullmatch(r"(是|否)（(-?[\d.]+)）", row[1]).groups()
        assert (verdict == "是") == (float(mean) == 0), name
    odd = [F.softsign, torch.tanh]
    x = torch.linspace(-8, 8, 4097, dtype=torch.float64)
    assert all(torch.allclose(f(-x), -f(x)) for f in odd)


# --- the properties table -----------------------------------------------------------------


def test_properties_table_states_hand_checked_facts() -> None:
    rows = {
        name: tuple(row) for name, row in table_rows(stored("activations/properties.out")).items()
    }
    # (range, zero-centred, monotonic, derivative continuous, saturates, transcendental)
    expected = {
        "Sigmoid": ("$(0, 1)$", "否（0.500）", "是", "是", "两侧", "exp"),
        "Tanh": ("$(-1, 1)$", "是（0.000）", "是", "是", "两侧", "exp"),
        "ReLU": (r"$[0, \infty)$", "否（0.399）", "是", "否（0）", "左侧", "—"),
        "ReLU6": ("$[0, 6]$", "否（0.399）", "是", "否（0、6）", "两侧", "—"),
        "LeakyReLU": (r"$(-\infty, \infty)$", "否（0.395）", "是", "否（0）", "无", "—"),
        "ELU": (r"$(-1, \infty)$", "否（0.161）", "是", "是", "左侧", "exp"),
        "SELU": (r"$(-1.758, \infty)$", "是（0.000）", "是", "否（0）", "左侧", "exp"),
        "Softplus": (r"$(0, \infty)$", "否（0.806）", "是", "是", "左侧", "exp、log"),
        "Softsign": ("$(-1, 1)$", "是（0.000）", "是", "是", "两侧", "—"),
        "SiLU": (r"$[-0.2785, \infty)$", "否（0.207）", "否", "是", "左侧", "exp"),
        "GELU": (r"$[-0.17, \infty)$", "否（0.282）", "否", "是", "左侧", "erf"),
        "Mish": (r"$[-0.3088, \infty)$", "否（0.240）", "否", "是", "左侧", "exp、log"),
        "Hardsigmoid": ("$[0, 1]$", "否（0.500）", "是", "否（-3、3）", "两侧", "—"),
        "Hardswish": (r"$[-0.375, \infty)$", "否（0.166）", "否", "否（-3、3）", "左侧", "—"),
    }
    assert rows == expected


def test_table_means_agree_with_closed_forms() -> None:
    rows = table_rows(stored("activations/properties.out"))
    tail = 0.5 * math.erfc(1 / math.sqrt(2))  # P(z < -1)
    closed = {
        "ReLU": 1 / math.sqrt(2 * math.pi),
        "LeakyReLU": (1 - 0.01) / math.sqrt(2 * math.pi),
        "ELU": 1 / math.sqrt(2 * math.pi) + math.exp(0.5) * tail - 0.5,  # E[z; z>0] + E[e^z-1; z<0]
        "GELU": 1 / (2 * math.sqrt(math.pi)),  # E[z Φ(z)] = E[φ(z)]
        "Sigmoid": 0.5,
    }
    for name, mean in closed.items():
        assert rows[name][1].endswith(f"（{mean:.3f}）"), name
    elu, relu = f"{closed['ELU']:.3f}", f"{closed['ReLU']:.3f}"
    assert f"ELU 的 $\\mathbb{{E}}[f(z)]$ 为\n{elu}，ReLU 为 {relu}（见文末性质表）" in rendered()


def test_table_minima_are_torchs() -> None:
    x = torch.linspace(-3, 0, 300_001, dtype=torch.float64)
    rows = table_rows(stored("activations/properties.out"))
    for name, function in [("SiLU", F.silu), ("Mish", F.mish)]:
        assert rows[name][0] == f"$[{function(x).min().item():.4g}, \\infty)$"
    assert F.hardswish(torch.tensor(-1.5)).item() == -3 / 8  # (-1.5)(1.5)/6
    selu_floor = -F.selu(torch.tensor(-100.0)).item()  # λα
    assert rows["SELU"][0] == f"$(-{selu_floor:.3f}, \\infty)$"


def test_property_table_settings_stated_in_the_prose() -> None:
    example = snippet("activations/properties")
    grid = example["grid"]
    assert (grid[0].item(), grid[-1].item(), (grid[1] - grid[0]).item()) == (-8.0, 8.0, 1 / 256)
    assert example["far"].tolist() == [-1e6, 1e6]
    assert example["limit"](1001.0) == math.inf and example["limit"](999.0) == 999.0
    source = (REPO / "snippets/activations/properties.py").read_text(encoding="utf-8")
    assert "slope.diff().abs() > 0.05" in source and "abs(slope) < 1e-9" in source
    text = page(PAGE)
    assert "网格是 $[-8, 8]$ 上步长 $1/256$ 的点" in text and "$x = \\pm 10^6$" in text
    assert "绝对值超过 $10^3$ 的极限记为 $\\infty$" in text and "跳变超过 $0.05$" in text
    assert "导数的绝对值小于 $10^{-9}$" in text


def test_ranges_quoted_in_the_prose_match_the_properties_table() -> None:
    rows = table_rows(stored("activations/properties.out"))
    text = page(PAGE)
    assert rows["Sigmoid"][0] == "$(0, 1)$" and "sigmoid 的值域是 $(0, 1)$" in text
    assert rows["Tanh"][0] == "$(-1, 1)$" and "纵向拉伸到\n$(-1, 1)$" in text
    assert rows["ReLU6"][0] == "$[0, 6]$" and "ReLU6 把输出限制在 $[0, 6]$" in text
    assert rows["ELU"][0] == r"$(-1, \infty)$" and "平滑地饱和到 $-\\alpha$" in text  # α = 1


# --- GELU, Mish, SELU and how to choose ---------------------------------------------------


def test_gelu_tanh_approximation_gap() -> None:
    x = torch.arange(-8 * 256, 8 * 256 + 1, dtype=torch.float64) / 256
    gap = (F.gelu(x) - F.gelu(x, approximate="tanh")).abs()
    assert torch.allclose(gap, gap.flip(0), rtol=0, atol=1e-13)  # even: the ± on the page
    assert f"tanh 近似与精确式的最大差: {gap.max().item():.2e}" in stored("activations/gelu.out")
    assert "0.044715" in (REPO / "snippets/activations/gelu.py").read_text(encoding="utf-8")


@FAST
@given(st.floats(-20, 20))
def test_gelu_is_x_over_two_plus_an_even_part(x: float) -> None:
    value = torch.tensor([x, -x], dtype=torch.float64)
    gelu = F.gelu(value)
    assert (gelu[0] - gelu[1]).item() == pytest.approx(x, abs=1e-12)  # exercise 6


def test_mish_gate_opens_at_tanh_ln2() -> None:
    assert math.tanh(math.log(2)) == pytest.approx(0.6, abs=1e-15)
    assert "Mish  -0.3088    -1.19    0.6000" in stored("activations/mish.out")
    assert "$\\tanh(\\ln 2) = 0.6$" in page(PAGE)
    minima = {name: float(row.split()[1]) for name, row in (
        (line.split()[0], line) for line in stored("activations/mish.out").splitlines()[3:]
    )}  # fmt: skip
    assert min(minima, key=minima.get) == "Mish"  # "所以它的最小值最深"


def test_selu_constants_solve_the_two_conditions() -> None:
    alpha = -F.selu(torch.tensor(-100.0)).item() / F.selu(torch.tensor(1.0)).item()
    scale = F.selu(torch.tensor(1.0)).item()
    z = torch.linspace(-14, 14, 280_001, dtype=torch.float64)
    density = torch.exp(-(z**2) / 2) / math.sqrt(2 * math.pi)
    y = scale * torch.where(z > 0, z, alpha * torch.expm1(z))
    assert abs(torch.trapezoid(y * density, z).item()) < 1e-9
    assert torch.trapezoid(y**2 * density, z).item() == pytest.approx(1.0, abs=1e-9)
    example = snippet("activations/selu")
    assert (example["alpha"], example["scale"]) == pytest.approx((alpha, scale), rel=1e-12)
    assert f"\\alpha \\approx {alpha:.4f}, \\quad \\lambda \\approx {scale:.4f}" in rendered()


@pytest.mark.parametrize("seed", [1, 2])
def test_selu_keeps_its_statistics_through_depth_for_other_seeds(seed: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    h = torch.randn(500, 128, generator=generator, dtype=torch.float64)
    for _ in range(32):
        weight = torch.randn(128, 128, generator=generator, dtype=torch.float64) / math.sqrt(128)
        h = F.selu(h @ weight.T)
        assert abs(h.mean().item()) < 0.15 and abs(h.std().item() - 1) < 0.15


def test_how_to_choose_quotes_what_the_models_use() -> None:
    found = {
        line.split()[0]: set(line.split()[1].split("、"))
        for line in stored("activations/model_activations.out").splitlines()
    }
    assert found["efficientnet_b0"] == {"SiLU", "Sigmoid"} and found["convnext_tiny"] == {"GELU"}
    assert found["resnet50"] == {"ReLU"} and found["mobilenet_v2"] == {"ReLU6"}
    text = section("怎么选")
    assert "EfficientNet 用 SiLU，ConvNeXt 与 Transformer 类网络用 GELU" in text
    assert "（ResNet）" in text and "（MobileNetV2/V3 的做法）" in text


# --- kinks, saturation, dying ReLU, slopes ------------------------------------------------


def test_every_kink_choice_the_prose_states() -> None:
    results = snippet("activations/kinks")["results"]
    assert results[("ReLU", 0.0)] == results[("LeakyReLU(0.01)", 0.0)] == "左"
    assert results[("ELU(alpha=1)", 0.0)] == "两侧相等" and results[("ELU(alpha=2)", 0.0)] == "左"
    assert autograd_slope(lambda v: F.elu(v, alpha=2.0), torch.tensor(0.0)).item() == 2.0
    for name, kink in [("ReLU6", 0.0), ("Hardsigmoid", -3.0), ("Hardswish", -3.0)]:
        assert results[(name, kink)] == "左", name  # the outer (flat or slope-1) piece
    for name, kink in [("ReLU6", 6.0), ("Hardsigmoid", 3.0), ("Hardswish", 3.0)]:
        assert results[(name, kink)] == "右", name
    for point in (0.0, 6.0):
        assert autograd_slope(F.relu6, torch.tensor(point)).item() == 0.0
    text = page(PAGE)
    assert "ReLU6 在 0 和 6 处都取 0" in text and "ELU 取 $\\alpha$（$\\alpha = 1$" in text
    assert "hard-swish 在 $-3$ 处取 0、在 $3$ 处取 1" in text
    selu_slope = autograd_slope(F.selu, torch.tensor(0.0)).item()
    assert selu_slope == pytest.approx(-F.selu(torch.tensor(-100.0)).item())  # λα, the left side


def test_saturation_numbers_are_paired_with_their_points() -> None:
    five = torch.tensor(5.0, dtype=torch.float64)
    slope = autograd_slope(torch.sigmoid, five).item()
    assert f"在 $x = 5$ 处只剩 {slope:.4g}" in rendered()
    x = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    h = x
    for _ in range(10):
        h = torch.sigmoid(h)
    (grad,) = torch.autograd.grad(h, x)
    assert f"${latex_sci(grad.item())}$" in rendered() and grad.item() < 0.25**10
    assert f"(1/4)^{{10}} \\approx {latex_sci(0.25**10)}$" in rendered()


def test_zero_centring_counts() -> None:
    lines = stored("activations/zero_centering.out").splitlines()
    assert lines[0].endswith("4/4") and lines[2].endswith("0/4")  # sigmoid vs tanh, one sample
    assert "本例中批大小为 16 时仍然是 4/4" in rendered()


def test_dying_relu_unit_never_moves() -> None:
    text = stored("activations/dying_relu.out")
    assert "ReLU: 预激活为正的输入 0/256 -> 训练 100 步后 0/256" in text
    assert "第一步的梯度全为 0: True，参数一直没变: True" in text
    after = re.search(r"LeakyReLU\(0.01\): 预激活为正的输入 0/256 -> 训练 100 步后 (\d+)/256", text)
    assert 0 < int(after[1]) < 256
    assert (
        f"最后\n{after[1]}/256\n个输入" in rendered()
        and "训练 100 步后参数一位都没变" in rendered()
    )


def test_torch_defaults_quoted_in_the_prose() -> None:
    text = rendered()
    assert nn.LeakyReLU().negative_slope == 0.01 and "默认 `negative_slope=0.01`" in text
    assert f"初始值为\n{nn.PReLU().weight.item()}" in text
    default, yolo = nn.LeakyReLU(), nn.LeakyReLU(0.1)
    x = torch.tensor([-3.0, -1.0])
    assert torch.allclose(yolo(x) / default(x), torch.full((2,), 10.0))
    assert "负半轴的输出差了 10 倍" in text


# --- exercises ----------------------------------------------------------------------------


def test_exercises_have_collapsed_answers() -> None:
    text = section("练习")
    questions = re.findall(r"^\d+\. ", text, flags=re.MULTILINE)
    answers = text.count('??? success "答案"')
    assert 4 <= len(questions) <= 8 and answers == len(questions)


def test_exercise_answers() -> None:
    example = snippet("activations/exercises")
    x_min = example["x_min"]
    assert autograd_slope(F.silu, torch.tensor(x_min)).item() == pytest.approx(0, abs=1e-12)
    assert example["entries_nearest"] == 1025 and example["entries_linear"] == 41
    for size, fits in [(1024, False), (1025, True)]:  # measured, not just the bound
        fine = torch.arange(-8 * 2**12, 8 * 2**12 + 1, dtype=torch.float64) / 2**12
        table = torch.sigmoid(torch.linspace(-8, 8, size, dtype=torch.float64))
        nearest = table[((fine + 8) / (16 / (size - 1))).round().long()]
        assert ((nearest - torch.sigmoid(fine)).abs().max().item() <= 1 / 512) == fits
    text = rendered()
    tanh_slope = 4 * autograd_slope(torch.sigmoid, torch.tensor(2.0)).item()
    assert f"$\\tanh'(1) = 4\\,\\sigma'(2) = {tanh_slope:.4f}$" in text
    assert f"$26/128 = {26 / 128}$" in text and "相对误差 $1.5625\\%$" in text
