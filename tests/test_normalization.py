"""Chapter 7 (归一化、Dropout 与损失函数): helpers, torch's documented behaviour, figures, prose.

Snippets are loaded once (``load_snippet`` runs them in this process) so their helpers can be
tested on inputs the page does not show, including the bad inputs they must reject.
"""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torchvision import models

from figures.bn_running_stats import running_statistics
from figures.common import load_snippet
from figures.loss_curves import BETA, loss_curves
from tests.paths import DOCS, SNIPPETS

PAGE = (DOCS / "normalization.md").read_text(encoding="utf-8")
FOLD = load_snippet("normalization/fold_batchnorm.py")
DROPOUT = load_snippet("normalization/dropout_scaling.py")
LOSSES = load_snippet("normalization/smooth_l1_huber.py")
fold_batchnorm = FOLD["fold_batchnorm"]
inverted_dropout = DROPOUT["inverted_dropout"]


def stored(name: str) -> str:
    return (SNIPPETS / "normalization" / name).read_text(encoding="utf-8")


def trained_bn(channels: int, seed: int) -> nn.BatchNorm2d:
    """A BatchNorm2d in eval mode with non-trivial γ, β and running statistics."""
    generator = torch.Generator().manual_seed(seed)
    bn = nn.BatchNorm2d(channels)
    with torch.no_grad():
        bn.weight.copy_(torch.rand(channels, generator=generator) + 0.5)
        bn.bias.copy_(torch.randn(channels, generator=generator))
        bn.running_mean.copy_(torch.randn(channels, generator=generator))
        bn.running_var.copy_(torch.rand(channels, generator=generator) * 3 + 0.1)
    return bn.eval()


# --- BatchNorm ------------------------------------------------------------------------------------


def test_torch_batchnorm_defaults_the_page_states() -> None:
    bn = nn.BatchNorm2d(5)
    assert (bn.momentum, bn.eps) == (0.1, 1e-5)
    assert torch.equal(bn.running_mean, torch.zeros(5)) and torch.equal(
        bn.running_var, torch.ones(5)
    )
    assert bn.num_batches_tracked.dtype == torch.int64


@settings(max_examples=25, derandomize=True, deadline=None)
@given(
    batch=st.integers(2, 6),
    channels=st.integers(1, 4),
    size=st.integers(1, 4),
    momentum=st.sampled_from([0.1, 0.3, 0.9]),
)
def test_running_statistics_follow_the_momentum_formula(
    batch: int, channels: int, size: int, momentum: float
) -> None:
    x = torch.randn(batch, channels, size, size, generator=torch.Generator().manual_seed(batch))
    bn = nn.BatchNorm2d(channels, momentum=momentum).train()
    y = bn(x)
    m = batch * size * size
    mean, biased = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), unbiased=False)
    assert torch.allclose(bn.running_mean, momentum * mean, atol=1e-6)
    assert torch.allclose(
        bn.running_var, (1 - momentum) + momentum * biased * m / (m - 1), atol=1e-5
    )
    normalized = (x - mean.view(1, -1, 1, 1)) / torch.sqrt(biased.view(1, -1, 1, 1) + bn.eps)
    assert torch.allclose(y, normalized, atol=1e-4)


def test_figure_running_means_follow_the_recurrence() -> None:
    stats = running_statistics()
    running, batch_means = stats["running_means"], stats["batch_means"]
    assert running.shape == (61, 3) and batch_means.shape == (60, 3)
    assert torch.equal(running[0], torch.zeros(3))
    for step in range(60):
        expected = 0.9 * running[step] + 0.1 * batch_means[step]
        assert torch.allclose(running[step + 1], expected, atol=1e-6)
    assert torch.allclose(running[-1], stats["true_mean"], atol=0.15)


@pytest.mark.parametrize(
    ("conv", "bn", "complaint"),
    [
        (nn.Conv2d(3, 8, 3).eval(), nn.BatchNorm2d(4).eval(), "bn.num_features"),
        (
            nn.Conv2d(3, 8, 3).eval(),
            nn.BatchNorm2d(8, track_running_stats=False).eval(),
            "bn has no running statistics",
        ),
        (nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), "eval mode"),
        (nn.Conv2d(3, 8, 3).eval(), nn.BatchNorm2d(8), "eval mode"),
    ],
)
def test_fold_batchnorm_rejects_bad_input(
    conv: nn.Conv2d, bn: nn.BatchNorm2d, complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        fold_batchnorm(conv, bn)


@settings(max_examples=30, derandomize=True, deadline=None)
@given(
    in_channels=st.integers(1, 4),
    out_channels=st.integers(1, 6),
    kernel=st.sampled_from([1, 3]),
    stride=st.integers(1, 2),
    bias=st.booleans(),
    affine=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_folded_conv_equals_conv_then_bn(
    in_channels: int,
    out_channels: int,
    kernel: int,
    stride: int,
    bias: bool,
    affine: bool,
    seed: int,
) -> None:
    torch.manual_seed(seed)
    conv = nn.Conv2d(
        in_channels, out_channels, kernel, stride=stride, padding=kernel // 2, bias=bias
    )
    bn = trained_bn(out_channels, seed)
    if not affine:
        bn = nn.BatchNorm2d(out_channels, affine=False).eval()
        bn.running_mean.copy_(torch.randn(out_channels))
        bn.running_var.copy_(torch.rand(out_channels) + 0.1)
    conv.eval()
    x = torch.randn(2, in_channels, 7, 7)
    with torch.no_grad():
        assert torch.allclose(fold_batchnorm(conv, bn)(x), bn(conv(x)), atol=1e-4)


# --- Dropout --------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5])
def test_inverted_dropout_rejects_bad_p(p: float) -> None:
    with pytest.raises(ValueError, match="p must satisfy 0 <= p < 1"):
        inverted_dropout(torch.ones(3), p, training=True)


def test_inverted_dropout_zero_p_and_eval_are_identity() -> None:
    x = torch.randn(4, 5)
    assert inverted_dropout(x, 0.0, training=True) is x
    assert inverted_dropout(x, 0.5, training=False) is x


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_inverted_dropout_keeps_the_expectation(p: float) -> None:
    x = torch.full((400, 500), 3.0)
    y = inverted_dropout(x, p, training=True, generator=torch.Generator().manual_seed(7))
    kept = y != 0
    assert torch.allclose(y[kept], torch.tensor(3.0 / (1 - p)))
    # 200,000 Bernoulli draws: the zero fraction's standard error is at most 0.0012
    assert abs((~kept).float().mean().item() - p) < 0.006
    assert abs(y.mean().item() - 3.0) < 0.05


# --- losses ---------------------------------------------------------------------------------------


def test_loss_figure_draws_torch_numbers() -> None:
    errors, curves = loss_curves()
    l1, mse, smooth, huber = curves.values()
    assert torch.allclose(l1[0], errors.abs()) and torch.allclose(mse[0], errors**2)
    assert torch.allclose(smooth[0], LOSSES["smooth_l1"](errors, BETA))
    assert torch.allclose(huber[0], LOSSES["huber"](errors, BETA))
    assert torch.allclose(huber[0], BETA * smooth[0])
    assert torch.allclose(l1[1], errors.sign()) and torch.allclose(mse[1], 2 * errors)
    assert torch.allclose(smooth[1], (errors / BETA).clamp(-1, 1))
    assert torch.allclose(huber[1], errors.clamp(-BETA, BETA))


@settings(max_examples=40, derandomize=True, deadline=None)
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


def test_resnet_convs_before_bn_have_no_bias() -> None:
    with torch.device("meta"):
        resnet = models.resnet18()
    assert all(m.bias is None for m in resnet.modules() if isinstance(m, nn.Conv2d))


# --- prose numbers --------------------------------------------------------------------------------


def test_prose_quotes_the_stored_outputs() -> None:
    quoted = {
        "cross_entropy.out": ["1.0986"],
        "regression_losses.out": ["10 倍", "100 倍"],
        "dropout_scaling.out": ["0.30", "2.00"],
    }
    for output, numbers in quoted.items():
        text = stored(output)
        for number in numbers:
            assert number in text and number in PAGE, (output, number)
    assert "参数 128 = 2·64，缓冲区 129 = 2·64 + 1" in stored("batchnorm_parameters.out")
    assert "$2C$ 个可学习参数" in PAGE and "$2C + 1$ 个数" in PAGE


def test_worked_numbers_in_the_prose() -> None:
    assert round(0.9**60, 3) == 0.002 and "60 步后约为 $0.002$" in PAGE
    assert abs(math.log(3) - 1.0986) < 5e-5 and "$\\log 3 \\approx 1.0986$" in PAGE
    standard_error = math.sqrt(0.3 * 0.7 / 1_000_000)
    assert round(standard_error, 4) == 0.0005 and "标准误约为 0.0005" in PAGE
    assert nn.SmoothL1Loss().beta == 1.0 and nn.HuberLoss().delta == 1.0


def test_batchnorm_defaults_and_initial_values_quoted_in_the_prose() -> None:
    bn = nn.BatchNorm2d(3)
    assert bn.eps == 1e-5 and "PyTorch 默认 $10^{-5}$" in PAGE
    assert bn.momentum == 0.1 and "为 `momentum`，默认 $0.1$" in PAGE
    assert bn.running_mean.tolist() == [0.0] * 3 and bn.running_var.tolist() == [1.0] * 3
    assert "初值是 $\\hat{\\mu}_c = 0$、$\\hat{\\sigma}_c^2 = 1$" in PAGE


def test_batchnorm_keeps_the_skewness() -> None:
    lines = dict(line.split(": ", 1) for line in stored("batchnorm_by_hand.out").splitlines())
    assert lines["偏度 归一化前"] == lines["偏度 归一化后"]
    assert lines["各通道均值"] == "[0.0, 0.0, 0.0, 0.0]"
    assert lines["各通道方差"] == "[1.0, 1.0, 1.0, 1.0]"
    assert "归一化前后的偏度（正态分布为 0）完全相同" in PAGE


def test_gamma_and_beta_can_undo_the_normalization() -> None:
    torch.manual_seed(0)
    x = torch.randn(6, 3, 4, 4, dtype=torch.float64) * 3 + 1
    bn = nn.BatchNorm2d(3).double().train()
    mean, var = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), unbiased=False)
    with torch.no_grad():
        bn.weight.copy_(torch.sqrt(var + bn.eps))  # γ_c = sqrt(σ_c² + ε)
        bn.bias.copy_(mean)  # β_c = μ_c
        assert torch.allclose(bn(x), x, atol=1e-12)
    assert "取 $\\gamma_c = \\sqrt{\\sigma_c^2 + \\varepsilon}$、$\\beta_c = \\mu_c$" in PAGE


def test_sixty_batches_of_running_statistics() -> None:
    text = stored("batchnorm_running_stats.out")
    assert "60 批之后 running_mean" in text and "连续训练 60 批" in PAGE
    assert running_statistics()["batch_means"].shape[0] == 60
    assert 1 - nn.BatchNorm2d(3).momentum == 0.9
    assert "初值所占的权重乘以 $0.9$，$k$ 步之后还剩 $0.9^k$" in PAGE


def test_dropout_check_sizes_and_tolerances_in_the_prose() -> None:
    assert DROPOUT["p"] == 0.3 and DROPOUT["x"].numel() == 1_000_000
    for y in DROPOUT["results"].values():
        zero_fraction = (y == 0).float().mean().item()
        assert abs(zero_fraction - 0.3) < 0.005
        assert f"{zero_fraction:.2f}" == "0.30" and f"{y.mean().item():.2f}" == "2.00"
    assert "一百万个元素里" in PAGE and "与 $p = 0.3$ 之差小于 0.005" in PAGE


def test_the_last_two_lines_of_the_overflow_output_are_the_gradients() -> None:
    last_two = stored("softmax_overflow.out").splitlines()[-2:]
    assert last_two == ["log(softmax) 的梯度: [nan, nan]", "log_softmax 的梯度: [1.0, -1.0]"]
    assert "梯度随之变成 NaN（上面最后两行）" in PAGE


def test_sum_reduction_steps_n_times_further_than_mean() -> None:
    prediction = torch.tensor([2.5, 0.0, 2.0, 8.0, -1.0], requires_grad=True)
    target = torch.tensor([3.0, -0.5, 2.0, 7.0, 1.0])
    for loss in (nn.L1Loss, nn.MSELoss, nn.SmoothL1Loss, nn.HuberLoss):
        (mean,) = torch.autograd.grad(loss()(prediction, target), prediction)
        (total,) = torch.autograd.grad(loss(reduction="sum")(prediction, target), prediction)
        assert torch.allclose(total, prediction.numel() * mean)
    assert '`"sum"` 的更新步长是 `"mean"` 的 $n$ 倍' in PAGE


def test_loss_figure_and_bullets_use_beta_two() -> None:
    assert BETA == 2.0
    assert "Smooth L1（β=2）与 Huber（δ=2）" in PAGE
    text = stored("smooth_l1_huber.out")
    assert "SmoothL1(β=2)  误差 0.5 处导数  0.25，误差 4 处导数  1.00" in text
    assert "Huber(δ=2)     误差 0.5 处导数  0.50，误差 4 处导数  2.00" in text
    errors, curves = loss_curves()
    smooth_slope = curves[f"smooth L1, beta={BETA:g}"][1]
    huber_slope = curves[f"Huber, delta={BETA:g}"][1]
    inside = errors.abs() < BETA
    assert torch.allclose(smooth_slope[inside], errors[inside] / BETA)
    assert torch.allclose(huber_slope[inside], errors[inside])
    assert set(smooth_slope[~inside].abs().tolist()) == {1.0}
    assert set(huber_slope[~inside].abs().tolist()) == {BETA}
    assert "在 $|e| < 2$ 时导数与 $e$ 成正比" in PAGE and "（分别为 $\\pm 1$ 与 $\\pm 2$）" in PAGE


def test_smooth_l1_default_beta_quoted_in_the_prose() -> None:
    assert nn.SmoothL1Loss().beta == 1.0 and nn.HuberLoss().delta == 1.0
    assert "$\\beta = \\delta = 1$（`SmoothL1Loss` 的默认值）" in PAGE
    e = torch.tensor([-1e-3, 1e-3], requires_grad=True)
    (l1_slope,) = torch.autograd.grad(nn.L1Loss(reduction="sum")(e, torch.zeros(2)), e)
    assert l1_slope.tolist() == [-1.0, 1.0] and "在 $e = 0$ 处从 $-1$ 跳到 $+1$" in PAGE
