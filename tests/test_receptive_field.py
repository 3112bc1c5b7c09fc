"""Chapter 3 (感受野与网络设计): the calculator against autograd, the figure, and the prose.

The heart is a hypothesis property test: for random stacks of convolutions, average pools and
max pools (random kernel, stride, padding, dilation and input size), the input pixels with a
non-zero gradient for one output pixel are exactly the pixels the calculator says.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn import functional as F
from torch.utils.flop_counter import FlopCounterMode

from figures.common import load_snippet
from figures.receptive_field_growth import SCENARIOS, calculator_fields, path_counts
from tests.paths import DOCS, SNIPPETS

PAGE = (DOCS / "receptive-field.md").read_text(encoding="utf-8")
CALCULATOR = load_snippet("receptive_field/calculator.py")
receptive_fields = CALCULATOR["receptive_fields"]
field_top_down = CALCULATOR["field_top_down"]
field_closed_form = CALCULATOR["field_closed_form"]
clipped_interval = CALCULATOR["clipped_interval"]

Layer = tuple[int, int, int, int]
PROPERTY_EXAMPLES = 250  # random stacks in the gradient property test
FORMULA_EXAMPLES = 400  # random layer lists for the three algorithms
# the ranges of the random stacks (inclusive), as the page states them
STACK_LAYERS, STACK_KERNELS, STACK_STRIDES, STACK_DILATIONS = (1, 4), (1, 5), (1, 3), (1, 3)


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny convolutions: one thread is many times faster than two on a busy 2-core machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def stored(name: str) -> str:
    return (SNIPPETS / "receptive_field" / name).read_text(encoding="utf-8")


# ---------------------------------------------------------------- random stacks


@st.composite
def layer_lists(draw: st.DrawFn, max_layers: int = 5) -> list[Layer]:
    return [
        (
            draw(st.integers(1, 6)),
            draw(st.integers(1, 3)),
            draw(st.integers(0, 4)),
            draw(st.integers(1, 3)),
        )
        for _ in range(draw(st.integers(1, max_layers)))
    ]


@st.composite
def stacks(draw: st.DrawFn) -> tuple[list[tuple[str, Layer]], int, int]:
    """A stack of (kind, (k, s, p, d)) layers and an input height and width it accepts."""
    stack = []
    for _ in range(draw(st.integers(*STACK_LAYERS))):
        kind = draw(st.sampled_from(["conv", "avg", "max"]))
        kernel, stride = draw(st.integers(*STACK_KERNELS)), draw(st.integers(*STACK_STRIDES))
        dilation = 1 if kind == "avg" else draw(st.integers(*STACK_DILATIONS))
        most_padding = 3 if kind == "conv" else kernel // 2  # PyTorch's limit for pools
        stack.append((kind, (kernel, stride, draw(st.integers(0, most_padding)), dilation)))
    layers = [layer for _, layer in stack]
    smallest = 1  # the smallest input for which every layer still has an output
    for kernel, stride, padding, dilation in reversed(layers):
        smallest = max(1, (smallest - 1) * stride + dilation * (kernel - 1) + 1 - 2 * padding)
    last = receptive_fields(layers)[-1]
    index = -(last.start // last.jump)  # the first output pixel whose field starts inside
    roomy = last.start + index * last.jump + last.size  # input size that holds its field
    sizes = []
    for _ in range(2):
        base = max(smallest, roomy) if draw(st.booleans()) else smallest
        sizes.append(base + draw(st.integers(0, 6)))
    return stack, sizes[0], sizes[1]


# ---------------------------------------------------------------- what torch measures


def torch_net(stack: list[tuple[str, Layer]], real_max_pool: bool) -> nn.Sequential:
    """Positive weights everywhere. A max pool is either kept, or replaced by a depthwise
    convolution with the same geometry and positive weights (so its gradient is not sparse)."""
    generator = torch.Generator().manual_seed(0)
    modules = []
    for kind, (kernel, stride, padding, dilation) in stack:
        if kind == "avg":
            modules.append(nn.AvgPool2d(kernel, stride, padding))
        elif kind == "max" and real_max_pool:
            modules.append(nn.MaxPool2d(kernel, stride, padding, dilation))
        else:
            conv = nn.Conv2d(1, 1, kernel, stride, padding, dilation, bias=False)
            with torch.no_grad():
                conv.weight.copy_(0.5 + torch.rand(conv.weight.shape, generator=generator))
            modules.append(conv)
    return nn.Sequential(*modules).double()


def gradient_masks(
    net: nn.Module, height: int, width: int, pixels: list[tuple[int, int]]
) -> torch.Tensor:
    """(len(pixels), H, W): where the gradient of each output pixel is non-zero (one backward)."""
    generator = torch.Generator().manual_seed(1)
    shape = (len(pixels), 1, height, width)
    image = (0.5 + torch.rand(shape, generator=generator, dtype=torch.float64)).requires_grad_()
    out = net(image)
    sum(out[n, 0, i, j] for n, (i, j) in enumerate(pixels)).backward()
    return image.grad[:, 0] != 0


# ---------------------------------------------------------------- exact arithmetic


def reached(layers: list[Layer], sizes: list[int], index: int) -> np.ndarray:
    """Indicator of the input positions (one axis) that output ``index`` reads, found by
    following every tap down through the real (not padding) positions of every level."""
    positions = {index}
    for (kernel, stride, padding, dilation), below in zip(
        reversed(layers), reversed(sizes[:-1]), strict=True
    ):
        taps = {q * stride - padding + u * dilation for q in positions for u in range(kernel)}
        positions = {t for t in taps if 0 <= t < below}
    indicator = np.zeros(sizes[0], dtype=bool)
    indicator[sorted(positions)] = True
    return indicator


def level_sizes(layers: list[Layer], input_size: int) -> list[int]:
    return [input_size] + [f.output_size for f in receptive_fields(layers, input_size)]


def no_gaps(layers: list[Layer]) -> bool:
    """Every layer's taps are at most one field apart: d·J ≤ r (a stack without holes)."""
    size, jump = 1, 1
    for kernel, stride, _, dilation in layers:
        if kernel > 1 and dilation * jump > size:
            return False
        size, jump = size + dilation * (kernel - 1) * jump, jump * stride
    return True


def box(first_row: int, last_row: int, first_col: int, last_col: int, shape) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    mask[first_row : last_row + 1, first_col : last_col + 1] = True
    return mask


# ---------------------------------------------------------------- the property test


def test_gradient_support_equals_the_computed_field() -> None:
    seen: set[str] = set()
    kinds: Counter[str] = Counter()

    @settings(max_examples=PROPERTY_EXAMPLES, derandomize=True, deadline=None)
    @given(stacks())
    def check(example: tuple[list[tuple[str, Layer]], int, int]) -> None:
        stack, height, width = example
        layers = [layer for _, layer in stack]
        rows, cols = receptive_fields(layers, height), receptive_fields(layers, width)
        out_h, out_w = rows[-1].output_size, cols[-1].output_size
        net = torch_net(stack, real_max_pool=False)
        assert net(torch.zeros(1, 1, height, width, dtype=torch.float64)).shape[2:] == (
            out_h,
            out_w,
        )
        field = rows[-1]  # size, jump and start do not depend on the input size
        pixels = {(0, 0), (out_h - 1, out_w - 1), (out_h // 2, out_w // 2)}
        first_inside = -(field.start // field.jump)  # the first i with start + i·J >= 0
        fits = rows[-1].interval(first_inside)[1] < height
        fits = fits and cols[-1].interval(first_inside)[1] < width
        interior = [(first_inside, first_inside)] if fits else []
        assert not fits or first_inside < min(out_h, out_w)  # a field inside is a real pixel
        pixels = sorted(pixels | set(interior))
        masks = gradient_masks(net, height, width, pixels).numpy()
        plain = all(d == 1 and k >= s for k, s, _, d in layers)
        row_sizes, col_sizes = level_sizes(layers, height), level_sizes(layers, width)
        for (i, j), mask in zip(pixels, masks, strict=True):
            # 1. autograd reaches exactly the pixels that the taps reach
            exact = np.outer(reached(layers, row_sizes, i), reached(layers, col_sizes, j))
            assert np.array_equal(mask, exact), (stack, height, width, (i, j))
            # 2. always inside the calculator's field, clipped to what the stack reads
            rows_read, cols_read = (
                clipped_interval(layers, i, height),
                clipped_interval(layers, j, width),
            )
            if rows_read is None or cols_read is None:
                assert not mask.any()  # this output pixel reads only padding
                continue
            clipped = box(*rows_read, *cols_read, mask.shape)
            assert not (mask & ~clipped).any()
            # 3. a stack without dilation and with k ≥ s fills the clipped field exactly
            if plain:
                assert np.array_equal(mask, clipped)
        for i, j in interior:
            # 4. a field inside the image: its bounding box is the computed field, exactly
            (r0, r1), (c0, c1) = rows[-1].interval(i), cols[-1].interval(j)
            mask = masks[pixels.index((i, j))]
            hit_rows, hit_cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
            assert (hit_rows[0], hit_rows[-1], hit_cols[0], hit_cols[-1]) == (r0, r1, c0, c1)
            assert mask.sum() <= field.size**2
            if no_gaps(layers):
                assert mask.sum() == field.size**2  # and it is filled
        # 5. real max pools: the gradient of one input is sparse, but stays inside the field
        if any(kind == "max" for kind, _ in stack):
            with_max = torch_net(stack, real_max_pool=True)
            sparse = gradient_masks(with_max, height, width, pixels).numpy()
            out = with_max(torch.ones(1, 1, height, width, dtype=torch.float64))[0, 0]
            # a window that lies wholly in a max pool's padding gives -inf: skip those pixels
            finite = np.array([bool(torch.isfinite(out[i, j])) for i, j in pixels])
            assert np.array_equal(sparse.any(axis=(1, 2))[finite], masks.any(axis=(1, 2))[finite])
            assert not (sparse & ~masks).any()

        seen.add(repr(example))
        kinds["max pool"] += any(kind == "max" for kind, _ in stack)
        kinds["avg pool"] += any(kind == "avg" for kind, _ in stack)
        kinds["dilation"] += any(d > 1 for _, _, _, d in layers)
        kinds["stride"] += any(s > 1 for _, s, _, _ in layers)
        kinds["clipped"] += field.start < 0
        kinds["interior"] += bool(interior)
        kinds["gaps"] += not no_gaps(layers)
        kinds["padding only"] += not masks.any(axis=(1, 2)).all()

    check()
    assert len(seen) >= 200, len(seen)  # distinct random stacks
    for kind in ["max pool", "avg pool", "dilation", "stride", "clipped", "interior", "gaps"]:
        assert kinds[kind] >= 30, kinds  # every situation is covered many times
    assert kinds["padding only"] >= 5, kinds


@settings(max_examples=FORMULA_EXAMPLES, derandomize=True, deadline=None)
@given(layer_lists())
def test_recurrence_top_down_and_closed_form_agree(layers: list[Layer]) -> None:
    fields = receptive_fields(layers)
    assert field_top_down(layers) == (fields[-1].size, fields[-1].start)
    for depth in range(1, len(layers) + 1):
        field = fields[depth - 1]
        assert field_closed_form(layers[:depth]) == (field.size, field.jump, field.start)
        # the page's closed form of the centre: c = Σ ((k̂_l - 1)/2 - p_l)·Π_{i<l} s_i
        centre, jump = 0.0, 1
        for kernel, stride, padding, dilation in layers[:depth]:
            centre += (dilation * (kernel - 1) / 2 - padding) * jump
            jump *= stride
        assert centre == field.centre


@settings(max_examples=200, derandomize=True, deadline=None)
@given(layer_lists(), st.integers(1, 80))
def test_output_sizes_are_torchs(layers: list[Layer], input_size: int) -> None:
    image = torch.zeros(1, 1, input_size, input_size)
    try:
        fields = receptive_fields(layers, input_size)
    except ValueError as error:
        assert "spans" in str(error)  # only the kernel-larger-than-input case can fail here
        with pytest.raises(RuntimeError):
            for kernel, stride, padding, dilation in layers:
                weight = torch.ones(1, 1, kernel, kernel)
                image = F.conv2d(image, weight, None, stride, padding, dilation)
        return
    for (kernel, stride, padding, dilation), field in zip(layers, fields, strict=True):
        weight = torch.ones(1, 1, kernel, kernel)
        image = F.conv2d(image, weight, None, stride, padding, dilation)
        assert image.shape[-1] == field.output_size


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("layers", "input_size", "argument"),
    [
        ([], None, "layers"),
        ((), 32, "layers"),
        ("3311", None, "layers"),
        ([(3, 1, 1)], None, "layers"),
        ([(0, 1, 0, 1)], None, "kernel"),
        ([(-3, 1, 0, 1)], None, "kernel"),
        ([(3, 0, 0, 1)], None, "stride"),
        ([(3, 1, 0, 0)], None, "dilation"),
        ([(3, 1, -1, 1)], None, "padding"),
        ([(3.0, 1, 0, 1)], None, "kernel"),
        ([(3, 1, 0, 1), (3, "2", 0, 1)], None, "stride"),
        ([(3, 1, 0, True)], None, "dilation"),
        ([(3, 1, 0.5, 1)], None, "padding"),
        ([(3, 1, 1, 1)], 0, "input_size"),
        ([(3, 1, 1, 1)], 2.5, "input_size"),
        ([(7, 1, 0, 1)], 4, "kernel"),
        ([(3, 2, 0, 1), (5, 1, 0, 1)], 8, "kernel"),
        ([(3, 1, 0, 3)], 6, "kernel"),  # dilation 3 makes the 3×3 kernel span 7 pixels
    ],
)
def test_calculator_rejects_impossible_input(layers, input_size, argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        receptive_fields(layers, input_size)


def test_kernel_larger_than_padded_input_is_impossible_in_torch_too() -> None:
    with pytest.raises(RuntimeError):
        F.conv2d(torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 7, 7))
    assert F.conv2d(torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 7, 7), padding=2).shape[-1] == 2
    assert receptive_fields([(7, 1, 2, 1)], 4)[-1].output_size == 2


def test_clipped_interval_rejects_a_bad_index() -> None:
    for index in [4, -1, 1.0]:
        with pytest.raises(ValueError, match="index"):
            clipped_interval([(3, 2, 1, 1)], index, 8)
    with pytest.raises(ValueError, match="input_size"):
        clipped_interval([(3, 2, 1, 1)], 0, 0)


def test_clipped_interval_by_hand() -> None:
    # 8 pixels, 3×3 stride 2 without padding: outputs read 0..2, 2..4, 4..6, pixel 7 is never read
    layers = [(3, 2, 0, 1), (3, 1, 1, 1)]
    assert receptive_fields(layers, 8)[-1].interval(2) == (2, 8)
    assert clipped_interval(layers, 2, 8) == (2, 6)  # its layer-1 inputs 1, 2 read 2..6
    # a 1×1 convolution with padding 1 after a 2×2 one: output 0 reads only padding
    assert clipped_interval([(2, 1, 0, 1), (1, 1, 1, 1)], 0, 2) is None
    assert clipped_interval([(2, 1, 0, 1), (1, 1, 1, 1)], 1, 2) == (0, 1)


# ---------------------------------------------------------------- the snippets' own copies


@settings(max_examples=150, derandomize=True, deadline=None)
@given(layer_lists(), st.integers(64, 256))
def test_snippet_copies_of_the_formula_agree_with_the_calculator(layers, input_size) -> None:
    copies = COPIES()
    try:
        fields = receptive_fields(layers, input_size)
    except ValueError:
        fields = None
    last = receptive_fields(layers)[-1]
    assert copies["gradient_check"](layers) == (last.size, last.jump, last.start)
    if fields is not None:
        expected = (last.size, last.jump, last.start, fields[-1].output_size)
        assert copies["real_networks"](layers, input_size) == expected


def _copies() -> dict:
    cache: dict = {}

    def get() -> dict:
        if not cache:
            cache["gradient_check"] = load_snippet("receptive_field/gradient_check.py")["field"]
            cache["real_networks"] = load_snippet("receptive_field/real_networks.py")["field"]
        return cache

    return get


COPIES = _copies()


def test_real_network_table_is_the_calculators() -> None:
    example = load_snippet("receptive_field/real_networks.py")
    assert len(example["rows"]) == 12
    for name, (layers, input_size) in example["rows"].items():
        last = receptive_fields(layers, input_size)[-1]
        assert example["table"][name] == (last.size, last.jump, last.start, last.output_size)
    # by hand: VGG-16 to pool3 = 1 + 2 + 2 + 1 + 2·(2 + 2) + 2 + 4·(2 + 2 + 2) + 4 = 44
    assert example["table"]["VGG-16 pool3"][0] == 44
    # the gradient snippet measured the same two values that the table lists
    lines = re.findall(
        r"^(.+?): 计算 r = (\d+), 实测 .*?\(边长 (\d+)\)", stored("real_network_gradient.out"), re.M
    )
    measured = {name: int(side) for name, computed, side in lines if int(computed) == int(side)}
    assert measured == {"VGG-16 pool3": 44, "ResNet-18 layer1": 43}
    for name, side in measured.items():
        assert example["table"][name][0] == side


def test_resnet18_ends_at_ceil_n_over_32() -> None:
    rows = load_snippet("receptive_field/real_networks.py")["rows"]
    layers = rows["ResNet-18 layer4"][0]
    ends = {n: receptive_fields(layers, n)[-1].output_size for n in range(100, 400)}
    assert all(size == -(-n // 32) for n, size in ends.items())
    assert [n for n, size in ends.items() if size == 7] == list(range(193, 225))
    assert "193 到 224 都得到 7" in PAGE


# ---------------------------------------------------------------- the figure


def one_axis_paths(layers: list[Layer], output_pixel: int, input_size: int) -> np.ndarray:
    """Paths from each input position to the output pixel, by polynomial arithmetic (d = 1)."""
    counts = np.array([1])
    for kernel, stride, _, _ in reversed(layers):
        spread = np.zeros((len(counts) - 1) * stride + 1, dtype=int)
        spread[::stride] = counts
        counts = np.convolve(spread, np.ones(kernel, dtype=int))
    full = np.zeros(input_size, dtype=int)
    start = receptive_fields(layers)[-1].interval(output_pixel)[0]
    full[start : start + len(counts)] = counts
    return full


def layers_are_stride_1(scenario) -> bool:
    return all(stride == 1 for _, stride, _, _ in scenario.layers)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.title)
def test_figure_highlights_the_calculators_field(scenario) -> None:
    counts, fields = path_counts(scenario), calculator_fields(scenario)
    assert len(counts) == len(fields) == 4
    for grid, (first, last) in zip(counts, fields, strict=True):
        assert np.array_equal(grid != 0, box(first, last, first, last, grid.shape))
    paths = one_axis_paths(list(scenario.layers), scenario.output_pixel, counts[0].shape[0])
    assert np.array_equal(counts[0], np.outer(paths, paths))
    if layers_are_stride_1(scenario):  # the page quotes the path counts of the first stack
        assert counts[0].max() == 49 and counts[0][fields[0][0], fields[0][0]] == 1
        assert "有 $49$ 条路径" in PAGE and "只有 $1$ 条" in PAGE
    sides = [last - first + 1 for first, last in fields]
    layers = list(scenario.layers)
    assert sides[0] == receptive_fields(layers)[-1].size
    assert sides == ([7, 5, 3, 1] if layers[1][1] == 1 else [9, 7, 3, 1])  # F, by hand


# ---------------------------------------------------------------- numbers in the prose


def test_prose_quotes_the_stored_outputs() -> None:
    # each entry: a number, or (as printed in the output, as written in the page)
    quoted = {
        "calculator.out": [
            ("    5  (3, 2, 1, 1)    18   4     -8", "$r = 18$、$J = 4$、$a = -8$"),
            "(-8, 9)",
            "(0, 9)",
            ("     0.5   16", "半整数 $0.5$"),
        ],
        "gradient_check.out": [
            ("r = 24, J = 4, start = -7", "$r = 24$、$J = 4$、$a = -7$"),
            ("行 5..28 列 1..24", "$-7 + 3 \\times 4 = 5$ 行、第 $-7 + 2 \\times 4 = 1$ 列"),
            ("576 个像素", "$576 = 24^2$"),
            ("-7..16", "$-7..16$"),
            ("边长 17", "$17 \\times 17$"),
            ("只有 535 个像素", "只剩 $535$ 个像素"),
        ],
        "stacked_3x3.out": ["73,728", "102,400", "110,592", "200,704", "0.720", "0.551"],
        "effective_field.out": [
            (" 16     33   3.27      15      0.45", "16 层时它只占理论感受野边长的 0.45"),
            (" 32     65   4.62      21      0.32", "32 层时只占 0.32"),
        ],
        "real_networks.out": [
            ("LeNet-5 C5             5    32    1   4   32      0   15.5", "C5 感受野是 $32$"),
            ("conv5_3        17   224   14  16  196", "conv5_3 的感受野是 196"),
            ("pool5          18   224    7  32  212    -90   15.5", "pool5 是 212"),
            ("pool5          18   224    7  32  212    -90   15.5", "$c = 15.5$"),
            ("layer4      18   224    7  32  435   -217      0", "layer4 的感受野是 435"),
            ("layer4      18   224    7  32  435   -217      0", "$a = -217$"),
            ("layer3      14   224   14  16  211", "感受野从 211 长到 435"),
        ],
        "real_network_gradient.out": [("(边长 44)", "边长是 44 和 43"), ("(边长 43)", "44 和 43")],
        "resolution.out": [
            (
                "  225      113      57      57      29      15       8",
                "conv1 输出 113，maxpool 输出 57，最后是 8",
            ),
            ("  230      115      58      58      29      15       8", "是 115、58，最后也是 8"),
            ("layer4 8 放大 2 倍 -> 16, layer3 是 15", "layer4 的 8 放大成 16，layer3 却是 15"),
        ],
        "depth_width.out": [
            ("取整后 [24, 16, 24, 24, 48, 72, 120, 240]", "$[24, 16, 24, 24, 48, 72, 120, 240]$"),
            ("C = 12: 2 次向量运算, 用上 12/16 = 75%", "C = 12 时只用上 75%"),
            ("'11.2', '5.6', '8.4', '11.2'", "$11.2$"),
            ("取整后 [16, 8, 8, 16", "于是取 16"),
            ("卷积 13 (其中捷径 1×1 0), 全连接 3, 深度 16", "13 个卷积层加 3 个全连接层"),
            ("卷积 20 (其中捷径 1×1 3), 全连接 1, 深度 18", "17 个卷积层加 1 个全连接层"),
        ],
        "downsampling.out": [
            ("参数 36,928", "| 36,928 |"),
            ("参数 73,856", "是 73,856 个参数"),
            ("参数  4,160", "| 4,160 |"),
            ("conv 1x1 s2      梯度非零的输入: 25%", "固定的 75% 像素"),
            ("max pool 2x2 s2  梯度非零的输入: 25%", "梯度只流向 25% 的像素"),
        ],
        "upsampling.out": [
            ("参数 16,448", "参数 16,448 个"),
            ("参数 65,600", "参数 65,600 个"),
            ("     2.000  3.000  5.000  6.000", "$8 \\times 0.25 + 4 \\times 0.75 = 5$"),
            ("     2.667  4.000  5.333  6.667", "$8/3 + 8/3 = 16/3 \\approx 5.333$"),
            ("output_padding=0: 7 -> 13", "只得到 13"),
        ],
    }
    for output, entries in quoted.items():
        text = stored(output)
        for entry in entries:
            printed, written = entry if isinstance(entry, tuple) else (entry, entry)
            assert printed in text, (output, printed)
            assert written in PAGE, (output, written)
    overview = (SNIPPETS / "overview" / "sharing_and_locality.out").read_text(encoding="utf-8")
    assert "依赖 25 个输入像素" in overview and "只依赖 $25$ 个输入像素" in PAGE
    # how many random stacks and layer lists the tests check, as the page says
    assert (
        f"生成 {PROPERTY_EXAMPLES} 个随机网络" in PAGE
        and f"在 {PROPERTY_EXAMPLES} 个随机网络上" in PAGE
    )
    assert f"在 {FORMULA_EXAMPLES} 个随机层列表上" in PAGE


def test_page_shows_the_figure_in_both_themes() -> None:
    for theme in ["light", "dark"]:
        name = f"receptive_field/receptive-field-growth-{theme}.gif#only-{theme}"
        assert f"assets/figures/{name}" in PAGE


# ---------------------------------------------------------------- more numbers in the prose


def test_late_layers_contribute_more() -> None:
    """Page: a 3x3 convolution after a cumulative stride of 32 adds 2 x 32 = 64; first, 2."""
    downsample = [(2, 2, 0, 1)] * 5
    assert receptive_fields(downsample)[-1].jump == 32
    late = receptive_fields([*downsample, (3, 1, 1, 1)])[-1].size
    early = receptive_fields([(3, 1, 1, 1), *downsample])[-1].size
    assert late - receptive_fields(downsample)[-1].size == 2 * 32 == 64
    assert early - receptive_fields(downsample)[-1].size == 2
    assert "在步长累计为 $32$ 的深层再加一个 $3 \\times 3$ 卷积" in PAGE
    assert "增加 $2 \\times 32 = 64$ 个像素" in PAGE and "只增加 $2$ 个" in PAGE
    # and with p_l = (k̂_l - 1)/2 in every layer the centre is 0
    rng = np.random.default_rng(3)
    for _ in range(200):
        layers = []
        for _ in range(int(rng.integers(1, 6))):
            kernel, dilation = int(rng.choice([1, 3, 5, 7])), int(rng.integers(1, 4))
            layers.append((kernel, int(rng.integers(1, 4)), dilation * (kernel - 1) // 2, dilation))
        assert receptive_fields(layers)[-1].centre == 0
    assert "则 $c_L = 0$" in PAGE


def test_calculator_example_numbers_in_the_prose() -> None:
    lines = stored("calculator.out").splitlines()
    layer_rows = [line for line in lines[1:] if re.match(r"\s+\d+\s+\(", line)]
    assert len(layer_rows) == 5 and "用一个五层的小网络试一试" in PAGE
    assert "输入 $32 \\times 32$" in PAGE and "clipped_interval(layers, 0, 32)" in (
        SNIPPETS / "receptive_field" / "calculator.py"
    ).read_text(encoding="utf-8")
    start = int(layer_rows[-1].split()[-3])
    assert -start == 8 and "前 8 个坐标落在填充里" in PAGE  # coordinates -8..-1
    assert all(line.startswith("ValueError") for line in lines[-3:])
    assert not lines[-4].startswith("ValueError") and "上面输出的最后三行" in PAGE
    # the gradient snippet: "a five-line closed form" (the body of field, docstring aside)
    source = (SNIPPETS / "receptive_field" / "gradient_check.py").read_text(encoding="utf-8")
    body = source.split("def field(")[1].split("\n\n")[0].splitlines()[1:]
    code = [line for line in body if line.strip() and not line.strip().startswith('"""')]
    assert len(code) == 5 and "它带着一份五行的闭式解" in PAGE


def test_gradient_check_padding_rows() -> None:
    text = stored("gradient_check.out")
    assert "start = -7" in text and "感受野 -7..16" in text
    assert -7 + 24 - 1 == 16 and len(range(-7, 0)) == 7  # 7 rows in the padding
    assert "有 7 行伸进填充" in PAGE
    assert "外接矩形 行 5..28 列 1..24" in text and 28 - 5 + 1 == 24 - 1 + 1 == 24
    assert "$24 \\times 24$ 的方块" in PAGE


def test_edge_examples_in_the_prose() -> None:
    """Page: 8 pixels, 3x3 stride 2 without padding read 0..2, 2..4, 4..6, pixel 7 is never
    read; a 1x1 convolution with padding 1 gives a ring of outputs that read only padding."""
    (layer,) = receptive_fields([(3, 2, 0, 1)], 8)
    assert layer.output_size == 3
    assert [layer.interval(i) for i in range(3)] == [(0, 2), (2, 4), (4, 6)]
    assert "输入边长 $8$、$3 \\times 3$ 步长 2 不填充时" in PAGE
    assert "输出读的是 $0..2$、$2..4$、$4..6$" in PAGE and "第 $7$ 个像素" in PAGE
    for size in (1, 4, 9):
        ring = [(1, 1, 1, 1)]
        out = receptive_fields(ring, size)[-1].output_size
        assert out == size + 2
        assert clipped_interval(ring, 0, size) is None
        assert clipped_interval(ring, out - 1, size) is None
        assert all(clipped_interval(ring, i, size) == (i - 1, i - 1) for i in range(1, out - 1))
    assert "$1 \\times 1$ 卷积加填充 1，边上一圈输出与输入无关" in PAGE


def test_random_stack_ranges_are_the_ones_quoted() -> None:
    assert STACK_LAYERS == (1, 4) and "每个网络有 1 到 4 层" in PAGE
    (k0, k1), (s0, s1), (d0, d1) = STACK_KERNELS, STACK_STRIDES, STACK_DILATIONS
    assert f"卷积核 {k0}～{k1}、步长 {s0}～{s1}、空洞 {d0}～{d1}" in PAGE


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.title)
def test_figure_f_values_in_the_prose(scenario) -> None:
    sides = [last - first + 1 for first, last in calculator_fields(scenario)][::-1]  # top first
    layers = list(scenario.layers)
    top_down = [1]
    for kernel, stride, _, _ in reversed(layers):
        top_down.append((top_down[-1] - 1) * stride + kernel)
    assert sides == top_down
    if layers_are_stride_1(scenario):
        assert sides == [1, 3, 5, 7] and "$F$ 依次是 $1 \\to 3 \\to 5 \\to 7$" in PAGE
    else:
        assert layers[1][:2] == (3, 2) and sides[2] == (3 - 1) * 2 + 3 == 7 and sides[3] == 9
        assert "$F = (3 - 1) \\times 2 + 3 = 7$，输入上是 $9$" in PAGE


def test_effective_field_table_follows_the_formulas() -> None:
    """Page: r = 2n + 1, variance 2n/3, sigma = sqrt(2n/3); side95 holds 95% of the gradient."""
    rows = [line.split() for line in stored("effective_field.out").splitlines()[1:]]
    assert len(rows) == 6
    for n, r, sigma, side, ratio in rows:
        assert int(r) == 2 * int(n) + 1
        assert sigma == f"{(2 * int(n) / 3) ** 0.5:.2f}"
        assert ratio == f"{int(side) / int(r):.2f}"
    assert "方差为 $2n/3$" in PAGE and "$r = 2n + 1$" in PAGE
    assert "$\\sigma = \\sqrt{2n/3}$" in PAGE and "装下 $95\\%$ 梯度" in PAGE
    assert "0.95" in (SNIPPETS / "receptive_field" / "effective_field.py").read_text(
        encoding="utf-8"
    )


def test_stacked_3x3_arithmetic_in_the_prose() -> None:
    text = stored("stacked_3x3.out")
    c = 64
    assert receptive_fields([(3, 1, 0, 1)] * 2)[-1].size == 3 + 2 == 5
    assert receptive_fields([(3, 1, 0, 1)] * 3)[-1].size == 7
    assert "感受野是 $3 + 2 = 5$" in PAGE and "三个是 $7$" in PAGE
    for count, big in [(2, 5), (3, 7)]:
        assert f"{count * 9 * c**2:,}" in text and f"{big * big * c**2:,}" in text
    assert (2 * 9 * c**2, 25 * c**2, 3 * 9 * c**2, 49 * c**2) == (73_728, 102_400, 110_592, 200_704)
    assert f"{18 / 25:.3f}" == "0.720" and f"{27 / 49:.3f}" == "0.551"
    assert "2 \\cdot 9C^2 = 18C^2 \\ \\text{vs.}\\ 25C^2, \\qquad 3 \\cdot 9C^2 = 27C^2" in PAGE
    assert "$C = 64$ 时" in PAGE
    relus = [int(n) for n in re.findall(r"ReLU (\d+) 个", text)]
    assert [relus[0] - relus[1], relus[2] - relus[3]] == [1, 2] and "多了一两个 ReLU" in PAGE


def test_real_network_observations_in_the_prose() -> None:
    example = load_snippet("receptive_field/real_networks.py")
    rows = example["rows"]
    # LeNet-5: C5 is a 5x5 convolution on the 5x5 S4, output 1x1
    lenet, size = rows["LeNet-5 C5"]
    assert receptive_fields(lenet[:-1], size)[-1].output_size == 5 and lenet[-1][0] == 5
    assert receptive_fields(lenet, size)[-1].output_size == 1
    assert "C5 在 $5 \\times 5$ 的 S4 上做 $5 \\times 5$ 卷积，输出 $1 \\times 1$" in PAGE
    # VGG-16 pool5: 7 centres 15.5 + 32i, symmetric about the image centre 111.5
    pool5 = receptive_fields(*rows["VGG-16 pool5"])[-1]
    centres = [pool5.centre + i * pool5.jump for i in range(pool5.output_size)]
    assert (pool5.centre, pool5.jump, len(centres)) == (15.5, 32, 7)
    assert sum(centres) / 7 == (224 - 1) / 2 == 111.5 and pool5.size < 224
    assert "$15.5 + 32i$，7 个中心关于图像中心 $111.5$ 对称" in PAGE
    # ResNet-18 layer4
    layers, size = rows["ResNet-18 layer4"]
    layer4 = receptive_fields(layers, size)[-1]
    assert layer4.start == -(layer4.size - 1) // 2 == -217 and layer4.centre == 0
    assert "$a = -217$ 恰好等于 $-(435 - 1)/2$" in PAGE
    assert 1.9 < layer4.size / size < 2 and "几乎是输入边长的两倍" in PAGE
    centres = [layer4.centre + i * layer4.jump for i in range(layer4.output_size)]
    assert centres == [0, 32, 64, 96, 128, 160, 192] and "7 个中心是 $0, 32, \\dots, 192$" in PAGE
    assert (224 - 1) / 2 - sum(centres) / 7 == 15.5 and "偏左上 $15.5$ 个像素" in PAGE
    for i in range(layer4.output_size):  # "nearly half" of every field lies in the padding
        first, last = layer4.interval(i)
        inside = min(last, size - 1) - max(first, 0) + 1
        assert 0.45 < 1 - inside / layer4.size < 0.5
    assert "每个输出像素的感受野都有将近一半落在填充里" in PAGE
    # layer4: 4 more 3x3 convolutions, jump 16 -> 32, field 211 -> 435
    layer3 = receptive_fields(*rows["ResNet-18 layer3"])[-1]
    assert len(layers) - len(rows["ResNet-18 layer3"][0]) == 4
    assert all(k == 3 for k, _, _, _ in layers[-4:])
    assert (layer3.jump, layer4.jump, layer3.size) == (16, 32, 211)
    assert 211 + 2 * 16 + 3 * 2 * 32 == 435
    assert "layer4 有 4 个 $3 \\times 3$ 卷积，跳距从 16 变为 32" in PAGE
    # the measured regions are solid squares
    text = stored("real_network_gradient.out")
    assert "非零像素 1936 = 44²" in text and "非零像素 1849 = 43²" in text
    assert 44**2 == 1936 and 43**2 == 1849 and "非零区域是实心方块" in PAGE


def test_resolution_numbers_in_the_prose() -> None:
    rows = load_snippet("receptive_field/real_networks.py")["rows"]
    layers = rows["ResNet-18 layer4"][0]
    downsamplers = [layer for layer in layers if layer[1] == 2]
    assert downsamplers == [(7, 2, 3, 1)] + [(3, 2, 1, 1)] * 4  # conv1, maxpool, 3 convs
    assert len(downsamplers) == 5 and 7 * 2**5 == 224
    assert "$224 = 7 \\times 2^5$" in PAGE and "ResNet-18 的 5 个下采样层" in PAGE
    for x in range(1, 500):
        for kernel, padding in [(7, 3), (3, 1)]:
            assert (x + 2 * padding - kernel) // 2 + 1 == (x - 1) // 2 + 1 == -(-x // 2)
    first = stored("resolution.out").splitlines()[1].split()
    assert first == ["224", "112", "56", "56", "28", "14", "7"]
    assert "$224 \\to 112 \\to 56 \\to 28 \\to 14 \\to 7$" in PAGE
    # input 225: the extra last pixel of every level has nearly half its field in the padding
    for name in ["stem", "layer1", "layer2", "layer3", "layer4"]:
        field = receptive_fields(rows[f"ResNet-18 {name}"][0], 225)[-1]
        first_in, last_in = field.interval(field.output_size - 1)
        padding = last_in - 224
        assert first_in >= 0 and 0.45 < padding / field.size < 0.5
    assert "多出的那一行一列，感受野将近一半落在填充里" in PAGE


def test_depth_and_width_numbers_in_the_prose() -> None:
    from torchvision.models._utils import _make_divisible

    text = stored("depth_width.out")
    assert "卷积 20 (其中捷径 1×1 3), 全连接 1" in text and 20 - 3 == 17
    assert "捷径上的 3 个 $1 \\times 1$ 卷积不计入" in PAGE and 13 + 3 == 16
    assert text.count("通道数 [64, 128, 256, 512]") == 2 and "64、128、256、512" in PAGE
    # halving the side and doubling the channels keeps the MACs of a layer
    with torch.device("meta"):
        costs = []
        for channels, side in [(64, 56), (128, 28), (256, 14)]:
            layer = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
            with FlopCounterMode(display=False) as counter:
                layer(torch.zeros(1, channels, side, side))
            costs.append(counter.get_total_flops() // 2)
    assert costs == [56 * 56 * 64 * 64 * 9] * 3
    assert "$\\frac{H}{2}\\cdot\\frac{W}{2}\\cdot 2C \\cdot 2C \\cdot k^2 = H W C^2 k^2$" in PAGE
    assert 256 // 32 == 8 and 512 // 32 == 16
    assert "AVX2 的 256 位寄存器装 8 个 float32，AVX-512 装 16 个" in PAGE
    # _make_divisible as the page describes it: nearest multiple of 8, at least 8, +8 if it
    # lost more than 10 %
    for tenth in range(1, 3000):
        v = tenth / 10
        nearest = max(8, int(v + 4) // 8 * 8)
        assert _make_divisible(v, 8) == (nearest + 8 if nearest < 0.9 * v else nearest), v
    widths = re.findall(r"宽度 ×0.75: \[(.*?)\]\n\s+取整后 \[(.*?)\]", text)[0]
    pairs = dict(zip(widths[0].replace("'", "").split(", "), widths[1].split(", "), strict=True))
    assert pairs["12"] == "16" and pairs["18"] == "24" and "12 取整为 16，18 取整为 24" in PAGE
    assert round(11.2 / 8) * 8 == 8 and 8 < 0.9 * 11.2 and _make_divisible(11.2, 8) == 16
    assert "$11.2$ 最接近的 8 的倍数是 8，但 $8 < 0.9 \\times 11.2$，于是取 16" in PAGE


def test_downsampling_numbers_in_the_prose() -> None:
    text = stored("downsampling.out")
    assert text.count("(64, 56, 56) ->") == 5 and "$64 \\times 56 \\times 56$ 的特征图" in PAGE
    assert 64 * 64 * 9 + 64 == 36_928 and 128 * 64 * 9 + 128 == 73_856 and 64 * 64 + 64 == 4_160
    assert 2 * 2 - 1 == 3 and "其余 3 个值" in PAGE


def test_upsampling_numbers_in_the_prose() -> None:
    """The coordinate rules of both align_corners settings, applied by hand to all 16 outputs."""
    x = torch.tensor([[[[0.0, 4], [8, 12]]]])
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

    loose = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)[0, 0]
    tight = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)[0, 0]
    assert torch.allclose(by_hand(lambda i: (i + 0.5) / 2 - 0.5), loose.double())
    assert torch.allclose(by_hand(lambda i: i * (2 - 1) / (4 - 1)), tight.double())
    assert ((1 + 0.5) / 2 - 0.5, (2 + 0.5) / 2 - 0.5) == (0.25, 0.75)
    assert 8 * 0.25 + 4 * 0.75 == 5 == loose[1, 2].item()
    assert abs(8 / 3 + 8 / 3 - tight[1, 2].item()) < 1e-6
    assert "$(i + 0.5)/\\text{scale} - 0.5$" in PAGE
    assert "$i \\cdot (n_\\text{in} - 1)/(n_\\text{out} - 1)$" in PAGE
    assert "对应输入坐标 $(0.25, 0.75)$" in PAGE and "对应 $(1/3, 2/3)$" in PAGE
    # transposed: 3x3 / stride 2 / padding 1 gives 13; both 13 and 14 go back to 7
    text = stored("upsampling.out")
    assert "k=3 s=2 p=1 output_padding=1: 7 -> 14" in text
    assert "要加 `output_padding=1` 才是 14" in PAGE
    assert [(n + 2 * 1 - 3) // 2 + 1 for n in (13, 14)] == [7, 7]
    assert "步长 2 的卷积把 13 和 14 都变成 7" in PAGE
    # max-unpooling a 5x5 input: indices 16 and 18 do not fit the default 4x4
    _, indices = F.max_pool2d(torch.arange(25.0).reshape(1, 1, 5, 5), 2, 2, return_indices=True)
    assert indices[0, 0].tolist() == [[6, 8], [16, 18]] and (2 - 1) * 2 + 2 == 4
    assert all(index >= 4 * 4 for index in (16, 18))
    assert "只能还原出 $4 \\times 4$" in PAGE and "放不下编号为 16、18 的位置" in PAGE


def test_gap_condition_in_the_prose() -> None:
    """Page: a layer with d·J > r leaves gaps in its interval (a later layer may fill them);
    with d = 1 and k >= s in every layer, d·J <= r holds at every layer."""
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
            assert jump <= size  # d·J_{l-1} <= r_{l-1}
            size, jump = size + (kernel - 1) * jump, jump * stride
    assert "所有层都是 $d = 1$ 且 $k \\ge s$ 时，每一层都满足 $d_l\\,J_{l-1} \\le r_{l-1}$" in PAGE


def test_more_measured_and_transposed_numbers() -> None:
    text = stored("gradient_check.out")
    assert "实测 ((0, 16), (0, 16)), 边长 17" in text and 16 - 0 + 1 == 17 and 24**2 == 576
    upsampling = stored("upsampling.out")
    for kernel, padding, output_padding, side, params in [
        (2, 0, 0, 14, 16_448),
        (4, 1, 0, 14, 65_600),
        (3, 1, 0, 13, 36_928),
        (3, 1, 1, 14, 36_928),
    ]:
        assert (7 - 1) * 2 - 2 * padding + (kernel - 1) + output_padding + 1 == side
        assert 64 * 64 * kernel * kernel + 64 == params
        line = f"k={kernel} s=2 p={padding} output_padding={output_padding}: 7 -> {side}, "
        assert line + f"参数 {params:,}" in upsampling
    assert "$k = 2, s = 2$ 时" in PAGE and "$k = 4, s = 2, p = 1$ 时" in PAGE
    assert "把 $7 \\times 7$ 放大成 $14 \\times 14$" in PAGE
