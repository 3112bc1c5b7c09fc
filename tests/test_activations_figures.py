"""Chapter 6 (激活函数): the figures draw what torch computes."""

from __future__ import annotations

import functools
import math
import re

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from figures import activation_approximations, activation_plots
from figures.common import torch_default_dtype
from tests.helpers import page, stored

PAGE = "activations.md"


@pytest.fixture(scope="module", autouse=True)
def float64_like_the_snippets():
    with torch_default_dtype(torch.float64):
        yield


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
    "GELU": F.gelu,
    "Mish": F.mish,
    "SELU": F.selu,
}


def test_every_activation_has_a_panel_and_every_family_is_on_the_page() -> None:
    assert sorted(panels()) == sorted([*REFERENCE, "Maxout"])
    for family in activation_plots.FAMILIES:
        for theme in ("light", "dark"):
            assert f"assets/figures/activations/{family}-{theme}.png#only-{theme}" in page(PAGE)


def test_panel_titles_are_chinese_where_they_are_words() -> None:
    for name, panel in panels().items():
        assert not re.search(r"\b(dotted|slope|pieces|alpha)\b", panel.title), name
    assert "负半轴斜率" in panels()["LeakyReLU"].title and "点线" in panels()["Maxout"].title


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_plotted_values_and_slopes_are_torchs(name: str) -> None:
    panel, reference = panels()[name], REFERENCE[name]
    for point in (-3.0, -2.5, -1.0, 0.0, 0.5, 3.0):
        (index,) = np.flatnonzero(panel.x == point)
        x = torch.tensor([point], dtype=torch.float64)
        assert panel.y[index] == pytest.approx(reference(x).item(), abs=1e-12)
        assert panel.slope[index] == pytest.approx(autograd_slope(reference, x).item(), abs=1e-7)


def test_plotted_slopes_at_hand_checked_points() -> None:
    """sigma'(0) = 1/4, tanh'(0) = softsign'(0) = 1, hardsigmoid'(0) = 1/6, GELU'(0) = 1/2,
    Mish'(0) = tanh(ln 2) = 3/5, and autograd's choices at the kinks."""
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
        ("GELU", 0.0): 0.5,
        ("Mish", 0.0): 0.6,
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


def test_selu_panel_marks_the_jump_from_lambda_alpha_to_lambda() -> None:
    (kink,) = panels()["SELU"].kinks
    scale = F.selu(torch.tensor(1.0, dtype=torch.float64)).item()
    floor = -F.selu(torch.tensor(-100.0, dtype=torch.float64)).item()
    assert kink["autograd"] == pytest.approx(floor) and kink["right"] == pytest.approx(scale)
    assert "SELU 在 0 处导数从 λα 跳到 λ" in page(PAGE)


def test_maxout_panel_is_a_max_of_softplus_tangents() -> None:
    panel = panels()["Maxout"]
    pieces = np.stack(panel.pieces)
    assert len(panel.pieces) == len(activation_plots.MAXOUT_TANGENTS_AT)
    assert np.allclose(panel.y, pieces.max(axis=0), atol=1e-12)
    softplus = F.softplus(torch.from_numpy(panel.x)).numpy()
    assert (panel.y <= softplus + 1e-12).all()  # tangents of a convex function lie below it
    for point in activation_plots.MAXOUT_TANGENTS_AT:
        (index,) = np.flatnonzero(panel.x == point)
        assert panel.y[index] == pytest.approx(softplus[index], abs=1e-12)
    jumps = np.flatnonzero(np.abs(np.diff(panel.slope)) > activation_plots.JUMP)
    assert len(jumps) == len(panel.pieces) - 1  # k pieces take turns k - 1 times
    assert "maxout 有 k = 3 个线性片段" in page(PAGE) and "x = −3、0、3 处的三条切线" in page(PAGE)
    assert activation_plots.MAXOUT_TANGENTS_AT == (-3.0, 0.0, 3.0)


def test_relu_family_figure_uses_ten_times_the_default_slope() -> None:
    panel = panels()["LeakyReLU"]
    (index,) = np.flatnonzero(panel.x == -1.0)
    assert panel.y[index] == pytest.approx(-10 * torch.nn.LeakyReLU().negative_slope)
    assert "图中的 leaky ReLU 取了 torch 默认值十倍的斜率" in page(PAGE)
    assert "负半轴斜率 0.1" in panel.title


def test_approximation_figure_draws_torch_values() -> None:
    x, curves = activation_approximations.hard_sigmoid_curves()
    (one,) = np.flatnonzero(x == 1.0)
    assert curves["clip((x+1)/2, 0, 1)"][one] == (1.0 + 1) / 2
    assert curves["clip(0.2x+0.5, 0, 1)"][one] == pytest.approx(0.2 * 1.0 + 0.5)
    assert curves["ReLU6(x+3)/6"][one] == pytest.approx(F.hardsigmoid(torch.tensor(1.0)).item())
    assert np.allclose(curves["sigmoid"], torch.sigmoid(torch.from_numpy(x)).numpy())

    x, curves = activation_approximations.swish_curves()
    assert np.allclose(curves["hard-swish"], F.hardswish(torch.from_numpy(x)).numpy())
    assert np.allclose(curves["SiLU"], F.silu(torch.from_numpy(x)).numpy())

    x, curves = activation_approximations.softplus_curves()
    for beta in activation_approximations.BETAS:
        expected = F.softplus(torch.from_numpy(x), beta=beta).numpy()
        assert np.allclose(curves[f"softplus，β = {beta:g}"], expected)


def table_rows(markdown: str) -> list[list[str]]:
    rows = [line.strip("|").split("|") for line in markdown.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row] for row in rows[2:]]


def test_lookup_error_panel_agrees_with_the_stored_table() -> None:
    centres, curves = activation_approximations.lookup_error_curves()
    size = activation_approximations.TABLE_SIZE
    row = next(r for r in table_rows(stored("activations/lookup_sigmoid.out")) if r[0] == str(size))
    nearest, linear = curves[f"取最近项，{size} 项"], curves[f"线性插值，{size} 项"]
    # the figure samples every 2^-10, the table every 2^-14: the same maxima to within 2 %
    assert nearest.max() == pytest.approx(float(row[1]), rel=0.02)
    assert linear[np.abs(centres) < 7.9].max() == pytest.approx(float(row[3]), rel=0.02)
    # outside the table the clamped value sigmoid(8) is used: the error climbs towards sigma(-8)
    tail = torch.sigmoid(torch.tensor(-8.0, dtype=torch.float64)).item()
    assert linear[np.abs(centres) > 8].max() < tail < 1.05 * linear[np.abs(centres) > 8].max()
    assert f"{size} 项查找表 sigmoid" in page(PAGE) and "阴影为表格覆盖的 [−8, 8]" in page(PAGE)
