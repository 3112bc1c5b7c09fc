"""Chapter 7 (归一化、Dropout 与损失函数): the loss functions — cross-entropy and its gradient,
log-sum-exp, BCEWithLogitsLoss, focal loss, L1/L2 with their reductions, Smooth L1 and Huber —
and the figure of the regression losses."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn import functional as F
from torchvision.ops import sigmoid_focal_loss

from figures.loss_curves import BETA, loss_curves
from hooks.macros import expand
from tests.helpers import page, snippet, stored

PAGE = "normalization.md"
SOME = settings(max_examples=40, derandomize=True, deadline=None)


# --- cross-entropy ------------------------------------------------------------------------


@SOME
@given(
    logits=st.lists(st.floats(-30, 30), min_size=2, max_size=6),
    shift=st.floats(-500, 500),
    data=st.data(),
)
def test_cross_entropy_is_log_sum_exp_minus_the_target_logit(
    logits: list[float], shift: float, data: st.DataObject
) -> None:
    target = data.draw(st.integers(0, len(logits) - 1))
    z = torch.tensor([logits], dtype=torch.float64)
    by_hand = math.log(sum(math.exp(v) for v in logits)) - logits[target]
    loss = nn.CrossEntropyLoss()(z, torch.tensor([target]))
    assert loss.item() == pytest.approx(by_hand, abs=1e-9)
    shifted = nn.CrossEntropyLoss()(z + shift, torch.tensor([target]))  # softmax ignores shifts
    assert shifted.item() == pytest.approx(by_hand, abs=1e-9)


@SOME
@given(
    batch=st.integers(1, 5),
    classes=st.integers(2, 6),
    scale=st.floats(0.1, 50),
    seed=st.integers(0, 10_000),
    reduction=st.sampled_from(["mean", "sum"]),
)
def test_cross_entropy_gradient_is_softmax_minus_onehot(
    batch: int, classes: int, scale: float, seed: int, reduction: str
) -> None:
    generator = torch.Generator().manual_seed(seed)
    logits = torch.randn(batch, classes, generator=generator, dtype=torch.float64) * scale
    logits.requires_grad_()
    targets = torch.randint(0, classes, (batch,), generator=generator)
    (grad,) = torch.autograd.grad(F.cross_entropy(logits, targets, reduction=reduction), logits)
    expected = logits.detach().softmax(dim=1) - F.one_hot(targets, classes)
    if reduction == "mean":
        expected = expected / batch
    assert torch.allclose(grad, expected, rtol=0, atol=1e-12)
    assert grad.abs().max() <= 1  # bounded, whatever the logits


def test_uniform_logits_give_ln_k() -> None:
    losses = [
        float(v)
        for v in stored("normalization/cross_entropy.out")
        .splitlines()[0]
        .split(": ")[1]
        .split(", ")
    ]
    assert losses[3] == pytest.approx(math.log(3), abs=5e-5)
    assert f"$\\ln 3 \\approx {math.log(3):.4f}$" in page(PAGE)
    assert "\\log" not in page(PAGE)  # natural logarithms are written ln


def test_softmax_overflows_only_for_large_logits() -> None:
    limit = math.log(torch.finfo(torch.float32).max)
    assert torch.isfinite(torch.tensor(limit - 1e-3).exp()) and torch.isinf(
        torch.tensor(limit + 1e-3).exp()
    )
    small = torch.tensor([1.0, 2.0, 3.0])
    assert torch.allclose(small.exp() / small.exp().sum(), small.softmax(dim=0))
    assert f"在 $z$ 超过\n{limit:.2f} 时就变成无穷大（小的 logits 则没有问题）" in expand(
        page(PAGE)
    )
    assert "logits 很大时，直接按定义计算 softmax 会溢出" in page(PAGE)


def test_the_last_two_lines_of_the_overflow_output_are_the_gradients() -> None:
    last_two = stored("normalization/softmax_overflow.out").splitlines()[-2:]
    assert last_two == ["log(softmax) 的梯度: [nan, nan]", "log_softmax 的梯度: [1.0, -1.0]"]
    assert "梯度随之变成 NaN（上面最后两行）" in page(PAGE)


# --- binary cross-entropy and focal loss --------------------------------------------------


@SOME
@given(z=st.floats(-60, 60), y=st.sampled_from([0.0, 1.0]))
def test_bce_with_logits_is_the_stable_formula(z: float, y: float) -> None:
    logit = torch.tensor([z], dtype=torch.float64, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(logit, torch.tensor([y], dtype=torch.float64))
    stable = max(z, 0) - z * y + math.log1p(math.exp(-abs(z)))
    assert loss.item() == pytest.approx(stable, rel=1e-12, abs=1e-15)
    (slope,) = torch.autograd.grad(loss, logit)
    assert slope.item() == pytest.approx(1 / (1 + math.exp(-z)) - y, abs=1e-12)


def test_sigmoid_then_bce_saturates_where_the_page_says() -> None:
    example = snippet("normalization/bce_with_logits")
    assert torch.sigmoid(torch.tensor(20.0)).item() == 1.0  # float32 rounds σ(20) to 1
    assert example["loss_and_slope"](example["two_steps"], 20.0, 0.0) == (100.0, 0.0)
    assert example["loss_and_slope"](example["with_logits"], 20.0, 0.0)[1] == pytest.approx(1.0)
    assert "float32 的 $\\sigma(20)$ 已经舍入成 1" in page(PAGE)


@SOME
@given(
    gamma=st.sampled_from([0.0, 0.5, 1.0, 2.0, 5.0]),
    alpha=st.sampled_from([-1.0, 0.25, 0.5, 0.9]),
    seed=st.integers(0, 10_000),
)
def test_focal_loss_matches_torchvision(gamma: float, alpha: float, seed: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    logits = torch.randn(50, generator=generator, dtype=torch.float64) * 5
    targets = (torch.rand(50, generator=generator, dtype=torch.float64) < 0.4).double()
    ours = snippet("normalization/focal_loss")["focal_loss"](logits, targets, gamma, alpha)
    reference = sigmoid_focal_loss(logits, targets, alpha=alpha, gamma=gamma, reduction="none")
    assert torch.allclose(ours, reference, rtol=1e-10, atol=1e-15)


def test_focal_loss_with_gamma_zero_is_cross_entropy_and_rejects_negative_gamma() -> None:
    focal_loss = snippet("normalization/focal_loss")["focal_loss"]
    logits = torch.linspace(-8, 8, 33, dtype=torch.float64)
    targets = (torch.arange(33) % 2).double()
    bce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    assert torch.allclose(focal_loss(logits, targets, 0.0, -1), bce, rtol=1e-12)
    with pytest.raises(ValueError, match="gamma"):
        focal_loss(logits, targets, -1.0)
    defaults = sigmoid_focal_loss.__defaults__
    assert defaults[:2] == (0.25, 2)  # torchvision's alpha and gamma
    assert (
        "论文取 $\\gamma = 2$、$\\alpha = 0.25$，也是 `torchvision.ops.sigmoid_focal_loss` 的默认值"
        in page(PAGE)
    )


def test_focal_weights_in_the_prose() -> None:
    lines = stored("normalization/focal_loss.out").splitlines()
    ratios = {float(line.split()[0]): float(line.split()[3]) for line in lines[-3:]}
    assert ratios == {p: pytest.approx((1 - p) ** 2, abs=0.005) for p in (0.9, 0.5, 0.1)}
    assert f"$(1 - 0.9)^2 = {round((1 - 0.9) ** 2 * 100)}\\%$" in page(PAGE)


# --- regression losses and reductions -----------------------------------------------------


def test_sum_reduction_and_the_optimizer() -> None:
    """:301 once said "sum" steps n times further than "mean" for any optimizer: only for SGD."""
    example = snippet("normalization/reduction_and_optimizer")
    n = example["n"]
    sgd_sum = example["one_step_change"](torch.optim.SGD, "sum")
    sgd_mean = example["one_step_change"](torch.optim.SGD, "mean")
    assert torch.allclose(sgd_sum, n * sgd_mean, rtol=1e-4)
    for optimizer in (torch.optim.Adam, torch.optim.AdamW, torch.optim.RMSprop):
        ratio = (
            example["one_step_change"](optimizer, "sum").norm()
            / example["one_step_change"](optimizer, "mean").norm()
        )
        assert abs(ratio.item() - 1) < 0.02, optimizer.__name__
    text = page(PAGE)
    assert '同样的学习率下 `"sum"` 的步长是 `"mean"` 的 $n$ 倍' in text
    assert "两种 `reduction` 的步长几乎相同" in text


def test_reduction_gradients_for_every_regression_loss() -> None:
    prediction = torch.tensor([2.5, 0.0, 2.0, 8.0, -1.0], requires_grad=True)
    target = torch.tensor([3.0, -0.5, 2.0, 7.0, 1.0])
    for loss in (nn.L1Loss, nn.MSELoss, nn.SmoothL1Loss, nn.HuberLoss):
        (mean,) = torch.autograd.grad(loss()(prediction, target), prediction)
        (total,) = torch.autograd.grad(loss(reduction="sum")(prediction, target), prediction)
        assert torch.allclose(total, prediction.numel() * mean)


def test_outlier_ratios_in_the_prose() -> None:
    example = snippet("normalization/regression_losses")
    assert (example["ratio_l1"], example["ratio_l2"]) == (10.0, 10.0**2)
    assert f"MSE 增加 {example['ratio_l2']:.0f} 倍" in expand(page(PAGE))


def test_loss_figure_draws_torch_numbers() -> None:
    errors, curves = loss_curves()
    smooth_huber = snippet("normalization/smooth_l1_huber")
    l1, mse, smooth, huber = curves.values()
    assert torch.allclose(l1[0], errors.abs()) and torch.allclose(mse[0], errors**2)
    assert torch.allclose(smooth[0], smooth_huber["smooth_l1"](errors, BETA))
    assert torch.allclose(huber[0], smooth_huber["huber"](errors, BETA))
    assert torch.allclose(huber[0], BETA * smooth[0])
    assert torch.allclose(l1[1], errors.sign()) and torch.allclose(mse[1], 2 * errors)
    assert torch.allclose(smooth[1], (errors / BETA).clamp(-1, 1))
    assert torch.allclose(huber[1], errors.clamp(-BETA, BETA))
    assert list(curves) == ["L1", "MSE（L2）", f"Smooth L1，β = {BETA:g}", f"Huber，δ = {BETA:g}"]


def test_loss_bullets_use_the_figures_beta() -> None:
    errors, curves = loss_curves()
    smooth_slope, huber_slope = (
        curves[f"Smooth L1，β = {BETA:g}"][1],
        curves[f"Huber，δ = {BETA:g}"][1],
    )
    inside = errors.abs() < BETA
    assert torch.allclose(smooth_slope[inside], errors[inside] / BETA)
    assert torch.allclose(huber_slope[inside], errors[inside])
    assert set(smooth_slope[~inside].abs().tolist()) == {1.0}
    assert set(huber_slope[~inside].abs().tolist()) == {BETA}
    text = page(PAGE)
    assert f"Smooth L1（β = {BETA:g}）与 Huber（δ = {BETA:g}）" in text
    assert f"在 $|e| < {BETA:g}$ 时导数与 $e$ 成正比" in text
    assert f"（分别为 $\\pm 1$ 与 $\\pm {BETA:g}$）" in text


def test_smooth_l1_defaults_and_the_l1_jump() -> None:
    assert nn.SmoothL1Loss().beta == nn.HuberLoss().delta == 1.0
    assert "$\\beta = \\delta = 1$（`SmoothL1Loss` 的默认值）" in page(PAGE)
    e = torch.tensor([-1e-3, 1e-3], requires_grad=True)
    (l1_slope,) = torch.autograd.grad(nn.L1Loss(reduction="sum")(e, torch.zeros(2)), e)
    assert l1_slope.tolist() == [-1.0, 1.0] and "在 $e = 0$ 处从 $-1$ 跳到 $+1$" in page(PAGE)
