"""Chapter 2 (卷积的计算): what the prose claims, checked against the snippets, torch and the
committed benchmark table. Numbers the prose quotes through macros are not checked here (the
macro and tests/test_snippets.py do that); arithmetic in formulas is checked by
tests/test_page_arithmetic.py."""

from __future__ import annotations

import re
import warnings

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from benchmarks.common import RESULTS_DIR
from figures import conv_stride_padding, output_size_diagram
from tests.helpers import hand_numbers, page, page_text, snippet, stored
from tests.properties import EXAMPLES

PAGE = "conv-arithmetic.md"
CONV = snippet("arithmetic/conv_output_size")
POOL = snippet("arithmetic/pool_output_size")
COUNTER = snippet("arithmetic/cost_counter")


def text() -> str:
    return page(PAGE)


# --- review findings --------------------------------------------------------------------------


def test_explicit_padding_counts_in_the_average_by_default() -> None:
    """Review finding: average pooling with explicit padding divides by the whole window
    (count_include_pad=True), padded zeros included; only ceil_mode's overhang is not counted."""
    generator = torch.Generator().manual_seed(0)
    for _ in range(20):
        x = torch.rand(1, 1, 6, 7, generator=generator) + 0.5
        counted = F.avg_pool2d(x, 2, 2, padding=1)
        assert counted[0, 0, 0, 0] == x[0, 0, 0, 0] / 4
        ignored = F.avg_pool2d(x, 2, 2, padding=1, count_include_pad=False)
        assert ignored[0, 0, 0, 0] == x[0, 0, 0, 0]
    out = stored("arithmetic/pool_output_size.out")
    assert "填充的 0 也算 0.25，count_include_pad=False 时 1.0" in out
    assert "`count_include_pad=True`，填充的 0 也算进分母" in text()


def test_uneven_padding_is_only_beyond_integer_padding() -> None:
    """Review finding: the page said nn.Conv2d cannot pad two sides unequally, yet
    padding='same' does exactly that. Integer padding cannot; 'same' can."""
    torch.manual_seed(0)
    layer = nn.Conv2d(1, 1, kernel_size=4, padding="same", bias=False)
    x = torch.randn(1, 1, 9, 9)
    uneven = F.conv2d(F.pad(x, (1, 2, 1, 2)), layer.weight)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the note about a zero-padded copy
        assert torch.allclose(layer(x), uneven, atol=1e-5)
    for padding in range(3):
        even = F.conv2d(F.pad(x, (padding,) * 4), layer.weight)
        assert even.shape[-1] != x.shape[-1] or not torch.allclose(even, uneven, atol=1e-6)
    assert "整数形式的 `padding` 表达不了" in text() and "`nn.Conv2d` 表达不了" not in text()


def test_the_two_meanings_of_mac() -> None:
    """ShuffleNet V2's MAC is memory access: equal MACs, memory access several times apart.
    The snippet's count agrees with the chapter's cost counter (input + output + weights)."""
    results = snippet("arithmetic/memory_access_cost")["results"]
    assert len({macs for macs, _ in results.values()}) == 1
    for (c_in, c_out), (macs, memory) in results.items():
        conv = nn.Conv2d(c_in, c_out, 1, bias=False)
        (cost,) = COUNTER["count_costs"](nn.Sequential(conv), torch.zeros(1, c_in, 56, 56))
        assert (cost.macs, cost.memory_elements) == (macs, memory)
    equal = [memory for (c_in, c_out), (_, memory) in results.items() if c_in == c_out]
    assert equal == [min(memory for _, memory in results.values())]
    assert "memory access cost" in text() and "本书只在乘加的意义上用 MAC" in text()


def test_dilation_is_worded_as_the_book_does() -> None:
    """Review finding: 'D pixels apart' here, 'd - 1 pixels between' elsewhere. One wording."""
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(1, 1, 12, 12, generator=generator)
    kernel = torch.randn(1, 1, 3, 3, generator=generator)
    for dilation in (1, 2, 3):
        sparse = torch.zeros(1, 1, dilation * 2 + 1, dilation * 2 + 1)
        sparse[..., ::dilation, ::dilation] = kernel  # D - 1 zeros between two taps
        between = sparse[0, 0, 0, 1:dilation]
        assert int((between == 0).sum()) == dilation - 1
        dilated = F.conv2d(x, kernel, dilation=dilation)
        assert torch.allclose(dilated, F.conv2d(x, sparse), atol=1e-5)
    assert "中间隔开 $D - 1$ 个像素" in text() and "相隔 $D$ 个像素" not in text()


def test_summary_speed_claim_reads_the_committed_table() -> None:
    """Review finding: 'hundreds of times or more' while the 5x5 row was about 170 times. The
    summary now says more than a hundred times; the committed table must bear it out."""
    table = (RESULTS_DIR / "conv_speed.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| .+? \| ([\d.]+) \| ([\d.]+) \| [\d.]+ \|", table, re.M)
    assert len(rows) == 5
    assert min(float(loops) / float(im2col) for loops, im2col in rows) >= 100
    assert "比逐位置循环快一百倍以上" in text() and "几百倍以上" not in text()


def test_benchmark_table_supports_the_prose() -> None:
    """Page: loops are hundreds to thousands of times slower than F.conv2d, im2col a few times."""
    table = (RESULTS_DIR / "conv_speed.md").read_text(encoding="utf-8")
    ratios = re.findall(r"\| ([\d,]+) 倍 \| ([\d.]+) 倍 \|", table)
    assert len(ratios) == 5
    for loops, im2col in ratios:
        assert 100 <= float(loops.replace(",", "")) < 10_000
        assert float(im2col) < 10
    assert "逐位置循环比 `F.conv2d` 慢几百到几千倍" in text() and "缩小到几倍以内" in text()
    assert '--8<-- "benchmarks/results/conv_speed.md"' in text()


# --- the rest of the prose ---------------------------------------------------------------------


def test_output_size_diagram_claims() -> None:
    first, second = (output_size_diagram.strip_numbers(c) for c in output_size_diagram.CONFIGS)
    width = output_size_diagram.CONFIGS[0].width
    assert first["unused"] == [width, width + 1]  # x8 and the right padding cell
    assert "余下的 2 格（真实像素 `x8` 和右侧的填充）" in text()
    config = output_size_diagram.CONFIGS[1]
    assert second["output_size"] == 5 and config.dilation == 3
    assert second["taps"][0][-1] - second["taps"][0][0] + 1 == 7  # each window spans 7 cells
    real = set(range(config.padding, config.padding + config.width))
    assert real <= {tap for window in second["taps"] for tap in window}  # all 10 real pixels
    assert all(cell not in real for cell in second["unused"]) and len(second["unused"]) == 3
    claim = (
        "下面一种空洞率为 3，每个窗口跨越 7 格，5 个窗口读遍了全部 10 个真实像素，只漏掉三个填充格"
    )
    assert claim in text()


def test_conv_gif_claims() -> None:
    """Page: a 5x5 input, 3x3 kernel, padding 1, stride 2; 9 products a frame; the top-left
    window holds 5 padding cells and 4 real pixels."""
    image, kernel = conv_stride_padding.example_tensors()
    assert tuple(image.shape[-2:]) == (5, 5) and tuple(kernel.shape[-2:]) == (3, 3)
    frames = conv_stride_padding.frame_numbers()
    assert all(len(frame["products"]) == kernel[0, 0].numel() for frame in frames)
    assert [frame["corner"][1] for frame in frames[:2]] == [0, 2]
    first = frames[0]
    real = F.pad(torch.ones(5, 5), (1, 1, 1, 1))[:3, :3]
    assert int(real.sum()) == 4 and len(first["products"]) - int(real.sum()) == 5
    assert "$5 \\times 5$ 的输入，$3 \\times 3$ 的卷积核，每侧填充 1，步长 2" in text()
    assert "每一步跳过 2 格，这就是步长 2" in text() and "逐元素相乘的 9 个积" in text()
    assert "有 5 个格子落在填充里，只有 4 个真实像素" in text()


def test_property_test_sizes_are_the_ones_quoted() -> None:
    """The page's hand-typed counts (hand_numbers) are EXAMPLES of tests/properties.py: the two
    Python calculators' properties, and the calculator widget's replay of all three."""
    conv, pool, transposed = EXAMPLES["conv"], EXAMPLES["pool"], EXAMPLES["transposed"]
    assert conv == pool
    assert f"卷积、池化各 {conv:,} 组配置，共 {conv + pool:,} 组" in text()
    total = sum(EXAMPLES.values())
    replayed = f"卷积 {conv:,} 组、池化 {pool:,} 组、转置卷积 {transposed:,} 组，共 {total:,} 组"
    assert replayed in page_text(PAGE)
    counts = {f"{n:,}" for n in [conv, pool, transposed, conv + pool, total]}
    assert set(hand_numbers(PAGE)) == counts  # every hand-typed number is one of these counts


def test_ceil_mode_example_in_the_prose() -> None:
    """W=5, K=2, S=2, P=1: ceil gives 4 windows, the 4th starts at 6 = W + P, so 3 remain."""
    room = 5 + 2 * 1 - 2
    windows = -(-room // 2) + 1
    assert windows == 4 and (windows - 1) * 2 == 5 + 1
    assert POOL["pool_output_size"](5, 2, 2, 1, ceil_mode=True) == 3
    assert F.max_pool2d(torch.zeros(1, 1, 5, 5), 2, 2, 1, ceil_mode=True).shape[-1] == 3
    assert "向上取整得 4 个窗口" in text() and "只剩 3 个" in text()
    fifth_row = stored("arithmetic/pool_output_size.out").splitlines()[5].split()
    assert fifth_row[:6] == ["5", "2", "2", "1", "1", "True"] and fifth_row[7] == "3"


def test_partial_pooling_window_claims() -> None:
    """Page: 5x5 with 2x2 / stride 2 and ceil_mode gives 3x3 (flooring gives 2x2); the
    bottom-right window covers only the pixel 8, so the average is 8."""
    image = POOL["image"]
    assert POOL["pool_output_size"](5, 2, 2, 0, ceil_mode=True) == 3
    assert POOL["pool_output_size"](5, 2, 2, 0, ceil_mode=False) == 2
    average = F.avg_pool2d(image, 2, 2, ceil_mode=True)[0, 0, 2, 2]
    assert average == image[0, 0, 4, 4] and int(average) == 8
    assert "得到 $3 \\times 3$ 的输出（向下取整只有 $2 \\times 2$）" in text()
    assert "右下角的窗口只盖住一个像素 8，\n平均值就是 8" in text()


def test_same_padding_claims() -> None:
    rows = {}
    for line in stored("arithmetic/same_padding.out").splitlines()[1:9]:
        left, right = line.split("|")
        k, d, total, before, after = (int(v) for v in left.split())
        rows[(k, d)] = (total, before, after, int(right))
    for (k, d), (total, before, after, with_half) in rows.items():
        assert total == d * (k - 1) and before == total // 2 and after == total - before
        if d == 1 and k % 2 == 1:
            assert before == after == k // 2 and with_half == 8
        elif d == 1:
            assert with_half == 8 + 1  # one more than the input
        else:
            assert with_half < 8
    assert rows[(2, 1)][1:3] == (0, 1) and rows[(4, 1)][1:3] == (1, 2)
    assert rows[(4, 2)][:3] == (6, 3, 3)
    assert "$K = 2$ 时左 0 右 1，$K = 4$ 时左 1 右 2" in text() and "总填充为 6，两侧各 3" in text()
    assert "输出会比输入多 1" in text()
    for w in range(1, 60):  # odd K with P = K // 2 and stride S gives ceil(W / S)
        for s in range(1, 5):
            for k in (1, 3, 5):
                assert CONV["conv_output_size"](w, k, s, k // 2) == -(-w // s)
    assert "步长 2 时 32 变成 16、33 变成 17" in text()


def test_common_choices_claims() -> None:
    table = stored("arithmetic/common_choices.out")
    assert "| 卷积 | 3×3 / 2 / 1 | 16 | 17 |" in table
    assert "| 最大池化 | 2×2 / 2 / 0 | 16 | 16 |" in table
    assert "输入为 33 时是 16，而步长 2 的 $3 \\times 3$ 卷积得到 17" in text()
    ratio = stored("receptive_field/stacked_3x3.out")
    assert "参数之比 0.720 = 18/25" in ratio and "$2 \\cdot 9 = 18$ 对 $25$" in text()


def test_padding_modes_claims() -> None:
    """Page: the row [1, 2, 3, 4] padded by 2 per side; reflect pads at most W - 1 per side."""
    lines = stored("arithmetic/padding_modes.out").splitlines()
    row = torch.tensor([[[1.0, 2, 3, 4]]])
    assert lines[0] == f"zeros     {F.pad(row, (2, 2))[0, 0].int().tolist()}"
    width = row.shape[-1]
    assert F.pad(row, (width - 1,) * 2, mode="reflect").shape[-1] == 3 * width - 2
    with pytest.raises(RuntimeError):
        F.pad(row, (width, width), mode="reflect")
    assert lines[-1].startswith("reflect, P=4, W=4: ") and "Padding size" in lines[-1]
    assert "在一行 $[1, 2, 3, 4]$ 两侧各补 2 个" in text()
    assert "每侧最多补 $W - 1$ 个（输出最后两行）" in text()


def test_intensity_claims() -> None:
    """Page: convolutions do ten-odd FLOPs per byte; BN 2 FLOPs per 4 + 4 bytes; the linear
    layer runs at batch size 1."""
    table = stored("arithmetic/cost_counter.out").splitlines()
    conv = [float(line.split()[-1]) for line in table if "Conv2d" in line]
    assert len(conv) == 2 and all(10 <= i < 20 for i in conv)
    element = torch.zeros(1).element_size()
    bn = [float(line.split()[-1]) for line in table if "BatchNorm2d" in line]
    assert max(bn) == 2 / (2 * element)
    assert COUNTER["example"].shape[0] == 1
    assert "十几次浮点运算" in text() and "每个元素读 4 字节、写 4 字节，只做 2 次运算" in text()
    assert "批大小为 1 的全连接层" in text()


def test_cost_table_follows_the_mac_formulas() -> None:
    """Page: C_in K_h K_w / G MACs per conv output, C_in per fc output, 1 per BN element."""
    macs = {}
    for line in stored("arithmetic/cost_counter.out").splitlines()[1:6]:
        index, kind, value = line.split()[:3]
        macs[kind + index] = int(value.replace(",", ""))
    model = COUNTER["model"]
    assert macs["Conv2d0"] == 32 * 32 * model[0].out_channels * 3 * 3 * 3
    assert macs["BatchNorm2d1"] == 32 * 32 * model[1].num_features
    assert macs["Conv2d4"] == 8 * 8 * model[4].out_channels * (32 // model[4].groups) * 9
    assert macs["BatchNorm2d5"] == 8 * 8 * model[5].num_features
    assert macs["Linear8"] == model[8].in_features * model[8].out_features
    assert "有 $C_\\text{in} K_h K_w / G$ 次乘加" in text() and "每个元素 1 次" in text()


def test_bottleneck_and_architecture_facts() -> None:
    """ResNet-50's 256-64-64-256 bottleneck, its stem, GoogLeNet's 1x1 reductions, read from
    torchvision; both outputs 56x56, so MACs keep the parameter ratio."""
    from torchvision import models

    with warnings.catch_warnings(), torch.device("meta"):
        warnings.simplefilter("ignore")
        resnet50 = models.resnet50()
        googlenet = models.googlenet(aux_logits=False, init_weights=False)
    block = resnet50.layer1[1]
    channels = [block.conv1.in_channels, block.conv1.out_channels, block.conv2.out_channels]
    assert [*channels, block.conv3.out_channels] == [256, 64, 64, 256]
    assert block.conv1.kernel_size == block.conv3.kernel_size == (1, 1)
    conv1, pool = resnet50.conv1, resnet50.maxpool
    assert conv1.bias is None and (conv1.kernel_size, conv1.stride, conv1.padding) == (
        (7, 7),
        (2, 2),
        (3, 3),
    )
    assert (pool.kernel_size, pool.stride, pool.padding) == (3, 2, 1)
    for branch in (googlenet.inception3a.branch2, googlenet.inception3a.branch3):
        reduce = branch[0].conv
        assert reduce.kernel_size == (1, 1) and reduce.out_channels < reduce.in_channels
    example = snippet("arithmetic/pointwise_conv")
    plain, neck = example["plain"], example["bottleneck"]
    feature = example["feature"]
    ratio = example["parameters"](plain) / example["parameters"](neck)
    assert example["macs"](plain, feature) / example["macs"](neck, feature) == ratio
    table = stored("arithmetic/common_choices.out")
    assert "| 卷积 | 7×7 / 2 / 3 | 16 | 17 | 3,144 | ResNet 的第一层 |" in table
    assert "先把 $256$ 个通道降到 $64$" in text() and "MACs 是同样的比例" in text()
    assert "NiN 还用全局平均池化代替了最后的全连接层" in text()


def test_im2col_shape_and_memory_claims() -> None:
    """Page: columns are C_in K_h K_w x H'W'; each pixel lands in about K_h K_w / (S_h S_w)
    columns, exactly K_h K_w for stride 1 with 'same' padding."""
    example = snippet("arithmetic/im2col")
    x, columns = example["x"], example["columns"]
    out = example["ours"]
    assert columns.shape == (x.shape[0] * 3 * 2, out.shape[1] * out.shape[2])
    for kernel, stride in [((3, 3), (1, 1)), ((3, 3), (2, 2)), ((5, 5), (1, 1))]:
        padding = (kernel[0] // 2, kernel[1] // 2)
        image = torch.zeros(2, 64, 64).numpy()
        cols = example["im2col"](image, kernel, stride=stride, padding=padding)
        assert cols.size / image.size == kernel[0] * kernel[1] / (stride[0] * stride[1])
    assert "$X_\\text{col}$（形状 $C_\\text{in} K_h K_w \\times H'W'$）" in text()
    assert "约\n$K_h K_w / (S_h S_w)$ 列里，$3 \\times 3$、步长 1、填充 1 时正好" in text()


def test_exercise_answers_follow_the_formulas() -> None:
    """The exercises' numbers come from the snippet; the reasoning in the answers is checked
    here against the chapter's own calculators."""
    assert CONV["conv_output_size"](224, 11, 4) == 54 and CONV["conv_output_size"](227, 11, 4) == 55
    assert CONV["conv_output_size"](224, 11, 4, 2) == 55
    assert POOL["pool_output_size"](6, 3, 2) == 2
    assert POOL["pool_output_size"](6, 3, 2, 0, 1, True) == 3
    parameters = snippet("arithmetic/parameter_count")["conv_parameters"]
    assert parameters(64, 128, 3, 3, 4) == 128 * 16 * 9 + 128
    out = stored("arithmetic/exercises.out")
    assert f"groups=4 时参数 {parameters(64, 128, 3, 3, 4):,} 个" in out
