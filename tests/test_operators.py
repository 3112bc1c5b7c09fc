"""Chapter 5 (其他算子): the helpers against torch and exact arithmetic, the figures, the prose.

Snippets are loaded once (``load_snippet`` runs them in this process) so their helpers can be
tested on inputs the page does not show, including the bad inputs they must reject.
"""

from __future__ import annotations

import ast
import inspect
from fractions import Fraction

import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.functional import avg_pool2d, max_pool2d, max_unpool2d
from torchvision import models

from figures.shortcuts import shortcut_numbers
from figures.stochastic_pooling import window_statistics
from tests.helpers import page, snippet, stored

PAGE = page("operators.md")
STOCHASTIC = snippet("operators/stochastic_pooling")
SHORTCUTS = snippet("operators/shortcut_add_concat")
stochastic_pool2d = STOCHASTIC["stochastic_pool2d"]
add_shortcut = SHORTCUTS["add_shortcut"]
concat_shortcut = SHORTCUTS["concat_shortcut"]


def output(name: str) -> str:
    """The stored output ``snippets/operators/<name>``."""
    return stored(f"operators/{name}")


# --- stochastic pooling -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "kwargs", "complaint"),
    [
        (torch.ones(3, 4, 4), {"kernel_size": 2}, "输入必须是四维的"),
        (torch.ones(1, 1, 4, 4), {"kernel_size": 0}, "kernel_size"),
        (torch.ones(1, 1, 4, 4), {"kernel_size": 2, "stride": 0}, "stride"),
        (torch.ones(1, 1, 3, 5), {"kernel_size": 4}, "kernel_size=4 大于输入"),
        (-torch.ones(1, 1, 4, 4), {"kernel_size": 2}, "输入必须非负"),
    ],
)
def test_stochastic_pooling_rejects_bad_input(
    x: torch.Tensor, kwargs: dict, complaint: str
) -> None:
    for training in (False, True):
        with pytest.raises(ValueError, match=complaint):
            stochastic_pool2d(x, training=training, **kwargs)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(
    window=st.lists(st.integers(0, 9), min_size=4, max_size=4),
    seed=st.integers(0, 2**16),
)
def test_stochastic_pooling_matches_exact_arithmetic(window: list[int], seed: int) -> None:
    """Inference = Σa²/Σa (0 for an all-zero window); a training draw is a positive window value."""
    x = torch.tensor(window, dtype=torch.float32).reshape(1, 1, 2, 2)
    total = sum(window)
    expected = Fraction(sum(a * a for a in window), total) if total else Fraction(0)
    assert abs(stochastic_pool2d(x, 2, training=False).item() - float(expected)) < 1e-6
    generator = torch.Generator().manual_seed(seed)
    drawn = stochastic_pool2d(x, 2, training=True, generator=generator).item()
    assert drawn in ({a for a in window if a > 0} or {0})


def test_stochastic_pooling_shapes_follow_the_pooling_formula() -> None:
    x = torch.rand(2, 3, 9, 7)
    for kernel, stride in [(2, 2), (3, 2), (3, 1)]:
        expected = max_pool2d(x, kernel, stride).shape  # floor((W - K) / S) + 1 per axis
        assert stochastic_pool2d(x, kernel, stride, training=False).shape == expected
        assert stochastic_pool2d(x, kernel, stride, training=True).shape == expected


def test_stochastic_pooling_lies_between_average_and_max() -> None:
    """Σ p_i x_i = Σx²/Σx is at least the mean (Cauchy-Schwarz) and at most the max."""
    x = torch.relu(torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(1)))
    pooled = stochastic_pool2d(x, 2, training=False)
    assert (pooled <= max_pool2d(x, 2) + 1e-6).all()
    assert (pooled >= avg_pool2d(x, 2) - 1e-6).all()


def test_stochastic_pooling_figure_draws_torch_numbers() -> None:
    stats = window_statistics()
    window = STOCHASTIC["window"]
    total = sum(map(sum, window))
    assert stats["window"].tolist() == window
    assert stats["values"] == [1, 2, 3, 4]
    assert stats["p"] == [v / total for v in stats["values"]] == [0.1, 0.2, 0.3, 0.4]
    assert stats["inference"] == pytest.approx(3.0)  # 30 / 10, by hand
    samples = STOCHASTIC["samples"]
    for value, frequency in zip(stats["values"], stats["frequency"], strict=True):
        assert frequency == (samples == value).float().mean().item()
        assert abs(frequency - value / total) < 0.01
    assert stats["draws"] == 100_000


# --- max unpooling ------------------------------------------------------------------------------


@settings(max_examples=30, derandomize=True, deadline=None)
@given(height=st.integers(2, 9), width=st.integers(2, 9), kernel=st.integers(2, 3))
def test_max_unpool_restores_maxima_and_zeros_elsewhere(
    height: int, width: int, kernel: int
) -> None:
    assume(kernel <= min(height, width))
    x = torch.randperm(height * width, generator=torch.Generator().manual_seed(0)).float()
    x = x.reshape(1, 1, height, width)
    pooled, indices = max_pool2d(x, kernel, return_indices=True)
    restored = max_unpool2d(pooled, indices, kernel, output_size=x.shape[-2:])
    assert restored.shape == x.shape
    kept = restored != 0
    assert torch.equal(restored[kept], x[kept]) and kept.sum() == pooled.numel()
    assert torch.equal(max_pool2d(restored, kernel), pooled)


# --- shortcuts ----------------------------------------------------------------------------------


def test_shortcut_helpers_reject_shapes_that_cannot_merge() -> None:
    with pytest.raises(ValueError, match="residual 的形状"):
        add_shortcut(torch.zeros(1, 64, 56, 56), torch.zeros(1, 128, 28, 28))
    with pytest.raises(ValueError, match="branches 的 B、H、W 必须相同"):
        concat_shortcut([torch.zeros(1, 64, 56, 56), torch.zeros(1, 32, 28, 28)])
    with pytest.raises(ValueError, match="branches 必须是至少两个"):
        concat_shortcut([torch.zeros(1, 64, 56, 56)])
    with pytest.raises(ValueError, match="形状为 \\(B, C, H, W\\) 的四维张量"):
        concat_shortcut([torch.zeros(64, 56, 56), torch.zeros(64, 56, 56)])


@settings(max_examples=40, derandomize=True, deadline=None)
@given(channels=st.lists(st.integers(1, 8), min_size=2, max_size=4), size=st.integers(1, 5))
def test_concatenation_adds_channels_and_addition_keeps_them(
    channels: list[int], size: int
) -> None:
    branches = [torch.randn(2, c, size, size) for c in channels]
    joined = concat_shortcut(branches)
    assert joined.shape == (2, sum(channels), size, size)
    assert torch.equal(joined[:, : channels[0]], branches[0])
    assert torch.equal(add_shortcut(branches[0], branches[0]), 2 * branches[0])


def test_shortcut_figure_draws_torch_numbers() -> None:
    numbers = shortcut_numbers()
    assert numbers["inputs"] == [(1, 64, 56, 56), (1, 64, 56, 56)]
    for kind, channels in [("add", 64), ("concat", 128)]:
        cost = numbers[kind]
        conv = nn.Conv2d(channels, 64, 3, padding=1, bias=False)
        out = conv(torch.zeros(1, channels, 56, 56))
        assert cost["shape"] == (1, channels, 56, 56)
        assert cost["params"] == conv.weight.numel() == channels * 64 * 9
        assert cost["macs"] == out.numel() * channels * 9
        assert cost["megabytes"] == channels * 56 * 56 * 4 / 1e6


# --- facts about torchvision's models that the page states ---------------------------------


def meta_model(builder, **kwargs) -> nn.Module:
    with torch.device("meta"):
        return builder(**kwargs)


def test_alexnet_pools_are_overlapping_3x3_stride_2() -> None:
    pools = [m for m in meta_model(models.alexnet).features if isinstance(m, nn.MaxPool2d)]
    assert [(p.kernel_size, p.stride) for p in pools] == [(3, 2)] * 3


def test_vgg16_head_needs_a_7x7_map_and_uses_dropout() -> None:
    vgg16 = meta_model(models.vgg16)
    assert isinstance(vgg16.avgpool, nn.AdaptiveAvgPool2d) and vgg16.avgpool.output_size == (7, 7)
    dropouts = [m.p for m in vgg16.classifier if isinstance(m, nn.Dropout)]
    assert dropouts == [0.5, 0.5]  # one after each of the two 4096-wide layers


@pytest.mark.parametrize("builder", [models.resnet18, models.resnet50])
def test_resnet_projects_only_when_the_shape_changes(builder) -> None:
    net = meta_model(builder)
    for stage in (net.layer1, net.layer2, net.layer3, net.layer4):
        for block in stage:
            out_channels = (
                block.conv3.out_channels if hasattr(block, "conv3") else block.conv2.out_channels
            )
            changes = block.conv1.in_channels != out_channels or block.stride != 1
            assert (block.downsample is not None) == changes
    assert all(m.bias is None for m in net.modules() if isinstance(m, nn.Conv2d))


def test_densenet_concatenations_grow_quadratically() -> None:
    """Σ_{l<L} (C0 + l k) = L·C0 + k·L(L−1)/2 for every dense block of DenseNet-121."""
    features = meta_model(models.densenet121).features
    blocks = [m for name, m in features.named_children() if name.startswith("denseblock")]
    assert [len(b) for b in blocks] == [6, 12, 24, 16]
    for block in blocks:
        inputs = [layer.norm1.num_features for layer in block.values()]
        first, count, growth = inputs[0], len(inputs), inputs[1] - inputs[0]
        assert growth == 32
        assert sum(inputs) == count * first + growth * count * (count - 1) // 2


# --- prose numbers --------------------------------------------------------------------------------


def test_prose_statements_match_the_stored_outputs() -> None:
    """Numbers are quoted through macros; these are the small ones and the words around them."""
    assert "30/10 = 3" in output("stochastic_pooling.out") and "= 30/10 = 3$" in PAGE
    assert "55 -> 27" in output("overlapping_pooling.out") and "全部 55 行" in PAGE
    assert ", 4, " in output("overlapping_pooling.out") and "有的位置属于 4 个窗口" in PAGE


def test_worked_numbers_in_the_prose() -> None:
    # stochastic pooling window: positives 1..4 sum to 10; variance of one draw 10 - 9 = 1
    values = [v for row in STOCHASTIC["window"] for v in row]
    p = {v: Fraction(v, sum(values)) for v in values if v}
    assert sum(values) == 10 and [float(p[v]) for v in (1, 2, 3, 4)] == [0.1, 0.2, 0.3, 0.4]
    second_moment = sum(q * v * v for v, q in p.items())
    assert second_moment == 10 and second_moment - 3**2 == 1
    standard_error = (1 / 100_000) ** 0.5
    assert round(standard_error, 3) == 0.003 and round(0.02 / standard_error) == 6
    assert "$0.1, 0.2, 0.3, 0.4$" in PAGE and "$\\sum_i p_i x_i^2 - 3^2 = 10 - 9 = 1$" in PAGE
    sizes = [int(n) for n in output("overlapping_pooling.out").split("边长:")[1].split("->")]
    assert 2 * sizes[1] + 1 == sizes[0] and "$55 = 2 \\times 27 + 1$" in PAGE


def test_torchvision_resnet_adds_the_shortcut_in_place() -> None:
    """The page says torchvision's blocks use ``out += identity`` (no new tensor)."""
    for block in (models.resnet.BasicBlock, models.resnet.Bottleneck):
        assert "out += identity" in inspect.getsource(block.forward)


def test_pooling_formulas_in_the_prose() -> None:
    """y_max = max over x[iS+u, jS+v] and y_avg = (1/K²) Σ x[iS+u, jS+v], 0 ≤ u, v < K."""
    x = torch.randn(2, 3, 9, 8, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    for kernel, stride in [(2, 2), (3, 2), (3, 1)]:
        rows, cols = (x.shape[-2] - kernel) // stride + 1, (x.shape[-1] - kernel) // stride + 1
        by_max = torch.empty(2, 3, rows, cols, dtype=torch.float64)
        by_avg = torch.empty_like(by_max)
        for i in range(rows):
            for j in range(cols):
                window = x[..., i * stride : i * stride + kernel, j * stride : j * stride + kernel]
                by_max[..., i, j] = window.amax(dim=(-2, -1))
                by_avg[..., i, j] = window.sum(dim=(-2, -1)) / kernel**2
        assert torch.equal(max_pool2d(x, kernel, stride), by_max)
        assert torch.allclose(avg_pool2d(x, kernel, stride), by_avg, atol=1e-12)
    assert "y_{c,i,j}^{\\max} = \\max_{0 \\le u, v < K} x_{c,\\, iS+u,\\, jS+v}" in PAGE
    assert "\\frac{1}{K^2} \\sum_{u=0}^{K-1} \\sum_{v=0}^{K-1} x_{c,\\, iS+u,\\, jS+v}" in PAGE


def test_pooling_prose_numbers() -> None:
    pooling = snippet("operators/pooling_types")
    assert len(pooling["layers"]) == 3 and "三个层的 `parameters()` 都是空的" in PAGE
    assert all(not list(layer.parameters()) for layer in pooling["layers"].values())
    assert "全局平均池化: 输出形状 (1, 2, 1, 1)" in output("pooling_types.out")
    assert "$(B, C, H, W)$ 变成 $(B, C, 1, 1)$" in PAGE
    assert nn.MaxPool2d(3).stride == 3 and "步长默认等于窗口大小" in PAGE
    # overlapping pooling: 3×3/S2 windows share K − S = 1 row; 2×2/S2 tile 7×7 but drop row 7
    text = output("overlapping_pooling.out")
    overlapping, disjoint = text.split("2×2/S2")[0], text.split("2×2/S2")[1].split("AlexNet")[0]
    rows = [ast.literal_eval(line.strip()) for line in disjoint.splitlines() if "[" in line]
    assert len(rows) == 7 and all(row[-1] == 0 for row in rows) and rows[-1] == [0] * 7
    assert {v for row in rows[:-1] for v in row[:-1]} == {1}
    assert "[2, 2, 4, 2, 4, 2, 2]" in overlapping  # K − S = 1 shared row
    assert "每个方向上都与邻居共享一行（一列）" in PAGE and "每个位置只属于一个窗口" in PAGE
    assert "7 不是 2 的倍数" in PAGE and "丢掉最后一行和最后一列" in PAGE
    # AlexNet: 27 windows of 3×3/S2 cover 55 rows exactly
    pool = nn.MaxPool2d(3, stride=2)
    assert "55 -> 27" in text and pool(torch.zeros(1, 1, 55, 55)).shape[-1] == 27
    assert (27 - 1) * pool.stride + pool.kernel_size == 55  # the last window ends at row 55
    assert "$3 \\times 3$/S2 的 27 个窗口恰好覆盖全部 55 行" in PAGE


def test_stochastic_and_unpooling_prose_numbers() -> None:
    window = STOCHASTIC["window"]
    assert (len(window), len(window[0])) == (3, 3) and "先手算一个 $3 \\times 3$ 窗口" in PAGE
    assert "正值 $1, 2, 3, 4$ 之和为 $10$" in PAGE
    text = output("stochastic_pooling.out")
    assert "100,000 次抽样" in text and "（容差 0.02）" in text
    assert "抽样 10 万次" in PAGE and "10 万次的平均值的标准误约为 $0.003$" in PAGE
    assert "代码里的容差 $0.02$ 约为它的 6 倍" in PAGE
    # max unpooling: flat index = row·W + column; 3 zeros per 2×2 window; odd sizes
    unpool = output("max_unpool.out")
    assert "torch.int64" in unpool and "`int64` 索引张量" in PAGE
    pairs = [line.split("->") for line in unpool.splitlines() if "->" in line]
    plane = torch.tensor([ast.literal_eval(before.strip()) for before, _ in pairs])
    _, indices = max_pool2d(plane.view(1, 1, 4, 4).float(), 2, return_indices=True)
    flat = []
    for i in range(2):
        for j in range(2):
            block = plane[2 * i : 2 * i + 2, 2 * j : 2 * j + 2]
            r, c = divmod(int(block.argmax()), 2)
            flat.append((2 * i + r) * 4 + (2 * j + c))
    assert indices.flatten().tolist() == flat and f"通道 0 的索引: {[flat[:2], flat[2:]]}" in unpool
    assert "（行号 $\\times W$ + 列号）" in PAGE
    restored = torch.tensor([ast.literal_eval(after.strip()) for _, after in pairs])
    zeros = (restored.view(2, 2, 2, 2) == 0).sum(dim=(1, 3))  # zeros per 2×2 window
    assert zeros.tolist() == [[2 * 2 - 1] * 2] * 2 and "其余 3 个位置为 0" in PAGE
    assert "5×5 池化后 (2, 2)" in unpool and "默认反池化 (4, 4)" in unpool
    assert "指定 output_size (5, 5)" in unpool


def test_linear_layer_formulas_against_torch() -> None:
    """Parameters C_in·C_out + C_out, C_in·C_out MACs per sample (2·C_in·C_out FLOPs)."""
    from torch.utils.flop_counter import FlopCounterMode

    for c_in, c_out, batch in [(6, 3, 4), (25088, 4096, 1), (512, 1000, 3)]:
        fc = nn.Linear(c_in, c_out, device="meta")
        assert fc.weight.shape == (c_out, c_in)
        assert sum(p.numel() for p in fc.parameters()) == c_in * c_out + c_out
        with FlopCounterMode(display=False) as counter:
            fc(torch.empty(batch, c_in, device="meta"))
        assert counter.get_total_flops() == batch * 2 * c_in * c_out
    text = output("linear_matmul.out")
    assert "参数量 6×3 + 3 = 21" in text and "MACs = 18，FLOPs = 36" in text
    assert "参数量是 $C_\\text{in} C_\\text{out} + C_\\text{out}$" in PAGE
    assert "每个样本做 $C_\\text{in} C_\\text{out}$ 次乘加" in PAGE
    assert "$2\\,C_\\text{in} C_\\text{out}$ FLOPs" in PAGE
    assert "`weight` 形状是 $(C_\\text{out}, C_\\text{in})$" in PAGE
    assert "y = \\mathbf{W} x + b" in PAGE and "$Y = X \\mathbf{W}^\\top + b$" in PAGE


def test_classifier_head_prose_numbers() -> None:
    vgg16 = meta_model(models.vgg16)
    features = vgg16.features(torch.empty(1, 3, 224, 224, device="meta"))
    assert tuple(features.shape[1:]) == (512, 7, 7) and "$512 \\times 7 \\times 7$" in PAGE
    widths = [m.out_features for m in vgg16.classifier if isinstance(m, nn.Linear)]
    assert widths == [4096, 4096, 1000] and "两个 4096 维的层" in PAGE
    assert "1000 个类别分数" in PAGE
    assert meta_model(models.resnet50).fc.out_features == 1000 and "1000 类的全连接层" in PAGE
    text = output("gap_vs_flatten.out")
    example = snippet("operators/gap_vs_flatten")
    ratio = example["flatten_params"] / example["gap_params"]
    assert f"参数之比约 {ratio:.0f} : 1" in text and "相差约 {{ out(" in PAGE
    assert features[0].numel() == 25088 and f"的 {features[0, 0].numel()} 倍" in text
    assert "$1/(HW) = 1/49$" in PAGE
    assert f"拉平后是 {512 * 10 * 10} 维" in text and "$10 \\times 10$ 的例子" in PAGE


def test_shortcut_and_densenet_prose_numbers() -> None:
    numbers = shortcut_numbers()
    assert numbers["inputs"] == [(1, 64, 56, 56)] * 2 and "两个 $64 \\times 56 \\times 56$" in PAGE
    assert "输出 64 通道的 $3 \\times 3$ 卷积" in PAGE
    add, concat = numbers["add"], numbers["concat"]
    assert concat["params"] == 2 * add["params"] and concat["macs"] == 2 * add["macs"]
    assert concat["megabytes"] == 2 * add["megabytes"]
    text = output("shortcut_add_concat.out")
    assert f"MACs {add['macs']:,}" in text and f"MACs {concat['macs']:,}" in text
    assert "参数和 MACs 随之翻倍" in PAGE and "MB 的两倍" in PAGE
    assert f"相加后: 张量 {add['megabytes']:.2f} MB，下一层参数 {add['params']:,}" in text
    assert f"拼接后: 张量 {concat['megabytes']:.2f} MB，下一层参数 {concat['params']:,}" in text
    # projection shortcut: channels double, size halves, a stride-2 1×1 conv then BN
    text = output("projection_shortcut.out")
    assert "输入 (1, 64, 56, 56) 主分支输出 (1, 128, 28, 28)" in text
    assert "Conv2d(64, 128, kernel_size=(1, 1), stride=(2, 2), bias=False)" in text
    assert "(1): BatchNorm2d(128" in text
    assert "通道数加倍、尺寸减半" in PAGE and "步长为 2 的 $1 \\times 1$ 卷积（后接 BN）" in PAGE
    block = models.resnet18().layer2[0]
    projection = sum(p.numel() for p in block.downsample.parameters())
    whole = sum(p.numel() for p in block.parameters())
    assert f"{projection:,}" in text and f"{projection / whole:.1%}" in text
    # DenseNet-121's first block: 6 layers on a 56×56 map, growth 32, float32
    net = meta_model(models.densenet121)
    stem = net.features[:4](torch.empty(1, 3, 224, 224, device="meta"))
    block = net.features.denseblock1
    inputs = [layer.norm1.num_features for layer in block.values()]
    assert len(inputs) == 6 and tuple(stem.shape[1:]) == (64, 56, 56)
    plane = 56 * 56 * 4
    text = output("densenet_concat_memory.out")
    assert f"合计 {sum(inputs) * plane / 1e6:.2f} MB" in text
    assert f"只有 {(inputs[-1] + 32) * plane / 1e6:.2f} MB" in text
    assert "第一个稠密块的 6 层" in PAGE
