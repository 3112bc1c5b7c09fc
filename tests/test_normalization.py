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
