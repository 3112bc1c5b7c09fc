"""Chapter 3 (感受野与网络设计): the figure and what the prose claims, checked against the
calculator, torch and the snippets. Numbers the prose quotes through macros are checked by the
macro and tests/test_snippets.py; arithmetic in formulas by tests/test_page_arithmetic.py."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.flop_counter import FlopCounterMode

from figures.receptive_field_growth import SCENARIOS, calculator_fields, path_counts
from tests.helpers import hand_numbers, page, page_text, snippet, stored
from tests.paths import SNIPPETS
from tests.receptive import (
    FORMULA_EXAMPLES,
    PROPERTY_EXAMPLES,
    STACK_DILATIONS,
    STACK_EXAMPLES,
    STACK_KERNELS,
    STACK_LAYERS,
    STACK_STRIDES,
    Layer,
    box,
    clipped_interval,
    level_sizes,
    no_gaps,
    reached,
    receptive_fields,
)

PAGE = page("receptive-field.md")


# --- the figure ------------------------------------------------------------------------------


def one_axis_paths(layers: list[Layer], output_pixel: int, input_size: int) -> np.ndarray:
    """Paths from each input position to the output pixel, by polynomial arithmetic (D = 1)."""
    counts = np.array([1])
    for kernel, stride, _, _ in reversed(layers):
        spread = np.zeros((len(counts) - 1) * stride + 1, dtype=int)
        spread[::stride] = counts
        counts = np.convolve(spread, np.ones(kernel, dtype=int))
    full = np.zeros(input_size, dtype=int)
    start = receptive_fields(layers)[-1].interval(output_pixel)[0]
    full[start : start + len(counts)] = counts
    return full


def top_down(layers: list[Layer]) -> list[int]:
    """F_L = 1, F_{l-1} = (F_l - 1) S_l + K̂_l: the page's top-down recurrence, output first."""
    sides = [1]
    for kernel, stride, _, dilation in reversed(layers):
        sides.append((sides[-1] - 1) * stride + dilation * (kernel - 1) + 1)
    return sides


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.title)
def test_figure_highlights_the_calculators_field(scenario) -> None:
    counts, fields = path_counts(scenario), calculator_fields(scenario)
    assert len(counts) == len(fields) == 4
    for grid, (first, last) in zip(counts, fields, strict=True):
        assert np.array_equal(grid != 0, box(first, last, first, last, grid.shape))
    layers = list(scenario.layers)
    paths = one_axis_paths(layers, scenario.output_pixel, counts[0].shape[0])
    assert np.array_equal(counts[0], np.outer(paths, paths))
    sides = [last - first + 1 for first, last in fields][::-1]  # output first
    assert sides == top_down(layers)
    assert sides[-1] == receptive_fields(layers)[-1].size


def test_figure_numbers_in_the_prose() -> None:
    plain, strided = SCENARIOS
    assert all(stride == 1 for _, stride, _, _ in plain.layers)
    steps = " \\to ".join(str(side) for side in top_down(list(plain.layers)))
    assert f"$F$ 依次是 ${steps}$" in PAGE
    counts = path_counts(plain)[0]
    first = calculator_fields(plain)[0][0]
    most, corner = int(counts.max()), int(counts[first, first])
    assert f"有 ${most}$ 条路径" in PAGE and f"只有 ${corner}$ 条" in PAGE
    sides = top_down(list(strided.layers))
    kernel, stride, _, _ = strided.layers[1]
    assert sides[2] == (sides[1] - 1) * stride + kernel
    assert (
        f"$F = ({sides[1]} - 1) \\times {stride} + {kernel} = {sides[2]}$，输入上是 ${sides[3]}$"
        in PAGE
    )


def test_page_shows_the_figure_in_both_themes() -> None:
    for theme in ["light", "dark"]:
        name = f"receptive_field/receptive-field-growth-{theme}.gif#only-{theme}"
        assert f"assets/figures/{name}" in PAGE


# --- review findings ---------------------------------------------------------------------------


def math_letters(markdown: str) -> set[str]:
    """The single letters used as symbols in the page's formulas (LaTeX commands and text aside)."""
    letters = set()
    for formula in re.findall(r"\$\$(.+?)\$\$|\$([^$\n]+)\$", markdown, re.DOTALL):
        body = re.sub(r"\\text\{[^}]*\}|\\[A-Za-z]+", " ", "".join(formula))
        letters |= set(re.findall(r"(?<![A-Za-z])[A-Za-z](?![A-Za-z])", body))
    return letters


def test_each_letter_has_one_meaning() -> None:
    """Review finding: r, k and n meant two things each (receptive field and input side; kernel
    and last map side; downsamplings and layers). The page now uses the book's letters: R for
    receptive fields, K, S, P, D for the layers, W for the input side, W_L for the last map's
    side, m for the number of downsamplings, L for the number of layers."""
    assert math_letters("$r_l + k \\cdot 2^n$ 与 $\\text{scale}$") == {"r", "l", "k", "n"}
    assert math_letters(PAGE) & {"r", "k", "n", "s", "p", "d", "N"} == set()
    assert "W = W_L \\cdot 2^m" in PAGE and "\\lceil W / 32 \\rceil" in PAGE
    assert "$R = 2L + 1$" in PAGE and "$\\sigma = \\sqrt{2L/3}$" in PAGE


def test_the_field_of_a_dilated_layer_is_a_span_not_a_count() -> None:
    """Review finding: F was called 'the number of pixels depended on'; with dilation it is the
    width of the span (the bounding interval), larger than the number of pixels read."""
    layers = [(3, 1, 0, 2)]
    span = top_down(layers)[-1]
    read = reached(layers, level_sizes(layers, 20), 5)
    assert span == receptive_fields(layers)[-1].size == 5 and int(read.sum()) == 3
    assert "依赖的像素个数" not in PAGE and "依赖的连续位置个数" in PAGE
    assert "有缺口时是外接区间的宽度" in PAGE


def test_make_divisible_is_explained_step_by_step() -> None:
    """Review finding: 'nearest multiple of 8' and '18 becomes 24' contradicted each other; the
    10 % rule explains it. The snippet prints each step, checked against torchvision."""
    from torchvision.models._utils import _make_divisible

    for tenth in range(1, 3000):
        v = tenth / 10
        nearest = max(8, int(v + 4) // 8 * 8)
        assert _make_divisible(v, 8) == (nearest + 8 if nearest < 0.9 * v else nearest), v
    out = stored("receptive_field/depth_width.out")
    steps = re.findall(r"v = ([\d.]+): 最接近的 8 的倍数 (\d+)，.*?-> (\d+)", out)
    assert {v: (int(n), int(r)) for v, n, r in steps} == {
        "12": (16, 16),
        "18": (16, 24),
        "11.2": (8, 16),
    }
    assert "18 最接近的是 16，但 $0.9 \\times 18 = 16.2$，16 比它还小，于是加 8 得 24" in PAGE


def test_the_downsampling_table_is_generated() -> None:
    """Review finding: the table of parameters and fractions was typed by hand; now the
    snippet prints it, and its numbers are the layers' own."""
    assert '--8<-- "snippets/receptive_field/downsampling.out"' in PAGE
    assert "| 36,928 |" not in PAGE.replace(
        '--8<-- "snippets/receptive_field/downsampling.out"', ""
    )
    example = snippet("receptive_field/downsampling")
    rows = [
        line.split(" | ") for line in stored("receptive_field/downsampling.out").splitlines()[2:]
    ]
    assert len(rows) == len(example["candidates"])
    for cells, (layer, _, _) in zip(rows, example["candidates"].values(), strict=True):
        params = sum(p.numel() for p in layer.parameters())
        if isinstance(layer, nn.Conv2d):
            k = layer.kernel_size[0]
            assert params == layer.out_channels * layer.in_channels * k * k + layer.out_channels
        assert cells[1] == f"{params:,}"
        assert cells[2] == f"{example['read_fraction'](layer):.0%}"


def test_calculator_speaks_chinese_and_names_the_argument() -> None:
    with pytest.raises(ValueError, match=r"layers\[0\] 的 stride 必须 >= 1"):
        receptive_fields([(3, 0, 1, 1)])
    with pytest.raises(ValueError, match=r"index 必须"):
        clipped_interval([(3, 2, 1, 1)], 9, 8)
    assert "外接区间" in (snippet("receptive_field/calculator")["clipped_interval"].__doc__ or "")


# --- the rest of the prose ---------------------------------------------------------------------


def test_late_layers_contribute_more() -> None:
    """Page: a 3x3 convolution after a cumulative stride of 32 adds 2 x 32 = 64; first, 2;
    with P_l = (K̂_l - 1)/2 in every layer the centre is 0."""
    downsample = [(2, 2, 0, 1)] * 5
    base = receptive_fields(downsample)[-1]
    late = receptive_fields([*downsample, (3, 1, 1, 1)])[-1].size
    early = receptive_fields([(3, 1, 1, 1), *downsample])[-1].size
    assert (late - base.size, early - base.size) == (2 * base.jump, 2)
    assert f"在步长累计为 ${base.jump}$ 的深层" in PAGE and "只增加 $2$ 个" in PAGE
    rng = np.random.default_rng(3)
    for _ in range(200):
        layers = []
        for _ in range(int(rng.integers(1, 6))):
            kernel, dilation = int(rng.choice([1, 3, 5, 7])), int(rng.integers(1, 4))
            layers.append((kernel, int(rng.integers(1, 4)), dilation * (kernel - 1) // 2, dilation))
        assert receptive_fields(layers)[-1].centre == 0
    assert "则中心为 $0$" in PAGE


def test_calculator_example_claims() -> None:
    lines = stored("receptive_field/calculator.out").splitlines()
    layer_rows = [line for line in lines[1:] if re.match(r"\s*\d+\s+\(", line)]
    assert len(layer_rows) == 5 and "用一个五层的小网络试一试" in PAGE
    last = snippet("receptive_field/calculator")["fields"][-1]
    assert f"前 {-last.start} 个坐标落在填充里" in PAGE
    assert all(line.startswith("ValueError") for line in lines[-3:])
    assert not lines[-4].startswith("ValueError") and "上面输出的最后三行" in PAGE
    source = (SNIPPETS / "receptive_field" / "gradient_check.py").read_text(encoding="utf-8")
    body = source.split("def field(")[1].split("\n\n")[0].splitlines()[1:]
    code = [line for line in body if line.strip() and not line.strip().startswith('"""')]
    assert len(code) == 5 and "它带着一份五行的闭式解" in PAGE


def test_gradient_check_claims() -> None:
    example = snippet("receptive_field/gradient_check")
    size, start = example["size"], example["start"]
    first, last = start, start + size - 1
    assert f"输出 $(0, 0)$ 的感受野 ${first}..{last}$ 有 {-first} 行伸进填充" in PAGE
    assert f"感受野 {first}..{last}" in stored("receptive_field/gradient_check.out")
    assert f"${size} \\times {size}$ 的方块（${size}^2 = {size * size}$）" in PAGE


def test_edge_examples_in_the_prose() -> None:
    """Page: 8 pixels, 3x3 stride 2 without padding read 0..2, 2..4, 4..6, pixel 7 is never
    read; a 1x1 convolution with padding 1 gives a ring of outputs that read only padding."""
    (layer,) = receptive_fields([(3, 2, 0, 1)], 8)
    intervals = [layer.interval(i) for i in range(layer.output_size)]
    written = "、".join(f"${a}..{b}$" for a, b in intervals)
    assert f"输出读的是 {written}" in PAGE
    unread = sorted(set(range(8)) - {p for a, b in intervals for p in range(a, b + 1)})
    assert unread == [7] and "第 $7$ 个像素" in PAGE
    for size in (1, 4, 9):
        ring = [(1, 1, 1, 1)]
        out = receptive_fields(ring, size)[-1].output_size
        assert clipped_interval(ring, 0, size) is None
        assert clipped_interval(ring, out - 1, size) is None
        assert all(clipped_interval(ring, i, size) == (i - 1, i - 1) for i in range(1, out - 1))
    assert "$1 \\times 1$ 卷积加填充 1，边上一圈输出与输入无关" in PAGE


def test_random_stack_ranges_are_the_ones_quoted() -> None:
    assert f"每个网络有 {STACK_LAYERS[0]} 到 {STACK_LAYERS[1]} 层" in PAGE
    (k0, k1), (s0, s1), (d0, d1) = STACK_KERNELS, STACK_STRIDES, STACK_DILATIONS
    assert f"卷积核 {k0}～{k1}、步长 {s0}～{s1}、空洞 {d0}～{d1}" in PAGE


def test_effective_field_table_follows_the_formulas() -> None:
    """Page: R = 2L + 1, variance 2L/3, sigma = sqrt(2L/3); the square holds 95% of the gradient."""
    rows = [line.split() for line in stored("receptive_field/effective_field.out").splitlines()[1:]]
    assert len(rows) == 6
    for layers, size, sigma, side, ratio in rows:
        assert int(size) == 2 * int(layers) + 1
        assert sigma == f"{(2 * int(layers) / 3) ** 0.5:.2f}"
        assert ratio == f"{int(side) / int(size):.2f}"
    assert "方差为 $2L/3$" in PAGE and "装下 $95\\%$ 梯度" in PAGE
    source = (SNIPPETS / "receptive_field" / "effective_field.py").read_text(encoding="utf-8")
    assert "< 0.95" in source


def test_stacked_3x3_claims() -> None:
    text = stored("receptive_field/stacked_3x3.out")
    channels = snippet("receptive_field/stacked_3x3")["channels"]
    assert receptive_fields([(3, 1, 0, 1)] * 2)[-1].size == 5
    assert receptive_fields([(3, 1, 0, 1)] * 3)[-1].size == 7
    for count, big in [(2, 5), (3, 7)]:
        assert f"{count * 9 * channels**2:,}" in text and f"{big * big * channels**2:,}" in text
    assert f"$C = {channels}$ 时" in PAGE
    relus = [int(n) for n in re.findall(r"ReLU (\d+) 个", text)]
    assert [relus[0] - relus[1], relus[2] - relus[3]] == [1, 2] and "多了一两个 ReLU" in PAGE


def test_real_network_observations() -> None:
    rows = snippet("receptive_field/real_networks")["rows"]
    lenet, size = rows["LeNet-5 C5"]
    assert receptive_fields(lenet[:-1], size)[-1].output_size == lenet[-1][0]
    assert receptive_fields(lenet, size)[-1].output_size == 1
    assert "C5 在 $5 \\times 5$ 的 S4 上做 $5 \\times 5$ 卷积，输出 $1 \\times 1$" in PAGE
    pool5_layers, side = rows["VGG-16 pool5"]
    pool5 = receptive_fields(pool5_layers, side)[-1]
    centres = [pool5.centre + i * pool5.jump for i in range(pool5.output_size)]
    assert sum(centres) / len(centres) == (side - 1) / 2 and pool5.size < side
    middle = (side - 1) / 2
    symmetric = f"{len(centres)} 个中心关于图像中心 ${middle:g}$ 对称"
    assert f"${pool5.centre:g} + {pool5.jump}i$，{symmetric}" in PAGE
    layers, side = rows["ResNet-18 layer4"]
    layer4 = receptive_fields(layers, side)[-1]
    assert layer4.start == -(layer4.size - 1) // 2 and layer4.centre == 0
    assert 1.9 < layer4.size / side < 2 and "几乎是输入边长的两倍" in PAGE
    centres = [layer4.centre + i * layer4.jump for i in range(layer4.output_size)]
    assert f"{len(centres)} 个中心是 $0, {layer4.jump}, \\dots, {centres[-1]:g}$" in PAGE
    assert f"偏左上 ${(side - 1) / 2 - sum(centres) / len(centres):g}$ 个像素" in PAGE
    for i in range(layer4.output_size):  # "nearly half" of every field lies in the padding
        first, last = layer4.interval(i)
        inside = min(last, side - 1) - max(first, 0) + 1
        assert 0.45 < 1 - inside / layer4.size < 0.5
    layer3 = receptive_fields(*rows["ResNet-18 layer3"])[-1]
    added = layers[len(rows["ResNet-18 layer3"][0]) :]
    assert len(added) == 4 and all(k == 3 for k, _, _, _ in added)
    assert (
        f"layer4 有 {len(added)} 个 $3 \\times 3$ 卷积，跳距从 {layer3.jump} 变为 {layer4.jump}"
        in PAGE
    )
    text = stored("receptive_field/real_network_gradient.out")
    for side in re.findall(r"\(边长 (\d+)\)", text):
        assert f"非零像素 {int(side) ** 2} = {side}²" in text
    assert "非零区域是实心方块" in PAGE


def test_resolution_claims() -> None:
    rows = snippet("receptive_field/real_networks")["rows"]
    layers = rows["ResNet-18 layer4"][0]
    downsamplers = [layer for layer in layers if layer[1] == 2]
    assert downsamplers == [(7, 2, 3, 1)] + [(3, 2, 1, 1)] * 4  # conv1, maxpool, 3 convs
    assert f"ResNet-18 的 {len(downsamplers)} 个下采样层" in PAGE
    for x in range(1, 500):
        for kernel, padding in [(7, 3), (3, 1)]:
            assert (x + 2 * padding - kernel) // 2 + 1 == (x - 1) // 2 + 1 == -(-x // 2)
    first = stored("receptive_field/resolution.out").splitlines()[1].split()
    assert "$" + " \\to ".join(dict.fromkeys(first)) + "$" in PAGE  # 224 -> 112 -> ... -> 7
    for name in ["stem", "layer1", "layer2", "layer3", "layer4"]:  # 225: the extra pixel
        field = receptive_fields(rows[f"ResNet-18 {name}"][0], 225)[-1]
        first_in, last_in = field.interval(field.output_size - 1)
        assert first_in >= 0 and 0.45 < (last_in - 224) / field.size < 0.5
    assert "多出的那一行一列，感受野将近一半落在填充里" in PAGE


def test_depth_and_width_claims() -> None:
    text = stored("receptive_field/depth_width.out")
    counts = {
        name: tuple(int(n) for n in numbers)
        for name, *numbers in re.findall(
            r"^(\S+): 卷积 (\d+) \(其中捷径 1×1 (\d+)\), 全连接 (\d+)", text, re.M
        )
    }
    convs, shortcuts, dense = counts["ResNet-18"]
    assert f"主路径上的 {convs - shortcuts} 个卷积层加 {dense} 个全连接层" in PAGE
    assert f"捷径上的 {shortcuts} 个 $1 \\times 1$ 卷积不计入" in PAGE
    assert f"VGG-16 是 {counts['VGG-16'][0]} 个卷积层加 {counts['VGG-16'][2]} 个全连接层" in PAGE
    widths = re.findall(r"通道数 \[(.*?)\]", text)
    assert len(set(widths)) == 1 and f"${widths[0]}$" in PAGE
    with torch.device("meta"):  # halving the side and doubling the channels keeps the MACs
        costs = []
        for channels, side in [(64, 56), (128, 28), (256, 14)]:
            layer = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
            with FlopCounterMode(display=False) as counter:
                layer(torch.zeros(1, channels, side, side))
            costs.append(counter.get_total_flops() // 2)
    assert len(set(costs)) == 1
    lanes = snippet("receptive_field/depth_width")["lanes"]
    float32_bits = torch.finfo(torch.float32).bits
    assert lanes * float32_bits == 256 and "AVX2 的 256 位寄存器装 8 个 float32" in PAGE
    assert "AVX-512 装 16 个" in PAGE and 512 // float32_bits == 2 * lanes


def test_upsampling_claims() -> None:
    """The coordinate rules of both align_corners settings, applied by hand to all 16 outputs."""
    x = snippet("receptive_field/upsampling")["small"]
    assert "$\\begin{pmatrix} 0 & 4 \\\\ 8 & 12 \\end{pmatrix}$" in PAGE

    def by_hand(coordinate) -> torch.Tensor:
        out = torch.zeros(4, 4, dtype=torch.float64)
        for i in range(4):
            for j in range(4):
                r, c = (min(max(coordinate(n), 0.0), 1.0) for n in (i, j))
                top = x[0, 0, 0, 0] * (1 - c) + x[0, 0, 0, 1] * c
                bottom = x[0, 0, 1, 0] * (1 - c) + x[0, 0, 1, 1] * c
                out[i, j] = top * (1 - r) + bottom * r
        return out

    def loose_rule(i: int) -> float:
        return (i + 0.5) / 2 - 0.5

    loose = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)[0, 0]
    tight = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)[0, 0]
    assert torch.allclose(by_hand(loose_rule), loose.double())
    assert torch.allclose(by_hand(lambda i: i * (2 - 1) / (4 - 1)), tight.double())
    assert f"对应输入坐标 $({loose_rule(1)}, {loose_rule(2)})$" in PAGE
    assert "$(i + 0.5)/\\text{scale} - 0.5$" in PAGE and "$i \\cdot (W - 1)/(W' - 1)$" in PAGE
    text = stored("receptive_field/upsampling.out")
    for kernel, padding, extra in [(2, 0, 0), (4, 1, 0), (3, 1, 0), (3, 1, 1)]:
        up = nn.ConvTranspose2d(64, 64, kernel, 2, padding, extra)
        side = up(torch.zeros(1, 64, 7, 7)).shape[-1]
        params = sum(p.numel() for p in up.parameters())
        assert (
            f"K={kernel} S=2 P={padding} output_padding={extra}: 7 -> {side}, 参数 {params:,}"
            in text
        )
    down = nn.Conv2d(1, 1, 3, stride=2, padding=1)
    assert [down(torch.zeros(1, 1, n, n)).shape[-1] for n in (13, 14)] == [7, 7]
    assert "步长 2 的卷积把 13 和 14 都变成 7" in PAGE
    _, indices = F.max_pool2d(torch.arange(25.0).reshape(1, 1, 5, 5), 2, 2, return_indices=True)
    default = nn.MaxUnpool2d(2, 2)(torch.zeros(1, 1, 2, 2), indices * 0).shape[-1]
    lost = [int(i) for i in indices.flatten() if i >= default * default]
    assert f"只能还原出 ${default} \\times {default}$" in PAGE
    assert "放不下编号为 " + "、".join(map(str, lost)) + " 的位置" in PAGE


def test_gap_condition_in_the_prose() -> None:
    """Page: a layer with D·J > R leaves gaps in its interval (a later layer may fill them);
    with D = 1 and K >= S in every layer, D·J <= R holds at every layer."""
    for layers, solid in [([(3, 1, 0, 2)], False), ([(3, 1, 0, 2), (3, 1, 0, 1)], True)]:
        field = receptive_fields(layers)[-1]
        first, last = field.interval(3)
        read = reached(layers, level_sizes(layers, 20), 3)[first : last + 1]
        assert bool(read.all()) == solid and no_gaps(layers) is False
    assert "这一层的区间里就留下缺口（后面的层可能再把它填上）" in PAGE
    rng = np.random.default_rng(4)
    for _ in range(300):
        layers = []
        for _ in range(int(rng.integers(1, 7))):
            kernel = int(rng.integers(1, 6))
            layers.append((kernel, int(rng.integers(1, kernel + 1)), 0, 1))
        assert no_gaps(layers)
        size, jump = 1, 1
        for kernel, stride, _, _ in layers:
            assert jump <= size  # D·J_{l-1} <= R_{l-1}
            size, jump = size + (kernel - 1) * jump, jump * stride
    assert "所有层都是 $D = 1$ 且 $K \\ge S$ 时，每一层都满足 $D_l\\,J_{l-1} \\le R_{l-1}$" in PAGE


def test_exercise_answers_follow_the_calculator() -> None:
    fields = receptive_fields([(7, 2, 3, 1), (3, 2, 1, 1), (3, 1, 1, 1), (3, 1, 1, 1)])
    assert (fields[1].size, fields[1].jump, fields[-1].size) == (11, 4, 27)
    assert receptive_fields([(3, 1, 1, 1), (3, 1, 2, 2), (3, 1, 4, 4)])[-1].size == 15
    assert no_gaps([(3, 1, 1, 1), (3, 1, 2, 2), (3, 1, 4, 4)])
    layers = snippet("receptive_field/real_networks")["rows"]["ResNet-18 layer4"][0]
    sizes = {receptive_fields(layers, side)[-1].size for side in (224, 448)}
    assert sizes == {receptive_fields(layers)[-1].size}  # the field does not depend on the input


def test_the_quoted_test_counts_are_the_tests() -> None:
    """The page's hand-typed counts (hand_numbers) are the numbers of examples the tests draw."""
    text = page_text("receptive-field.md")
    assert f"核对计算器在 {PROPERTY_EXAMPLES} 个随机网络上都分毫不差" in text
    assert f"用 hypothesis 生成 {PROPERTY_EXAMPLES} 个随机网络" in text
    assert f"三种算法在 {FORMULA_EXAMPLES} 个随机层列表上逐层一致" in text
    assert f"随机网络生成器抽取 {STACK_EXAMPLES} 个网络" in text
    assert f"它再抽取 {STACK_EXAMPLES} 个只含卷积的层列表" in text
    counts = {PROPERTY_EXAMPLES, FORMULA_EXAMPLES, STACK_EXAMPLES}
    assert {int(n) for n in hand_numbers("receptive-field.md")} - counts == {224, 256}
