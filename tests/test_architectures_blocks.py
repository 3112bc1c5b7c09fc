"""Chapter 8: the formulas and statements of the block sections, checked with PyTorch.

Each snippet already asserts that its block matches torchvision; these tests check what the
prose derives from the blocks (cost ratios, the ShuffleNet V2 inequalities, the initialisation
argument of the ResNet section, the exercises) on more cases than the snippets print.
"""

from __future__ import annotations

import itertools
import math
import re

import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode
from torchvision import models

from cnnbook.model import LeNet
from tests.helpers import one_thread, snippet, stored


def flop_macs(module: nn.Module, x: torch.Tensor) -> int:
    with FlopCounterMode(display=False) as counter:
        module(x)
    return counter.get_total_flops() // 2


def test_lenet5_parameters_as_the_page_states() -> None:
    lenet = snippet("architectures/lenet5")
    published, modern = lenet["published"], lenet["modern"]
    c5 = sum(p.numel() for p in published[8].parameters())
    assert c5 > lenet["published_total"] / 2  # “占了全部参数的大半”
    full_c3 = nn.Conv2d(6, 16, 5)
    partial_c3 = sum(p.numel() for p in published[4].parameters())
    assert partial_c3 < sum(p.numel() for p in full_c3.parameters()) == 16 * (6 * 25 + 1)
    book = LeNet()  # chapter 9's network has exactly the modern version's parameters
    assert sum(p.numel() for p in book.parameters()) == lenet["modern_total"]
    shapes = [tuple(p.shape) for p in modern.parameters()]
    assert shapes == [tuple(p.shape) for p in book.parameters()]


def test_inception_3a_costs_what_the_formula_says() -> None:
    inception = snippet("architectures/inception")
    module = inception["Inception"](192, 64, 96, 128, 16, 32, 32).to("meta")
    assert (
        flop_macs(module, torch.empty(1, 192, 28, 28, device="meta")) == inception["with_reduction"]
    )


@given(n=st.integers(2, 11), channels=st.integers(1, 16))
@settings(max_examples=30, deadline=None)
def test_asymmetric_factorisation_costs_two_over_n(n: int, channels: int) -> None:
    square = nn.Conv2d(channels, channels, n, bias=False)
    pair = [
        nn.Conv2d(channels, channels, (1, n), bias=False),
        nn.Conv2d(channels, channels, (n, 1), bias=False),
    ]
    pair_weights = sum(conv.weight.numel() for conv in pair)
    assert pair_weights * n == square.weight.numel() * 2


@given(
    side=st.integers(1, 64),
    c1=st.integers(1, 512),
    c2=st.integers(1, 512),
    groups=st.sampled_from([1, 2, 4, 8]),
)
@settings(max_examples=300, deadline=None)
def test_g1_lower_bound_and_g2_growth(side: int, c1: int, c2: int, groups: int) -> None:
    traffic = snippet("architectures/shufflenet_guidelines")["pointwise_traffic"]
    macs = side * side * c1 * c2
    bound = 2 * math.sqrt(side * side * macs) + macs / (side * side)
    assert traffic(side, c1, c2) >= bound * (1 - 1e-12)
    if c1 == c2:
        assert math.isclose(traffic(side, c1, c2), bound)
    # G2: same input channels and MACs, g groups: g times the output channels, more traffic
    if groups > 1:
        assert traffic(side, c1, c2 * groups, groups) > traffic(side, c1, c2)


def test_g1_table_is_the_lower_bound_ratio() -> None:
    rows = re.findall(
        r"1:(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)", stored("architectures/shufflenet_guidelines.out")
    )
    traffic = snippet("architectures/shufflenet_guidelines")["pointwise_traffic"]
    assert [int(ratio) for ratio, *_ in rows] == [1, 4, 16, 64]
    ratios = [float(value) for *_, value in rows]
    assert ratios == sorted(ratios)  # the further from 1:1, the more traffic
    c1, c2 = int(rows[-1][1]), int(rows[-1][2])
    assert traffic(56, c1, c2) > 4 * traffic(56, 128, 128) / 1.001  # 1:64 costs about 4x


def test_default_initialisation_shrinks_the_mean_square_by_about_six() -> None:
    """residual.md: PyTorch's default init (weight variance 1/(3 fan_in)) followed by ReLU
    leaves about 1/6 of the input's mean square, layer after layer."""
    factors = []
    with one_thread():
        for seed in range(5):
            torch.manual_seed(seed)
            conv = nn.Conv2d(64, 64, 3, padding=1)
            x = torch.randn(4, 64, 16, 16)
            factors.append((torch.relu(conv(x)) ** 2).mean().item() / (x**2).mean().item())
            fan_in = 64 * 9
            assert math.isclose(conv.weight.var().item(), 1 / (3 * fan_in), rel_tol=0.05)
    assert all(0.12 < factor < 0.22 for factor in factors), factors


def test_residual_gradient_statement_matches_the_output() -> None:
    text = stored("architectures/residual_gradients.out")
    plain_max = float(re.search(r"普通网络 第一层梯度范数: 最小 \S+\s+最大 (\S+)", text)[1])
    residual_min = float(re.search(r"残差网络 第一层梯度范数: 最小 (\S+)", text)[1])
    assert plain_max < 1e-16 and 1e-2 < residual_min < 1  # “10^-18 量级”与“10^-1 量级”
    assert math.floor(math.log10(plain_max)) == -18


def test_torchvision_resnet50_is_v1_5() -> None:
    with torch.device("meta"):
        block = models.resnet50().layer2[0]
    assert block.conv1.stride == (1, 1) and block.conv2.stride == (2, 2)


def test_the_linear_bottleneck_ends_without_activation() -> None:
    blocks = snippet("architectures/inverted_residual")
    for block in (blocks["v2_block"](24, 24, 1), blocks["v3_block"](112, 672, 112, 3, 1)):
        assert isinstance(list(block.body)[-1], nn.BatchNorm2d)
    assert blocks["v2_block"](24, 24, 1).residual and not blocks["v2_block"](24, 32, 2).residual


def test_convnext_stage_depths_are_3_3_9_3() -> None:
    with torch.device("meta"):
        features = models.convnext_tiny().features
    depths = [len(features[index]) for index in (1, 3, 5, 7)]
    assert depths == [3, 3, 9, 3]


def test_efficientnet_steps_grow_by_one_and_a_half_to_two_and_a_half() -> None:
    rows = re.findall(
        r"efficientnet_b\d\s+\d+\s+([\d.]+)", stored("architectures/compound_scaling.out")
    )
    macs = [float(value) for value in rows]
    steps = [b / a for a, b in itertools.pairwise(macs)]
    assert len(steps) == 4 and all(1.5 < step < 2.5 for step in steps), steps


@given(channels=st.sampled_from([16, 64, 256, 512]), reduction=st.sampled_from([4, 8, 16]))
@settings(max_examples=12, deadline=None)
def test_se_parameters_are_two_c_squared_over_r_plus_biases(channels: int, reduction: int) -> None:
    se = snippet("architectures/attention_blocks")["SE"](channels, reduction)
    hidden = channels // reduction
    assert sum(p.numel() for p in se.parameters()) == 2 * channels * hidden + hidden + channels


@given(
    distances=st.lists(st.floats(-3, 3, allow_nan=False), min_size=24, max_size=24),
    margin=st.floats(0.1, 2.0),
)
@settings(max_examples=50, deadline=None)
def test_triplet_loss_is_torchs(distances: list[float], margin: float) -> None:
    triplet_loss = snippet("architectures/siamese_triplet")["triplet_loss"]
    a, p, n = torch.tensor(distances, dtype=torch.float64).view(3, 2, 4)
    expected = nn.TripletMarginLoss(margin=margin, eps=0.0)(a, p, n)
    assert torch.allclose(triplet_loss(a, p, n, margin), expected)


def test_exercise_answers_are_what_pytorch_counts() -> None:
    answers = snippet("architectures/exercises")
    bottleneck = nn.Sequential(
        nn.Conv2d(256, 64, 1), nn.Conv2d(64, 64, 3, padding=1), nn.Conv2d(64, 256, 1)
    )
    x = torch.empty(1, 256, 56, 56, device="meta")
    assert flop_macs(bottleneck.to("meta"), x) == answers["bottleneck"]
    assert flop_macs(nn.Conv2d(256, 256, 3, padding=1).to("meta"), x) == answers["plain"]
    block = snippet("architectures/inverted_residual")["v2_block"](24, 24, 1).to("meta")
    assert flop_macs(block, torch.empty(1, 24, 56, 56, device="meta")) == answers["macs"]
    weights = sum(m.weight.numel() for m in block.modules() if isinstance(m, nn.Conv2d))
    assert weights == answers["params"]
    receptive_fields = snippet("receptive_field/calculator")["receptive_fields"]
    path = list(snippet("architectures/model_table")["table"]["resnet18"]["path"])
    field = receptive_fields([*path, (3, 1, 1, 1)])[-1].size
    assert f"练习 4  {field}" in stored("architectures/exercises.out")
