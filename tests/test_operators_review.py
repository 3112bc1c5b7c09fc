"""Chapter 5 (其他算子): review findings stay fixed, new topics agree with torch, exercises.

Findings of the December 2026 content review, each with a test that would have caught it: NiN
has no fully connected layer after GAP; Inception concatenates parallel branches (x itself is
not passed through, so it is no shortcut); ResNet's first stage does not halve the size; SE
blocks use GAP inside the network. New topics: adaptive pooling's windows, global max pooling,
the max-pool backward pass, a fully connected layer as a convolution.
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn import functional as F
from torchvision import models
from torchvision.ops import SqueezeExcitation

from figures import maxpool_backward, shortcuts, stochastic_pooling
from tests.helpers import assert_exercises_answered_by_snippets, page, snippet, stored
from tests.paths import FIGURES, REPO

PAGE = page("operators.md")
FAST = settings(max_examples=30, deadline=None, derandomize=True)


def operator(name: str) -> dict:
    return snippet(f"operators/{name}")


def output(name: str) -> str:
    return stored(f"operators/{name}.out")


def paragraph_with(text: str) -> str:
    found = [p for p in PAGE.split("\n\n") if text in p]
    assert len(found) == 1, text
    return found[0]


def meta_model(builder, **kwargs) -> nn.Module:
    with torch.device("meta"):
        return builder(**kwargs)


# --- findings -----------------------------------------------------------------------------------


def test_nin_has_no_fully_connected_layer() -> None:
    """The review: the page listed NiN among 'GAP + one FC layer' heads; NiN has none."""
    head = operator("nin_head")["head"]
    assert not any(isinstance(m, nn.Linear) for m in head.modules())
    last_conv = [m for m in head if isinstance(m, nn.Conv2d)][-1]
    assert last_conv.out_channels == operator("nin_head")["classes"]  # one map per class
    assert "分类头里的 nn.Linear 个数: 0" in output("nin_head")
    gap_item = next(
        line for line in PAGE.splitlines() if line.startswith("2. 先做**全局平均池化**")
    )
    assert "NiN" not in gap_item and "（GoogLeNet、ResNet）" in gap_item
    assert "**不要全连接层**" in PAGE and "它根本没有全连接层" in PAGE
    source = (REPO / "snippets" / "operators" / "gap_vs_flatten.py").read_text(encoding="utf-8")
    assert "NiN" not in source


def test_inception_concatenates_branches_without_x() -> None:
    """An Inception block's output channels are the sum of its four branches: its input is not
    among them, so it is no shortcut. A dense block's output does carry its input."""
    inception = meta_model(models.googlenet, aux_logits=False, init_weights=False).inception3a
    x = torch.empty(1, 192, 28, 28, device="meta")
    branches = [inception.branch1, inception.branch2, inception.branch3, inception.branch4]
    widths = [branch(x).shape[1] for branch in branches]
    assert inception(x).shape[1] == sum(widths) != x.shape[1] + sum(widths)
    block = meta_model(models.densenet121).features.denseblock1
    layers = list(block.values())
    grown = block(torch.empty(1, 64, 56, 56, device="meta")).shape[1]
    assert grown == 64 + len(layers) * layers[0].conv2.out_channels  # x + every layer's output
    assert "- **拼接**（DenseNet）" in PAGE and "$x$ 本身并不在其中" in PAGE
    assert "所以它不是捷径连接" in PAGE
    source = (REPO / "figures" / "shortcuts.py").read_text(encoding="utf-8")
    assert "Inception" not in source.split('"""', 2)[2]  # no drawn label names Inception


def test_resnet_first_stage_keeps_the_size() -> None:
    for builder in (models.resnet18, models.resnet50):
        net = meta_model(builder)
        strides = [stage[0].stride for stage in (net.layer1, net.layer2, net.layer3, net.layer4)]
        assert strides == [1, 2, 2, 2]
        assert isinstance(net.maxpool, nn.MaxPool2d) and net.maxpool.stride == 2
    assert "ResNet 从第二个阶段起，每个阶段的第一个块把通道数加倍、尺寸减半" in PAGE
    assert "第一个阶段紧跟在步长 2 的最大池化之后，不再缩小尺寸" in PAGE
    text = output("projection_shortcut")
    assert "resnet18 layer1[0]: 64 → 64 通道，步长 1，捷径 恒等映射" in text
    assert "resnet50 layer1[0]: 64 → 256 通道，步长 1，捷径 1×1 卷积投影" in text


def test_se_blocks_use_global_average_pooling_inside_the_network() -> None:
    net = meta_model(models.efficientnet_b0)
    inside = [m for m in net.features.modules() if isinstance(m, SqueezeExcitation)]
    assert len(inside) > 1
    assert all(isinstance(m.avgpool, nn.AdaptiveAvgPool2d) for m in inside)
    assert all(m.avgpool.output_size == 1 for m in inside)
    text = paragraph_with("SE 模块")
    assert "它也出现在网络中间" in text and "先用 GAP 把每个通道压成一个数" in text
    assert "通常只出现在网络末尾" not in PAGE


# --- new topics against torch ---------------------------------------------------------------------


@FAST
@given(st.integers(1, 40), st.integers(1, 40))
def test_adaptive_windows_are_the_ones_torch_uses(size: int, output_size: int) -> None:
    windows = operator("adaptive_pooling")["adaptive_windows"](size, output_size)
    x = torch.randn(1, 1, 1, size, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    averaged = F.adaptive_avg_pool2d(x, (1, output_size))[0, 0, 0]
    largest = F.adaptive_max_pool2d(x, (1, output_size))[0, 0, 0]
    for i, (start, end) in enumerate(windows):
        assert 0 <= start < end <= size
        assert torch.isclose(averaged[i], x[0, 0, 0, start:end].mean())
        assert largest[i] == x[0, 0, 0, start:end].max()
    assert windows[0][0] == 0 and windows[-1][1] == size  # the windows cover the whole axis


def test_adaptive_pooling_formula_on_the_page() -> None:
    formula = (
        "\\Big[\\, \\Big\\lfloor \\frac{i\\,W}{W'} \\Big\\rfloor,\\ "
        "\\Big\\lceil \\frac{(i + 1)\\,W}{W'} \\Big\\rceil \\,\\Big)"
    )
    assert formula in PAGE
    windows = operator("adaptive_pooling")["adaptive_windows"](5, 3)
    lengths = [end - start for start, end in windows]
    assert "、".join(map(str, lengths)) in paragraph_with("$W = 5$、$W' = 3$ 时")
    with pytest.raises(ValueError, match="output_size"):
        operator("adaptive_pooling")["adaptive_windows"](5, 0)
    with pytest.raises(ValueError, match="mode"):
        operator("adaptive_pooling")["adaptive_pool"](torch.zeros(1, 1, 4, 4), (2, 2), "sum")


@FAST
@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 1000))
def test_global_max_pooling_is_the_channel_maximum(height: int, width: int, seed: int) -> None:
    x = torch.randn(2, 3, height, width, generator=torch.Generator().manual_seed(seed))
    pooled = nn.AdaptiveMaxPool2d(1)(x)
    assert torch.equal(pooled, x.amax(dim=(2, 3), keepdim=True))
    x.requires_grad_(True)
    (grad,) = torch.autograd.grad(nn.AdaptiveMaxPool2d(1)(x).sum(), x)
    assert torch.equal(grad.sum(dim=(2, 3)), torch.ones(2, 3))  # one pixel per channel


@FAST
@given(
    st.sampled_from([(2, 2), (3, 2), (3, 1), (2, 1)]),
    st.integers(4, 8),
    st.integers(0, 1000),
)
def test_max_pool_backward_routes_the_gradient_to_the_argmax(window, size, seed) -> None:
    kernel, stride = window
    generator = torch.Generator().manual_seed(seed)
    x = torch.randperm(size * size, generator=generator).double().view(1, 1, size, size)
    x.requires_grad_(True)
    y, indices = F.max_pool2d(x, kernel, stride, return_indices=True)
    upstream = torch.randn(y.shape, dtype=torch.float64, generator=generator)
    (grad,) = torch.autograd.grad(y, x, grad_outputs=upstream)
    routed = torch.zeros(size * size, dtype=torch.float64)
    routed.scatter_add_(0, indices.flatten(), upstream.flatten())  # overlapping windows add up
    assert torch.allclose(grad.flatten(), routed, atol=1e-12)


def test_the_backward_figure_draws_autograds_gradient() -> None:
    numbers = maxpool_backward.routing_numbers()
    example = operator("max_pool_backward")
    assert numbers["grad"] == example["grad"][0, 0].int().tolist()
    x = torch.tensor(numbers["input"], dtype=torch.float64)
    for index, (row, col) in enumerate(numbers["argmax"]):
        i, j = divmod(index, 2)
        window = x[2 * i : 2 * i + 2, 2 * j : 2 * j + 2]
        assert x[row, col] == window.max()
        assert numbers["grad"][row][col] == numbers["upstream"][i][j]
    assert sum(map(sum, numbers["grad"])) == sum(map(sum, numbers["upstream"]))


@FAST
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(1, 5))
def test_a_linear_layer_is_a_convolution_with_a_whole_map_kernel(channels, height, width, out):
    torch.manual_seed(0)
    fc = nn.Linear(channels * height * width, out).double()
    conv = nn.Conv2d(channels, out, (height, width)).double()
    with torch.no_grad():
        conv.weight.copy_(fc.weight.view(out, channels, height, width))
        conv.bias.copy_(fc.bias)
    x = torch.randn(3, channels, height, width, dtype=torch.float64)
    assert torch.allclose(conv(x).flatten(1), fc(x.flatten(1)), atol=1e-12)


# --- figures and exercises ----------------------------------------------------------------------


def test_page_shows_every_figure_in_both_themes() -> None:
    for module in (maxpool_backward, shortcuts, stochastic_pooling):
        for name in module.OUTPUTS:
            assert (FIGURES / "operators" / name).is_file()
            theme = "light" if "-light." in name else "dark"
            assert f"assets/figures/operators/{name}#only-{theme}" in PAGE, name


def test_every_exercise_has_a_collapsed_answer_from_a_snippet() -> None:
    assert_exercises_answered_by_snippets(PAGE, "operators")


def test_exercise_answers_agree_with_the_chapters_helpers() -> None:
    pool = nn.MaxPool2d(3, stride=2)
    side = pool(torch.zeros(1, 1, 13, 13)).shape[-1]
    assert f"(1, 256, {side}, {side})" in output("exercise1_overlapping_pool")
    windows = operator("adaptive_pooling")["adaptive_windows"](7, 3)
    assert str(windows) in output("exercise2_adaptive_windows")
    resnet = meta_model(models.resnet50)
    fc_params = sum(p.numel() for p in resnet.fc.parameters())
    assert f"GAP + 全连接：{fc_params:,} 个参数" in output("exercise3_resnet_head")
    answer = output("exercise4_pool_gradient")
    assert "3×3/S2 最大池化：中心的梯度 4.000" in answer
    assert f"3×3/S2 平均池化：中心的梯度 {4 / 9:.3f}" in answer
    vgg = meta_model(models.vgg16)
    first_fc = vgg.classifier[0]
    assert first_fc.in_features == 512 * 7 * 7 and first_fc.out_features == 4096
    assert "(4096, 512, 7, 7)" in output("exercise5_fc_conv_shape")
    assert "$(4096, 512, 7, 7)$" in PAGE
    inputs = [
        layer.norm1.num_features
        for layer in meta_model(models.densenet121).features.denseblock1.values()
    ]
    assert f"各层拼接输入的通道数之和 {sum(inputs)}" in output("exercise6_dense_block")
    stochastic = operator("stochastic_pooling")["stochastic_pool2d"]
    window = torch.tensor([[0.0, 2.0], [2.0, 4.0]]).view(1, 1, 2, 2)
    expected = stochastic(window, 2, training=False).item()
    assert f"= {expected:g}" in output("exercise7_stochastic_window")
