"""Chapter 4 (卷积的变体): the review's findings stay fixed, the exercises, the benchmark's numbers.

Each finding of the December 2026 content review gets a test that would have caught it: one
letter one meaning (B is the batch, never N), the group-conv demo the prose describes is the
layer the snippet builds, MobileNet starts with a standard convolution, the checkerboard caption's
colour words hold in both themes, one wording for dilation.
"""

from __future__ import annotations

import json
import re

import numpy as np
import torch
from matplotlib.colors import to_rgb
from torch import nn
from torchvision import models

from benchmarks.depthwise_latency import LABELS, SHAPES, build_layers, table
from figures import checkerboard
from figures.common import THEMES
from tests.helpers import assert_exercises_answered_by_snippets
from tests.paths import REPO
from tests.variants_common import PAGE, output, variant

MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.DOTALL)
RESULTS = REPO / "benchmarks" / "results"


def paragraph_with(text: str) -> str:
    """The blank-line separated paragraph of the page that contains ``text``."""
    found = [p for p in PAGE.split("\n\n") if text in p]
    assert len(found) == 1, text
    return found[0]


# --- one letter, one meaning (CONVENTIONS.md) -----------------------------------------------------


def test_math_uses_the_books_letters_only() -> None:
    """C_in/C_out for channels, B for the batch, G for groups, D for dilation: the old M, N
    (N was both C_out and the batch), g and d never appear as variables in a formula."""
    formulas = " ".join(MATH.findall(PAGE))
    for old in ("M", "N", "g", "d"):
        assert not re.search(rf"(?<![\\\w]){old}(?!\w)", formulas), old
    assert "$(B, 2 K^2 G_\\text{off}, H', W')$" in PAGE  # batch first, offset groups apart from G


def test_the_deformable_wrapper_names_the_batch_b() -> None:
    deformable_conv = variant("deformable")["deformable_conv"]
    x, w = torch.zeros(2, 4, 8, 8), torch.zeros(6, 4, 3, 3)
    try:
        deformable_conv(x, w, torch.zeros(1, 18, 8, 8), padding=1)
    except ValueError as error:
        assert "(B, 2·3·3·offset_groups, 8, 8)" in str(error) and "B=2" in str(error)
    else:
        raise AssertionError("a batch mismatch must be rejected")


def test_dilation_has_one_wording() -> None:
    """'相邻两个采样点之间隔开 D − 1 个像素' in the table, the section and the summary."""
    wording = "相邻两个采样点之间隔开 $D - 1$ 个像素"
    assert PAGE.count(wording) == 3
    assert "| 空洞卷积 | 相邻两个采样点之间隔开 $D - 1$ 个像素 |" in PAGE
    assert not re.search(r"隔开 \$d|相隔 \$?D\$? 个", PAGE)
    gaps = variant("dilated_conv")["insert_zeros"](torch.ones(3, 3), 3)[0]
    assert gaps.tolist() == [1, 0, 0, 1, 0, 0, 1]  # D = 3: two zeros between taps
    assert "$D = 1$ 就是普通卷积" in PAGE


# --- findings about facts ---------------------------------------------------------------------


def test_the_group_conv_demo_is_the_layer_the_prose_describes() -> None:
    """The review: the text spoke of an 8 → 8 layer while the gradient demo was 8 → 12, G = 4."""
    conv = variant("group_conv")["conv"]
    per_in, per_out = conv.in_channels // conv.groups, conv.out_channels // conv.groups
    text = paragraph_with("输出通道 5 属于第 1 组")
    assert f"${conv.in_channels} \\to {conv.out_channels}$ 通道、$G = {conv.groups}$" in text
    assert f"每组 {per_in} 个输入通道、{per_out} 个输出通道" in text
    group = 5 // per_out
    inputs = "、".join(str(c) for c in range(group * per_in, (group + 1) * per_in))
    assert f"输出通道 5 属于第 {group} 组，只依赖输入通道 {inputs}" in text
    line = f"{conv.in_channels} → {conv.out_channels} 通道，groups={conv.groups}"
    assert line in output("group_conv")


def test_mobilenet_starts_with_a_standard_convolution() -> None:
    """MobileNet V1's first layer is a standard 3×3 conv on RGB (torchvision has V2, which
    starts the same way); the depthwise separable pairs come after it."""
    with torch.device("meta"):
        net = models.mobilenet_v2()
    first = net.features[0][0]
    assert (first.in_channels, first.kernel_size, first.groups) == (3, (3, 3), 1)
    depthwise = net.features[1].conv[0][0]
    assert depthwise.groups == depthwise.in_channels == first.out_channels
    text = paragraph_with("MobileNet V1")
    assert "第一层是普通的 $3 \\times 3$ 标准卷积" in text and "整个网络" not in text


def test_the_checkerboard_caption_colours_hold_in_both_themes() -> None:
    """Small values are blue and large ones orange in both themes; 'brighter = larger' held
    only for the dark figure (in the light one the largest value is the darkest cell)."""
    lightness = {}
    for name, theme in THEMES.items():
        low, high = (
            checkerboard.blend(theme.input, theme.highlight, 0.0),
            checkerboard.blend(theme.input, theme.highlight, 1.0),
        )
        assert np.allclose(low, to_rgb(theme.input)) and np.allclose(high, to_rgb(theme.highlight))
        assert low[2] > low[0] and high[0] > high[2]  # blue-ish, then orange-ish
        lightness[name] = (sum(low), sum(high))
    assert lightness["light"][0] > lightness["light"][1]  # light theme: larger is darker
    assert lightness["dark"][0] < lightness["dark"][1]  # dark theme: larger is brighter
    caption = paragraph_with("figures/checkerboard.py")
    assert "最小值为蓝色，越大越接近橙色" in caption and "越亮" not in caption


def test_the_transposed_output_size_has_a_stable_anchor() -> None:
    """Other chapters link to conv-variants.md#transposed-output-size for the formula."""
    assert PAGE.count("{#transposed-output-size}") == 1
    heading = next(line for line in PAGE.splitlines() if "{#transposed-output-size}" in line)
    assert heading.startswith("### ")
    after = PAGE.split(heading)[1]
    assert after.index("W' = (W - 1)\\,S - 2P") < after.index("\n### ")


# --- exercises ---------------------------------------------------------------------------------


def test_every_exercise_has_a_collapsed_answer_from_a_snippet() -> None:
    assert_exercises_answered_by_snippets(PAGE, "variants")


def test_exercise_answers_follow_from_the_chapters_helpers() -> None:
    """The derivations in the answers use the chapter's formulas; the snippets ran torch."""
    size = variant("transposed_size")["transposed_output_size"]
    up = output("exercise5_transposed_size")
    assert f"16×16 → {size(16, 4, 2, 1)}×{size(16, 4, 2, 1)}" in up
    for extra in (0, 1):
        assert f"output_padding={extra}：边长 {size(16, 3, 2, 1, output_padding=extra)}" in up
    field = variant("dilated_stack")["receptive_field"]
    touched = variant("dilated_stack")["touched_pixels"]
    for dilations in ([2, 4], [1, 3]):
        used = int((touched(dilations) > 0).sum())
        line = f"感受野 {field(dilations)}×{field(dilations)}，用到其中 {used} /"
        assert line in output("exercise7_gridding")
    parameters = variant("group_conv")["group_conv_parameters"]
    assert f"参数 {parameters(64, 128, 3, 4):,}" in output("exercise3_group_shape")


# --- the latency benchmark: one source for the table and the prose ---------------------------


def test_the_benchmark_table_is_rendered_from_its_json() -> None:
    values = json.loads((RESULTS / "depthwise_latency.json").read_text(encoding="utf-8"))
    markdown = (RESULTS / "depthwise_latency.md").read_text(encoding="utf-8")
    assert markdown == table(values).rstrip("\n") + "\n"
    layers = variant("arithmetic_intensity")["layers"]
    for shape, rows in values["shapes"].items():
        channels, size = map(int, shape.split("x"))
        costs = layers(channels, size)
        assert set(rows) == set(LABELS)
        for key, row in rows.items():
            flops, moved = costs[LABELS[key]]
            assert row["flops_per_byte"] == round(flops / moved, 1)
            base = costs[LABELS["standard"]][0]
            assert row["mac_share"] == round(100 * flops / base, 1)


def test_the_benchmark_table_is_included_outside_a_code_fence() -> None:
    include = '--8<-- "benchmarks/results/depthwise_latency.md"'
    assert f"\n{include}\n" in PAGE
    assert PAGE.split(include)[0].count("```") % 2 == 0  # not inside a fenced block
    quoted = re.findall(r'data\("benchmarks/results/depthwise_latency\.json", "([^"]+)"', PAGE)
    values = json.loads((RESULTS / "depthwise_latency.json").read_text(encoding="utf-8"))
    for key in quoted:
        shapes, shape, layer, field = key.split("/")
        assert field in values[shapes][shape][layer]


def test_the_benchmark_layers_are_the_snippets() -> None:
    assert variant("arithmetic_intensity")["SHAPES"] == SHAPES
    layers = build_layers(8)
    assert set(layers) == set(LABELS)
    assert layers["depthwise"].groups == 8 and layers["pointwise"].kernel_size == (1, 1)
    assert isinstance(layers["separable"], nn.Sequential)
