"""Chapter 7 (归一化、Dropout 与损失函数): BatchNorm, LN/IN/GN/LRN, Dropout, the review's
findings and the exercises. Losses are in ``test_normalization_losses.py``, the measured
experiments in ``test_normalization_experiments.py``.

Snippets are loaded once (``tests.helpers.snippet`` runs them in this process) so their helpers
can be tested on inputs the page does not show, including the bad inputs they must reject.
"""

from __future__ import annotations

import itertools
import math
import re

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torchvision import models

from figures.bn_running_stats import running_statistics
from figures.norm_axes import CHOSEN, shared_statistics
from hooks.macros import expand
from tests.helpers import page, snippet, stored

PAGE = "normalization.md"


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


def section(name: str) -> str:
    text = page(PAGE)
    start = text.index(f"\n## {name}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


# --- the review's findings ----------------------------------------------------------------


def test_bn_still_acts_at_inference() -> None:
    """The page once said BN and Dropout only matter in training; BN in eval mode still maps x."""
    bn = trained_bn(3, seed=0)
    x = torch.randn(2, 3, 4, 4)
    assert not torch.allclose(bn(x), x)
    intro = page(PAGE).split("\n## ")[0]
    assert "训练时才真正起作用" not in intro
    assert "它在推理时仍然起作用，只是变成了每个通道一个固定的仿射变换" in intro


def test_one_letter_one_meaning() -> None:
    """B is the batch (never N), hats mean normalised, bars the running statistics, ρ momentum."""
    text = section("批量归一化")
    assert "N H W" not in text and "NHW" not in text and "N \\times C" not in text
    assert "\\hat{\\mu}" not in text and "\\hat{\\sigma}" not in text
    assert "\\bar{\\mu}_c \\leftarrow (1 - \\rho)\\, \\bar{\\mu}_c + \\rho\\, \\mu_c" in text
    assert "$\\rho$ 为 `momentum`" in text and "$m$ 为 `momentum`" not in text
    for name in ("batchnorm_by_hand.py", "batchnorm_running_stats.py"):
        source = stored(f"normalization/{name}")
        assert "(N, " not in source and "N·H·W" not in source


def test_undoing_bn_needs_fixed_statistics() -> None:
    """γ = √(σ² + ε), β = μ restores the input only for the batch the statistics came from,
    or in eval mode with those running statistics."""
    example = snippet("normalization/batchnorm_undo")
    assert example["same_batch"] < 1e-4 and example["fixed"] < 1e-4
    assert example["other_batch"] > 0.1
    text = page(PAGE)
    undo = "取 $\\gamma_c = \\sqrt{\\sigma_c^2 + \\varepsilon}$、$\\beta_c = \\mu_c$ 就还原了输入"
    assert f"如果统计量是固定的，{undo}" in text
    assert "只能撤销某一批的标准化" in text


def test_inverted_dropout_is_the_term() -> None:
    for source in (page(PAGE), stored("normalization/dropout_scaling.py")):
        assert "反向 Dropout" not in source and "反向（inverted）" not in source
    assert "**倒置 Dropout**（inverted dropout）" in page(PAGE)


def test_dropout_interpretations_are_taught() -> None:
    text = section("Dropout")
    for term in ("子网络的集成", "共同适应", "噪声注入"):
        assert term in text


# --- BatchNorm ----------------------------------------------------------------------------


def test_torch_batchnorm_defaults_the_page_states() -> None:
    bn = nn.BatchNorm2d(5)
    assert (bn.momentum, bn.eps) == (0.1, 1e-5)
    assert torch.equal(bn.running_mean, torch.zeros(5))
    assert torch.equal(bn.running_var, torch.ones(5))
    assert bn.num_batches_tracked.dtype == torch.int64
    text = page(PAGE)
    assert "PyTorch 默认 $10^{-5}$" in text and "`momentum`，默认 $0.1$" in text
    assert "初值是 $\\bar{\\mu}_c = 0$、$\\bar{\\sigma}_c^2 = 1$" in text


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
    count = batch * size * size  # B·H·W
    mean, biased = x.mean(dim=(0, 2, 3)), x.var(dim=(0, 2, 3), unbiased=False)
    assert torch.allclose(bn.running_mean, momentum * mean, atol=1e-6)
    expected_var = (1 - momentum) + momentum * biased * count / (count - 1)
    assert torch.allclose(bn.running_var, expected_var, atol=1e-5)
    normalized = (x - mean.view(1, -1, 1, 1)) / torch.sqrt(biased.view(1, -1, 1, 1) + bn.eps)
    assert torch.allclose(y, normalized, atol=1e-4)


def test_figure_running_means_follow_the_recurrence() -> None:
    stats = running_statistics()
    running, batch_means = stats["running_means"], stats["batch_means"]
    steps = batch_means.shape[0]
    assert running.shape == (steps + 1, 3) and torch.equal(running[0], torch.zeros(3))
    rho = nn.BatchNorm2d(3).momentum
    for step in range(steps):
        expected = (1 - rho) * running[step] + rho * batch_means[step]
        assert torch.allclose(running[step + 1], expected, atol=1e-6)
    assert torch.allclose(running[-1], stats["true_mean"], atol=0.15)
    assert f"连续训练 {steps} 批" in page(PAGE)
    assert f"{steps} 步后约为 $0.9^{{{steps}}} \\approx {(1 - rho) ** steps:.3f}$" in page(PAGE)


def test_batchnorm_keeps_the_skewness() -> None:
    lines = dict(
        line.split(": ", 1) for line in stored("normalization/batchnorm_by_hand.out").splitlines()
    )
    assert lines["偏度 归一化前"] == lines["偏度 归一化后"]
    assert lines["各通道均值"] == str([0.0] * 4) and lines["各通道方差"] == str([1.0] * 4)


def test_parameters_and_buffers_of_a_bn_layer() -> None:
    bn = nn.BatchNorm2d(64)
    params, buffers = sum(p.numel() for p in bn.parameters()), sum(b.numel() for b in bn.buffers())
    assert (params, buffers) == (2 * 64, 2 * 64 + 1)
    assert f"参数 {params} = 2·64，缓冲区 {buffers} = 2·64 + 1" in stored(
        "normalization/batchnorm_parameters.out"
    )


@pytest.mark.parametrize(
    ("conv", "bn", "complaint"),
    [
        (nn.Conv2d(3, 8, 3).eval(), nn.BatchNorm2d(4).eval(), "bn.num_features"),
        (
            nn.Conv2d(3, 8, 3).eval(),
            nn.BatchNorm2d(8, track_running_stats=False).eval(),
            "bn 没有滑动统计量",
        ),
        (nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), "推理模式"),
        (nn.Conv2d(3, 8, 3).eval(), nn.BatchNorm2d(8), "推理模式"),
    ],
)
def test_fold_batchnorm_rejects_bad_input(
    conv: nn.Conv2d, bn: nn.BatchNorm2d, complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        snippet("normalization/fold_batchnorm")["fold_batchnorm"](conv, bn)


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
    in_channels: int, out_channels: int, kernel: int, stride: int, bias: bool, affine: bool,
    seed: int,
) -> None:  # fmt: skip
    torch.manual_seed(seed)
    conv = nn.Conv2d(in_channels, out_channels, kernel, stride, kernel // 2, bias=bias).eval()
    bn = trained_bn(out_channels, seed)
    if not affine:
        bn = nn.BatchNorm2d(out_channels, affine=False).eval()
        bn.running_mean.copy_(torch.randn(out_channels))
        bn.running_var.copy_(torch.rand(out_channels) + 0.1)
    x = torch.randn(2, in_channels, 7, 7)
    with torch.no_grad():
        folded = snippet("normalization/fold_batchnorm")["fold_batchnorm"](conv, bn)
        assert torch.allclose(folded(x), bn(conv(x)), atol=1e-4)


def test_resnet_convs_before_bn_have_no_bias() -> None:
    with torch.device("meta"):
        resnet = models.resnet18()
    assert all(m.bias is None for m in resnet.modules() if isinstance(m, nn.Conv2d))


# --- LN, IN, GN, LRN ----------------------------------------------------------------------

STATISTIC_AXES = {  # which dimensions of (B, C, H, W) share one mean and variance
    "BatchNorm2d": (0, 2, 3),
    "LayerNorm": (1, 2, 3),
    "InstanceNorm2d": (2, 3),
}


def test_the_figure_shades_the_axes_each_norm_averages_over() -> None:
    maps, groups = shared_statistics()
    example = snippet("normalization/norm_axes")
    b, c = CHOSEN
    channels = example["C"]
    expected = {
        "BatchNorm2d": [[cc == c for cc in range(channels)] for _ in range(example["B"])],
        "LayerNorm": [[bb == b] * channels for bb in range(example["B"])],
        "InstanceNorm2d": [
            [(bb, cc) == (b, c) for cc in range(channels)] for bb in range(example["B"])
        ],
        "GroupNorm": [
            [
                bb == b and cc // (channels // groups) == c // (channels // groups)
                for cc in range(channels)
            ]
            for bb in range(example["B"])
        ],
    }
    assert {name: m.tolist() for name, m in maps.items()} == expected


@settings(max_examples=20, derandomize=True, deadline=None)
@given(
    batch=st.integers(1, 3),
    groups=st.sampled_from([1, 2, 4]),
    per_group=st.integers(1, 3),
    size=st.integers(2, 4),
    seed=st.integers(0, 1000),
)
def test_group_norm_is_normalisation_over_groups(
    batch: int, groups: int, per_group: int, size: int, seed: int
) -> None:
    channels = groups * per_group
    x = torch.randn(batch, channels, size, size, generator=torch.Generator().manual_seed(seed))
    grouped = x.view(batch, groups, per_group, size, size)
    mean = grouped.mean(dim=(2, 3, 4), keepdim=True)
    var = grouped.var(dim=(2, 3, 4), unbiased=False, keepdim=True)
    by_hand = ((grouped - mean) / torch.sqrt(var + 1e-5)).view_as(x)
    assert torch.allclose(nn.GroupNorm(groups, channels, affine=False)(x), by_hand, atol=1e-4)


def test_norm_axes_table_counts() -> None:
    example = snippet("normalization/norm_axes")
    x = example["x"]
    for name, (_, (_, groups), _) in example["variants"].items():
        axes = STATISTIC_AXES.get(name)
        if axes is not None:
            assert groups == x.mean(dim=axes).numel(), name
    rows = {
        line.split()[0]: line.split()
        for line in stored("normalization/norm_axes.out").splitlines()[2:6]
    }
    assert rows["GroupNorm"][-3:-1] == [
        str(example["B"] * example["G"]),
        str(x.numel() // (example["B"] * example["G"])),
    ]


def test_local_response_norm_alpha_is_an_average() -> None:
    example = snippet("normalization/local_response_norm")
    torch.manual_seed(1)
    a = torch.randn(1, 7, 3, 3, dtype=torch.float64) * 5
    for n in (3, 4, 5):  # odd and even windows
        paper = example["lrn_by_hand"](a, n, 2.0, 1e-3, 0.75)
        torch_lrn = nn.LocalResponseNorm(n, alpha=n * 1e-3, beta=0.75, k=2.0)(a)
        assert torch.allclose(torch_lrn, paper, rtol=1e-12, atol=0), n
    assert "所以要传 $n\\alpha$" in page(PAGE)


def test_gn_does_not_depend_on_the_batch_but_bn_does_at_batch_two() -> None:
    example = snippet("normalization/bn_small_batch")
    assert torch.allclose(example["alone"], example["together"])
    bn = nn.BatchNorm1d(4).train()
    for seed in range(5):
        pair = torch.randn(2, 4, generator=torch.Generator().manual_seed(seed)) * 3
        assert torch.allclose(bn(pair).abs(), torch.ones(2, 4), atol=1e-3)
    with pytest.raises(ValueError):
        bn(torch.randn(1, 4))


# --- Dropout ------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5])
def test_inverted_dropout_rejects_bad_p(p: float) -> None:
    with pytest.raises(ValueError, match="p 必须满足 0 <= p < 1"):
        snippet("normalization/dropout_scaling")["inverted_dropout"](
            torch.ones(3), p, training=True
        )


def test_inverted_dropout_zero_p_and_eval_are_identity() -> None:
    inverted_dropout = snippet("normalization/dropout_scaling")["inverted_dropout"]
    x = torch.randn(4, 5)
    assert inverted_dropout(x, 0.0, training=True) is x
    assert inverted_dropout(x, 0.5, training=False) is x


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_inverted_dropout_keeps_the_expectation(p: float) -> None:
    inverted_dropout = snippet("normalization/dropout_scaling")["inverted_dropout"]
    x = torch.full((400, 500), 3.0)
    y = inverted_dropout(x, p, training=True, generator=torch.Generator().manual_seed(7))
    kept = y != 0
    assert torch.allclose(y[kept], torch.tensor(3.0 / (1 - p)))
    standard_error = math.sqrt(p * (1 - p) / x.numel())  # at most 0.0012 here
    assert abs((~kept).float().mean().item() - p) < 5 * standard_error
    assert abs(y.mean().item() - 3.0) < 0.05


def test_dropout_check_in_the_prose() -> None:
    example = snippet("normalization/dropout_scaling")
    p, x = example["p"], example["x"]
    standard_error = math.sqrt(p * (1 - p) / x.numel())
    assert f"{standard_error:.4f}" == f"{0.0005:.4f}" and 10 * standard_error < 0.005
    assert "标准误 $\\sqrt{0.3 \\cdot 0.7 / 10^6} \\approx 0.0005$" in page(PAGE)
    assert x.numel() == 10**6 and "一百万个元素里" in page(PAGE) and p == 0.3


@pytest.mark.parametrize("n_inputs", [3, 6])
def test_dropout_inference_is_the_geometric_mean_of_all_subnetworks(n_inputs: int) -> None:
    """For one linear layer + softmax and p = 1/2, eval-mode output = normalised geometric mean."""
    torch.manual_seed(n_inputs)
    layer = nn.Linear(n_inputs, 4).double()
    x = torch.randn(1, n_inputs, dtype=torch.float64)
    masks = torch.tensor(list(itertools.product([0.0, 1.0], repeat=n_inputs)), dtype=torch.float64)
    with torch.no_grad():
        log_probs = layer(masks * x * 2).log_softmax(dim=1)
        geometric = log_probs.mean(dim=0).softmax(dim=0)
        assert torch.allclose(geometric, layer(x).softmax(dim=1)[0], atol=1e-12)


def test_dropout_noise_has_the_stated_variance() -> None:
    example = snippet("normalization/dropout_ensemble")
    q = example["q"]
    assert abs(example["variance"] - q / (1 - q)) < 0.01 and abs(example["mean"] - 1) < 0.01
    assert len(example["masks"]) == 2 ** example["n_inputs"]


# --- exercises ----------------------------------------------------------------------------


def test_exercises_have_collapsed_answers() -> None:
    text = section("练习")
    questions = re.findall(r"^\d+\. ", text, flags=re.MULTILINE)
    assert 4 <= len(questions) <= 8 and text.count('??? success "答案"') == len(questions)


def test_exercise_answers() -> None:
    bn = nn.BatchNorm2d(256)
    text = expand(page(PAGE))
    params, buffers = sum(p.numel() for p in bn.parameters()), sum(b.numel() for b in bn.buffers())
    assert f"可学习参数 $2C$ = {params} 个" in text and f"缓冲区 $2C + 1$ = {buffers} 个数" in text
    x = torch.zeros(8, 32, 16, 16)
    assert f"共 {x.mean(dim=(0, 2, 3)).numel()} 组，每组 $BHW$ = {8 * 16 * 16} 个数" in text
    steps = next(k for k in range(1, 100) if 0.9**k <= 0.01)
    assert f"至少 {steps} 步" in text
    assert f"损失 $\\ln 10 \\approx {math.log(10):.4f}$" in text
    huber = nn.HuberLoss(delta=2.0)(torch.tensor([3.0]), torch.zeros(1)).item()
    assert f"Huber 为 $2 \\cdot (3 - 1)$ = {huber:g}" in text
