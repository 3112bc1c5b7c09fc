"""Chapter 4 (卷积的变体): the numbers, shapes and formulas the prose states."""

from __future__ import annotations

import itertools
import math
import re
from fractions import Fraction

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from figures import (
    deformable_sampling,
    dilated_conv,
    gridding,
)
from tests.variants_common import PAGE, macs, output, variant

# --- statements the prose makes about the stored outputs ------------------------------------------


# (snippet, text of its stored output, the page's statement about it). Numbers are quoted through
# macros (hooks/macros.py); these are the words around them that the outputs must bear out.
STATED = [
    ("separable_rank", "Sobel 3×3：秩 1", "Sobel、均值和高斯卷积核都能分离"),
    ("separable_rank", "均值 3×3：秩 1", "Sobel、均值和高斯卷积核都能分离"),
    ("separable_rank", "高斯(二项式) 5×5：秩 1", "Sobel、均值和高斯卷积核都能分离"),
    ("separable_rank", "拉普拉斯 3×3：秩 2", "拉普拉斯卷积核的秩是 2"),
    ("separable_rank", "随机 3×3：秩 3", "随机的 $3 \\times 3$ 卷积核秩为 3"),
    ("depthwise_pointwise", "深度卷积的权重: (3, 1, 3, 3)", "3 个 $3 \\times 3$ 深度卷积核"),
    (
        "depthwise_pointwise",
        "逐点卷积的权重: (2, 3, 1, 1)",
        "一个 $2 \\times 3$ 的逐点卷积得到 2 个输出通道",
    ),
    (
        "group_conv",
        "8 → 8 通道，groups=1：参数 576，权重形状 (8, 8, 3, 3)",
        "$8 \\to 8$ 的 $3 \\times 3$ 卷积",
    ),
    ("group_conv", "groups=8 就是深度卷积: True", "时每组只有一个通道，就是深度卷积"),
    (
        "group_conv",
        "输出通道  5（第 1 组）依赖的输入通道: [2, 3]",
        "输出通道 5 属于第 1 组，只依赖输入通道 2、3",
    ),
    (
        "dilated_conv",
        "dilation=2: 等效尺寸 5×5，仍只有 9 个参数",
        "卷积核等效于 $5 \\times 5$，输出是 $7 - 5 + 1 = 3$ 行 3 列",
    ),
    (
        "dilated_stack",
        "空洞率 [1, 2, 3]：感受野 13×13，用到其中 169 / 169",
        "例如 1、2、3 或 1、2、5",
    ),
    (
        "dilated_stack",
        "空洞率 [1, 2, 5]：感受野 17×17，用到其中 289 / 289",
        "例如 1、2、3 或 1、2、5",
    ),
    ("dilated_stack", "空洞率 [2, 2, 2]：感受野 13×13", "感受野 $13 \\times 13$ 里只有"),
    ("transposed_size", "卷积 8 → 4", "把长度 7 和 8 都变成 4"),
    ("transposed_size", "卷积 7 → 4", "把长度 7 和 8 都变成 4"),
    (
        "transposed_as_conv",
        "S=2 P=5 D=1 output_padding=0 K=3",
        "最后一组参数 $P = 5 > D(K - 1) = 2$",
    ),
    ("transposed_adjoint", "卷积矩阵 (48, 98)", "$A$ 是 $48 \\times 98$ 的矩阵"),
    ("transposed_adjoint", "AᵀA 的秩 = 48 < 98", "$A^\\top A$ 的秩是 48"),
    ("checkerboard", "k3s2        第 3 行的覆盖次数: [2, 4, 2, 4,", "1、2、4 交错的格子"),
    (
        "checkerboard",
        "k4s2        第 3 行的覆盖次数: [2, 4, 4, 4, 4, 4, 4, 2]",
        "内部每个像素都被同样多份覆盖",
    ),
    ("checkerboard", "k4s2        随机权重，内部 6×6 中不同取值的个数: 4", "内部有 4 种不同的值"),
    ("channel_shuffle", "混洗后：144 对（输出通道，输入通道）中 144 对相连", "对全部相连"),
    ("deformable", "offset: (1, 18, 8, 8)", "`offset` 的形状是 $(B, 2 K^2 G_\\text{off}, H', W')$"),
    (
        "deformable",
        "2 个偏移组: offset (1, 36, 8, 8)",
        "`offset` 的形状是 $(B, 2 K^2 G_\\text{off}, H', W')$",
    ),
    ("deformable", "mask (1, 18, 8, 8)", "`mask` 的形状是 $(B, K^2 G_\\text{off}, H', W')$"),
]


@pytest.mark.parametrize(("name", "output_text", "page_text"), STATED)
def test_prose_statements_match_the_stored_outputs(
    name: str, output_text: str, page_text: str
) -> None:
    assert output_text in output(name)
    assert page_text in PAGE


def test_prose_formulas_match_the_snippets() -> None:
    # 2K/K² = 2/K for every K the snippet lists
    for k in (3, 5, 7, 11):
        assert f"K={k}：K² = {k * k}，2K = {2 * k}，比值 2K/K² = {2 / k:.3f}" in output(
            "spatial_separable"
        )
    # depthwise intensity ≈ 2·9 / (2·4) FLOPs per byte, for every shape of the snippet
    example = variant("arithmetic_intensity")
    intensities = {
        f"{f / b:.1f}" for f, b in (example["layers"](*s)["深度 3×3"] for s in example["SHAPES"])
    }
    assert len(intensities) == 1 and f"都是 {intensities.pop()} FLOPs/字节" in output(
        "arithmetic_intensity"
    )
    # effective kernel size D(K-1)+1 against torch's output shape
    for d in range(1, 5):
        out = F.conv2d(torch.zeros(1, 1, 12, 12), torch.zeros(1, 1, 3, 3), dilation=d)
        assert out.shape[-1] == 12 - (d * (3 - 1) + 1) + 1


def test_prose_numbers_computed_from_the_snippets() -> None:
    """Small numbers the prose types (below the macro threshold) that follow from the snippets."""
    # the Sobel matrix written out in LaTeX is the snippet's outer product: 9 numbers from 3 + 3
    example = variant("spatial_separable")
    sobel = example["sobel"].int().tolist()
    rows = " \\\\ ".join(" & ".join(str(v) for v in row) for row in sobel)
    assert f"\\begin{{pmatrix}} {rows} \\end{{pmatrix}}" in PAGE
    assert str(sobel) in output("spatial_separable")
    assert example["sobel"].numel() == 9
    assert example["smooth"].numel() + example["difference"].numel() == 6
    assert "看起来是 9 个数，其实只由 6 个数决定" in PAGE
    assert tuple(example["image"].shape[-2:]) == (32, 32)
    assert "中间结果仍是 $32 \\times 32$" in PAGE
    # the worked depthwise example: 3 channels of 4×4 in, 2 channels out
    example = variant("depthwise_pointwise")
    assert tuple(example["x"].shape) == (1, 3, 4, 4) and tuple(example["mixed"].shape[:2]) == (1, 2)
    assert "3 个通道的 $4 \\times 4$ 输入" in PAGE
    # arithmetic intensity: 9 MACs = 18 FLOPs against 2 float32 values = 8 bytes
    example = variant("arithmetic_intensity")
    assert example["BYTES_PER_FLOAT32"] == torch.float32.itemsize
    flops, moved = example["layers"](128, 56)["深度 3×3"]
    pixels = 128 * 56 * 56  # one output element per input element, 9 MACs each
    assert flops == 2 * 9 * pixels and "（18 FLOPs）" in PAGE
    assert moved == 2 * torch.float32.itemsize * pixels + 4 * 9 * 128 and "（8 字节）" in PAGE
    assert f"float32 每个数 {torch.float32.itemsize} 字节" in PAGE
    for shape in example["SHAPES"]:
        costs = example["layers"](*shape)
        ratio = (costs["标准 3×3"][0] / costs["标准 3×3"][1]) / (
            costs["深度 3×3"][0] / costs["深度 3×3"][1]
        )
        assert ratio > 10 and round(math.log10(ratio)) in (1, 2)  # 一到两个数量级
    assert "强度高出一到两个数量级" in PAGE
    # G = 2, 4, 8 halve the parameters each time; the weight shape is (C_out, C_in/G, K, K)
    out = output("group_conv")
    counts = [int(c) for c in re.findall(r"8 → 8 通道，groups=\d+：参数 (\d+)", out)]
    assert len(counts) == 4 and all(a == 2 * b for a, b in itertools.pairwise(counts))
    for g in (1, 2, 4, 8):
        shape = tuple(nn.Conv2d(8, 8, 3, groups=g, bias=False).weight.shape)
        assert (
            shape == (8, 8 // g, 3, 3)
            and f"groups={g}：参数 {8 * 8 * 9 // g}，权重形状 {shape}" in out
        )
    assert "$G$ 每翻一倍，参数量减半" in PAGE
    assert "$(C_\\text{out}, C_\\text{in}/G, K, K)$" in PAGE
    # channel shuffle: every group of the next layer gets channels from all 3 groups
    sources = re.findall(r"来自原来的组 \[([\d, ]+)\]", output("channel_shuffle"))
    assert len(sources) == 3 and all(set(s.split(", ")) == {"0", "1", "2"} for s in sources)
    assert "下一层的每一组都收到了上一层 3 个组的通道" in PAGE
    # the dilated example: a 7×7 input, 3×3 output, 9 pixels read per output
    example = variant("dilated_conv")
    assert tuple(example["image"].shape) == (7, 7)
    assert tuple(example["out"].shape[-2:]) == (3, 3) == (7 - (2 * (3 - 1) + 1) + 1,) * 2
    assert all(len(f["sampled"]) == 9 for f in dilated_conv.frame_numbers())
    assert "$7 \\times 7$ 的输入上" in PAGE and "实际读取的 9 个像素" in PAGE
    # the scatter example: 4 inputs, 5×5 output, all 4 inputs reach the centre (2, 2)
    example = variant("transposed_as_conv")
    assert example["x"].numel() == 4 and tuple(example["by_torch"].shape) == (5, 5)
    reach = [
        (i, j) for i in range(2) for j in range(2) if 0 <= 2 - 2 * i < 3 and 0 <= 2 - 2 * j < 3
    ]
    assert len(reach) == example["x"].numel() and "中心 $(2, 2)$ 处 4 个输入元素都有贡献" in PAGE
    assert "逐个累加 4 个输入元素" in PAGE and "同一个 $5 \\times 5$ 输出" in PAGE
    # the adjoint example: 2×7×7 in, 3×4×4 out
    example = variant("transposed_adjoint")
    assert example["x"].numel() == 2 * 7 * 7 and "$2 \\times 7 \\times 7 = 98$" in PAGE
    assert example["y"].numel() == 3 * 4 * 4 and "$3 \\times 4 \\times 4 = 48$" in PAGE
    # deformable: offset has 2·K²·G_off channels and mask K²·G_off, for G_off = 1 and 2
    out = output("deformable")
    assert f"offset: (1, {2 * 9 * 1}, 8, 8)" in out
    assert f"offset (1, {2 * 9 * 2}, 8, 8)  mask (1, {9 * 2}, 8, 8)" in out
    # the deformable figure: 3 output positions, 9 sampling points each
    points = deformable_sampling.frame_numbers()
    assert len(points) == 3 and all(len(e["sampled"]) == 9 for e in points)
    assert "三个输出位置上" in PAGE and "9 个采样点被移到" in PAGE


def test_with_bias_standard_gains_n_and_separable_m_plus_n() -> None:
    pairs = variant("separable_cost")["standard_and_separable"]
    count = variant("separable_cost")["parameters"]
    for m, n, k in [(128, 128, 3), (32, 64, 3), (96, 24, 5)]:
        plain = [count(module) for module in pairs(m, n, k, bias=False)]
        biased = [count(module) for module in pairs(m, n, k, bias=True)]
        assert biased[0] - plain[0] == n and biased[1] - plain[1] == m + n
    standard, separable = pairs(128, 128, 3, bias=True)
    line = f"= {count(separable):,} / {count(standard):,}（128→128, 3×3）"
    assert line in output("separable_cost")
    c_in, c_out = "C_\\text{in}", "C_\\text{out}"
    assert f"带偏置时标准卷积多 ${c_out}$ 个参数，深度可分离卷积多 ${c_in} + {c_out}$ 个" in PAGE
    # C_out in the hundreds: 1/C_out + 1/9 is within 1/C_out of 1/9 (512 → 512)
    ratio = Fraction(
        count(pairs(512, 512, 3, bias=False)[1]), count(pairs(512, 512, 3, bias=False)[0])
    )
    assert ratio - Fraction(1, 9) == Fraction(1, 512)
    assert f"比值 {ratio}" in output("separable_cost") and "比值接近 $1/9$" in PAGE


def test_rank_rho_kernel_costs_2k_rho_macs() -> None:
    """The prose: a rank-ρ kernel is a sum of ρ rank-1 kernels, 2Kρ MACs per output pixel."""
    k, size = 3, 10
    kernel = torch.randn(k, k, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    u, s, vh = torch.linalg.svd(kernel)
    rho = int(torch.linalg.matrix_rank(kernel))
    assert rho == 3  # a random 3×3 kernel, as the snippet's
    x = torch.randn(
        1, 1, size, size, dtype=torch.float64, generator=torch.Generator().manual_seed(1)
    )

    def pairs() -> torch.Tensor:
        total = torch.zeros(1, 1, size - k + 1, size - k + 1, dtype=torch.float64)
        for i in range(rho):
            c, r = u[:, i] * s[i].sqrt(), vh[i] * s[i].sqrt()
            total = total + F.conv2d(F.conv2d(x, c.view(1, 1, k, 1)), r.view(1, 1, 1, k))
        return total

    assert torch.allclose(pairs(), F.conv2d(x, kernel.view(1, 1, k, k)), atol=1e-10)
    padded = torch.zeros(1, 1, size, size)
    counted = macs(
        lambda: [
            F.conv2d(
                F.conv2d(padded, torch.zeros(1, 1, k, 1), padding=(1, 0)),
                torch.zeros(1, 1, 1, k),
                padding=(0, 1),
            )
            for _ in range(rho)
        ]
    )
    assert counted == 2 * k * rho * size * size > k * k * size * size  # 拆开反而更贵
    assert "代价是 $2K\\rho$ 次乘加" in PAGE and "拆开反而更贵" in PAGE


def test_depthwise_im2col_is_a_vector_times_a_matrix() -> None:
    """The prose: per channel, a 1×K² vector times a K²×H'W' matrix."""
    k, size, channels = 3, 6, 4
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(1, channels, size, size, generator=generator)
    w = torch.randn(channels, 1, k, k, generator=generator)
    y = F.conv2d(x, w, groups=channels)
    out = size - k + 1
    for c in range(channels):
        columns = F.unfold(x[:, c : c + 1], k)[0]
        assert columns.shape == (k * k, out * out)
        assert torch.allclose(w[c].view(1, k * k) @ columns, y[0, c].view(1, -1), atol=1e-5)
    assert "$1 \\times K^2$ 的向量乘 $K^2 \\times H'W'$ 的矩阵" in PAGE


def test_depthwise_with_c_out_a_multiple_of_c_in_gives_a_kernel_share_per_input() -> None:
    m, n, k = 3, 6, 3
    conv = nn.Conv2d(m, n, k, groups=m, bias=False)
    assert conv.weight.shape == (n, 1, k, k)
    x = torch.zeros(1, m, 5, 5, requires_grad=True)
    kernels = [0] * m
    for o in range(n):
        (grad,) = torch.autograd.grad(conv(x)[0, o].sum(), x)
        used = [c for c in range(m) if grad[0, c].abs().sum() > 0]
        assert len(used) == 1
        kernels[used[0]] += 1
    assert kernels == [n // m] * m
    assert "每个输入通道配 $C_\\text{out}/C_\\text{in}$ 个卷积核" in PAGE


def test_gridding_offsets_are_sums_of_d_times_t() -> None:
    """The prose: the offsets an output sees are Σ D_l t_l, t_l ∈ {-1, 0, 1}."""
    touched = variant("dilated_stack")["touched_pixels"]
    out = output("dilated_stack")
    for dilations in ([1, 1, 1], [1, 2, 4], [2, 2, 2], [1, 2, 3], [1, 2, 5], [1, 5]):
        offsets = {0}
        for d in dilations:
            offsets = {o + d * t for o in offsets for t in (-1, 0, 1)}
        used = (touched(dilations) > 0).nonzero().tolist()
        centre = sum(dilations)
        assert {r - centre for r, _ in used} == offsets == {c - centre for _, c in used}
        assert f"空洞率 {dilations}：" in out and f"用到其中 {len(offsets) ** 2} /" in out
    gridded = touched([2, 2, 2]) > 0
    assert not gridded[1::2].any() and not gridded[:, 1::2].any()
    assert "每一层的采样点都落在偶数偏移上" in PAGE and "奇数行、奇数列从来读不到" in PAGE
    panels = gridding.frame_numbers()
    assert [p["dilations"] for p in panels] == [[2, 2, 2], [1, 2, 3]]
    field = len(panels[1]["paths"]) ** 2
    assert panels[0]["used"] < field == panels[1]["used"]
    assert "空洞率 2, 2, 2 漏掉奇数行和奇数列，1, 2, 3 用满整个感受野" in PAGE


def test_checkerboard_phases_shift_with_padding() -> None:
    """The prose: output (i, j) meets kernel rows ≡ i + P, columns ≡ j + P (mod S)."""
    stride, k = 2, 4
    generator = torch.Generator().manual_seed(2)
    weight = torch.randn(1, 1, k, k, generator=generator, dtype=torch.float64)
    ones = torch.ones(1, 1, 8, 8, dtype=torch.float64)
    for padding in (0, 1, 2):
        out = F.conv_transpose2d(ones, weight, stride=stride, padding=padding)[0, 0]
        for i in range(4, 10):
            for j in range(4, 10):
                a, b = (i + padding) % stride, (j + padding) % stride
                assert torch.isclose(out[i, j], weight[0, 0, a::stride, b::stride].sum())
    assert "行号 $\\equiv i + P$、列号 $\\equiv j + P \\pmod{S}$" in PAGE


def test_bilinear_sampling_reads_four_pixels_and_zero_outside() -> None:
    """The prose: a fractional position mixes its 4 neighbours; outside the image counts as 0."""
    from torchvision.ops import deform_conv2d

    x = torch.randn(1, 1, 5, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    offset = torch.full((1, 2, 5, 5), 0.5, dtype=torch.float64)  # (Δy, Δx) = (0.5, 0.5)
    y = deform_conv2d(x, offset, torch.ones(1, 1, 1, 1, dtype=torch.float64))[0, 0]
    padded = F.pad(x, (0, 1, 0, 1))[0, 0]
    expected = (padded[:-1, :-1] + padded[1:, :-1] + padded[:-1, 1:] + padded[1:, 1:]) / 4
    assert torch.allclose(y, expected, atol=1e-12)
    assert "用周围 4 个像素双线性插值，落在图像外的像素按 0 计" in PAGE
    assert "每个采样值要读 4 个相邻像素" in PAGE


def test_prose_formulas_are_the_tested_ones() -> None:
    """Each formula the tests above check against torch appears on the page in this form."""
    formulas = [
        "\\frac{K^2 C_\\text{in} + C_\\text{in} C_\\text{out}}{K^2 C_\\text{in} C_\\text{out}}"
        " = \\frac{1}{C_\\text{out}} + \\frac{1}{K^2}",
        "\\frac{K^2 C_\\text{in} C_\\text{out}}{G}",
        "\\hat{K} = D\\,(K - 1) + 1",
        "R_L = 1 + \\sum_{l=1}^{L} D_l\\,(K - 1)",
        "W' = (W - 1)\\,S - 2P + D\\,(K - 1) + \\text{output\\_padding} + 1",
        "\\langle A x,\\ y \\rangle = \\langle x,\\ A^\\top y \\rangle",
        "$2K / K^2 = 2/K$",
        "\\sum_{u,v} c_u r_v\\, x[i+u, j+v] = \\sum_v r_v \\big(\\sum_u c_u\\, x[i+u, j+v]\\big)",
    ]
    for formula in formulas:
        assert formula in PAGE, formula


@pytest.mark.parametrize(("m", "n", "k", "size"), [(32, 64, 3, 112), (96, 24, 5, 28), (7, 5, 3, 9)])
def test_cost_table_rows_against_torch(m: int, n: int, k: int, size: int) -> None:
    """The table under 省下多少: weights and MACs of each layer, same H'×W' output."""
    x = torch.empty(1, m, size, size, device="meta")
    rows = {
        "标准卷积": (nn.Conv2d(m, n, k, padding=k // 2, bias=False, device="meta"), k * k * m * n),
        "深度卷积": (
            nn.Conv2d(m, m, k, padding=k // 2, groups=m, bias=False, device="meta"),
            k * k * m,
        ),
        "逐点卷积": (nn.Conv2d(m, n, 1, bias=False, device="meta"), m * n),
    }
    for name, (layer, weights) in rows.items():
        assert layer.weight.numel() == weights, name
        assert macs(lambda layer=layer: layer(x)) == weights * size * size, name
    c_in, c_out = "C_\\text{in}", "C_\\text{out}"
    assert f"| 标准卷积 | $K^2 {c_in} {c_out}$ | $K^2 {c_in} {c_out} \\cdot H' W'$ |" in PAGE
    assert f"| 深度卷积 | $K^2 {c_in}$ | $K^2 {c_in} \\cdot H' W'$ |" in PAGE
    assert f"| 逐点卷积 | ${c_in} {c_out}$ | ${c_in} {c_out} \\cdot H' W'$ |" in PAGE
