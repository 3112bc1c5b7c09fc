"""Chapter 2 (卷积的计算): facts that span snippets, the page, the figures and the benchmark."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.flop_counter import FlopCounterMode

from benchmarks.common import RESULTS_DIR
from figures import conv_stride_padding, output_size_diagram, pooling_window
from figures.common import load_snippet
from tests.paths import DOCS, SNIPPETS

PAGE = (DOCS / "conv-arithmetic.md").read_text(encoding="utf-8")
CONV = load_snippet("arithmetic/conv_output_size.py")
POOL = load_snippet("arithmetic/pool_output_size.py")
TRANSPOSED = load_snippet("arithmetic/transposed_output_size.py")
LOOPS = load_snippet("arithmetic/conv_loops.py")
IM2COL = load_snippet("arithmetic/im2col_general.py")
PARAMETERS = load_snippet("arithmetic/parameter_count.py")
COUNTER = load_snippet("arithmetic/cost_counter.py")


def stored(name: str) -> str:
    return (SNIPPETS / "arithmetic" / name).read_text(encoding="utf-8")


# --- figures: the numbers drawn are torch's ---------------------------------------------------


def test_conv_gif_draws_what_torch_computes() -> None:
    image, kernel = conv_stride_padding.example_tensors()
    expected = F.conv2d(image, kernel, stride=2, padding=1)[0, 0]
    padded = F.pad(image, (1, 1, 1, 1))[0, 0]
    frames = conv_stride_padding.frame_numbers()
    assert [f["position"] for f in frames] == [(i, j) for i in range(3) for j in range(3)]
    for frame in frames:
        i, j = frame["position"]
        top, left = frame["corner"]
        assert (top, left) == (2 * i, 2 * j)  # the window jumps by the stride
        assert frame["window"] == padded[top : top + 3, left : left + 3].int().tolist()
        assert sum(frame["products"]) == frame["output"] == expected[i, j].item()
    assert [[f["output"] for f in frames[3 * i : 3 * i + 3]] for i in range(3)] == LOOPS[
        "by_loops"
    ].astype(int).tolist()


def test_conv_gif_first_window_claim() -> None:
    """Page: the top-left window has 5 cells in the padding and 4 real pixels."""
    first = conv_stride_padding.frame_numbers()[0]
    real = F.pad(torch.ones(5, 5), (1, 1, 1, 1))  # 1 on real pixels, 0 on the padding ring
    top, left = first["corner"]
    real_in_window = int(real[top : top + 3, left : left + 3].sum())
    assert (real_in_window, 9 - real_in_window) == (4, 5)
    assert "有 5 个格子落在填充里，只有 4 个真实像素" in PAGE


def test_pooling_gif_draws_what_torch_computes() -> None:
    image = pooling_window.example_input()
    max_out = F.max_pool2d(image, 2, 2, ceil_mode=True)[0, 0]
    avg_out = F.avg_pool2d(image, 2, 2, ceil_mode=True)[0, 0]
    frames = pooling_window.frame_numbers()
    assert [f["position"] for f in frames] == [(i, j) for i in range(3) for j in range(3)]
    for frame in frames:
        i, j = frame["position"]
        values = [v for row in frame["covered"] for v in row]
        assert frame["max"] == max(values) == max_out[i, j].item()
        assert frame["average"] == pytest.approx(sum(values) / len(values))
        assert frame["average"] == pytest.approx(avg_out[i, j].item())
    covered = [sum(len(row) for row in f["covered"]) for f in frames]
    assert covered == [4, 4, 2, 4, 4, 2, 2, 2, 1]
    assert frames[-1]["average"] == 8 and "平均值就是 8，而不是 $8/4 = 2$" in PAGE


def test_output_size_diagram_matches_torch_and_the_formula() -> None:
    for config in output_size_diagram.CONFIGS:
        numbers = output_size_diagram.strip_numbers(config)
        w, k, s, p, d = config.width, config.kernel, config.stride, config.padding, config.dilation
        assert numbers["output_size"] == CONV["conv_output_size"](w, k, s, p, d)
        assert len(numbers["taps"]) == numbers["output_size"]
        for index, (window, read) in enumerate(zip(numbers["taps"], numbers["read"], strict=True)):
            assert window == [index * s + tap * d for tap in range(k)]
            # torch's own zero padding agrees with the positions: padding cells read -1 (zero)
            assert read == [t - p if p <= t < p + w else -1 for t in window]
    first, second = (output_size_diagram.strip_numbers(c) for c in output_size_diagram.CONFIGS)
    assert first["unused"] == [9, 10]  # x8 and the right padding: page says floor(8/3) drops 2
    assert output_size_diagram.formula(output_size_diagram.CONFIGS[0], 3).endswith(
        "floor(8 / 3) + 1 = 3"
    )
    assert "$\\lfloor 8/3 \\rfloor = 2$，余下的 2 格（真实像素 `x8` 和右侧的填充）" in PAGE
    assert second["output_size"] == 5 and second["unused"] == [1, 13, 15]  # padding cells only
    assert "5 个窗口读遍了全部 10 个真实像素，只漏掉三个填充格" in PAGE


# --- calculators: bad input is refused with the argument's name --------------------------------


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        ({"input_size": 0, "kernel_size": 1}, "input_size"),
        ({"input_size": -3, "kernel_size": 1}, "input_size"),
        ({"input_size": 5, "kernel_size": 0}, "kernel_size"),
        ({"input_size": 5, "kernel_size": 3, "stride": 0}, "stride"),
        ({"input_size": 5, "kernel_size": 3, "stride": 1.5}, "stride"),
        ({"input_size": 5, "kernel_size": 3, "padding": -1}, "padding"),
        ({"input_size": 5, "kernel_size": 3, "dilation": 0}, "dilation"),
        ({"input_size": 5, "kernel_size": 6}, "kernel_size"),
        ({"input_size": 5, "kernel_size": 3, "dilation": 3}, "kernel_size"),
        ({"input_size": 5.0, "kernel_size": 3}, "input_size"),
        ({"input_size": 5, "kernel_size": True}, "kernel_size"),
        ({"input_size": "5", "kernel_size": 3}, "input_size"),
    ],
)
def test_conv_output_size_rejects_impossible_input(arguments: dict, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        CONV["conv_output_size"](**arguments)


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        ({"input_shape": (3, 8, 8), "out_channels": 4, "kernel_size": 3, "groups": 2}, "groups"),
        ({"input_shape": (4, 8, 8), "out_channels": 6, "kernel_size": 3, "groups": 4}, "groups"),
        ({"input_shape": (4, 8, 8), "out_channels": 4, "kernel_size": 3, "groups": 0}, "groups"),
        ({"input_shape": (0, 8, 8), "out_channels": 4, "kernel_size": 3}, "in_channels"),
        ({"input_shape": (3, 8, 8), "out_channels": 0, "kernel_size": 3}, "out_channels"),
        ({"input_shape": (3, 8, 8), "out_channels": 4, "kernel_size": (3, 3, 3)}, "kernel_size"),
        ({"input_shape": (3, 8, 0), "out_channels": 4, "kernel_size": 3}, "input_size"),
        ({"input_shape": (3, 8, 8), "out_channels": 4, "kernel_size": (3, 9)}, "kernel_size"),
        (
            {"input_shape": (3, 8, 8), "out_channels": 4, "kernel_size": 3, "stride": (1, 0)},
            "stride",
        ),
    ],
)
def test_conv2d_output_shape_rejects_impossible_input(arguments: dict, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        CONV["conv2d_output_shape"](**arguments)


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        ({"input_size": 0, "kernel_size": 2}, "input_size"),
        ({"input_size": 8, "kernel_size": 0}, "kernel_size"),
        ({"input_size": 8, "kernel_size": 2, "stride": 0}, "stride"),
        ({"input_size": 8, "kernel_size": 2, "padding": -1}, "padding"),
        ({"input_size": 8, "kernel_size": 3, "padding": 2}, "padding"),  # more than half of 3
        ({"input_size": 8, "kernel_size": 2, "dilation": 0}, "dilation"),
        ({"input_size": 2, "kernel_size": 3}, "input_size"),  # no window fits
        ({"input_size": 8, "kernel_size": 2.0}, "kernel_size"),
    ],
)
def test_pool_output_size_rejects_impossible_input(arguments: dict, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        POOL["pool_output_size"](**arguments)


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        ({"input_size": 0, "kernel_size": 3}, "input_size"),
        ({"input_size": 4, "kernel_size": 0}, "kernel_size"),
        ({"input_size": 4, "kernel_size": 3, "stride": 0}, "stride"),
        ({"input_size": 4, "kernel_size": 3, "padding": -1}, "padding"),
        ({"input_size": 4, "kernel_size": 3, "dilation": 0}, "dilation"),
        ({"input_size": 4, "kernel_size": 3, "output_padding": -1}, "output_padding"),
        ({"input_size": 4, "kernel_size": 3, "stride": 2, "output_padding": 2}, "output_padding"),
        ({"input_size": 1, "kernel_size": 1, "padding": 1}, "padding"),  # output length -1
        ({"input_size": 4, "kernel_size": 3, "stride": "2"}, "stride"),
    ],
)
def test_conv_transpose_output_size_rejects_impossible_input(
    arguments: dict, complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        TRANSPOSED["conv_transpose_output_size"](**arguments)


def test_output_padding_below_dilation_is_allowed() -> None:
    """output_padding must be below max(stride, dilation), not below the stride alone."""
    layer = nn.ConvTranspose2d(1, 1, 3, stride=1, dilation=3, output_padding=2)
    expected = layer(torch.zeros(1, 1, 4, 4)).shape[-1]
    # (4 - 1)*1 - 2*0 + 3*(3 - 1) + 2 + 1 = 12
    assert TRANSPOSED["conv_transpose_output_size"](4, 3, 1, 0, 2, 3) == expected == 12


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        ((3, 10, 5, 5, 2), "groups"),
        ((0, 10, 5, 5), "c_in"),
        ((3, 10, 0, 5), "k_h"),
        ((3, 10, 5, 5.0), "k_w"),
        ((4, 8, 3, 3, 0), "groups"),
    ],
)
def test_conv_parameters_rejects_impossible_input(arguments: tuple, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        PARAMETERS["conv_parameters"](*arguments)


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({"stride": (0, 1)}, "stride"),
        ({"padding": (-1, 0)}, "padding"),
        ({"dilation": (1, 0)}, "dilation"),
        ({"stride": (1,)}, "stride"),
        ({"dilation": (4, 1)}, "kernel"),  # 3x3 kernel with dilation 4 spans 9 > 6 rows
    ],
)
def test_loops_and_im2col_reject_impossible_geometry(settings: dict, complaint: str) -> None:
    x = np.zeros((2, 6, 6), dtype=np.float32)
    weight, bias = np.zeros((3, 2, 3, 3), dtype=np.float32), np.zeros(3, dtype=np.float32)
    with pytest.raises(ValueError, match=complaint if complaint != "kernel" else "weight"):
        LOOPS["conv2d_loops"](x, weight, bias, **settings)
    with pytest.raises(ValueError, match=complaint):
        IM2COL["conv2d_im2col"](x, weight, bias, **settings)


def test_parameter_formula_matches_modules() -> None:
    formula = PARAMETERS["conv_parameters"]
    for c_in, c_out, k_h, k_w, groups, bias in [
        (6, 12, 3, 5, 3, True),
        (8, 8, 1, 1, 8, False),
        (16, 4, 7, 2, 4, True),
    ]:
        layer = nn.Conv2d(c_in, c_out, (k_h, k_w), groups=groups, bias=bias)
        assert formula(c_in, c_out, k_h, k_w, groups, bias) == sum(
            p.numel() for p in layer.parameters()
        )


# --- implementations agree with torch on more configurations -----------------------------------


def random_geometries(count: int) -> list[dict]:
    rng = np.random.default_rng(1)
    configs = []
    while len(configs) < count:
        kernel = tuple(int(k) for k in rng.integers(1, 5, 2))
        stride = tuple(int(s) for s in rng.integers(1, 4, 2))
        padding = tuple(int(p) for p in rng.integers(0, 3, 2))
        dilation = tuple(int(d) for d in rng.integers(1, 3, 2))
        size = tuple(int(n) for n in rng.integers(3, 10, 2))
        spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
        if all(span <= n + 2 * p for span, n, p in zip(spans, size, padding, strict=True)):
            configs.append(
                {
                    "kernel": kernel,
                    "stride": stride,
                    "padding": padding,
                    "dilation": dilation,
                    "size": size,
                }
            )
    return configs


@pytest.mark.parametrize("geometry", random_geometries(12))
def test_loops_and_im2col_equal_torch(geometry: dict) -> None:
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, *geometry["size"])).astype(np.float32)
    weight = rng.standard_normal((2, 3, *geometry["kernel"])).astype(np.float32)
    bias = rng.standard_normal(2).astype(np.float32)
    settings = {key: geometry[key] for key in ("stride", "padding", "dilation")}
    x_t = torch.from_numpy(x)[None]
    reference = F.conv2d(x_t, torch.from_numpy(weight), torch.from_numpy(bias), **settings)[0]
    assert np.allclose(LOOPS["conv2d_loops"](x, weight, bias, **settings), reference, atol=1e-4)
    assert np.allclose(IM2COL["conv2d_im2col"](x, weight, bias, **settings), reference, atol=1e-4)
    columns = IM2COL["im2col"](x, geometry["kernel"], **settings)
    assert np.array_equal(columns, F.unfold(x_t, geometry["kernel"], **settings)[0].numpy())


# --- the cost counter against torch on several layers -------------------------------------------


@pytest.mark.parametrize(
    ("layer", "shape"),
    [
        (nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2)), (2, 4, 9, 8)),
        (nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False), (1, 8, 7, 7)),
        (nn.Conv2d(6, 9, 1, groups=3), (3, 6, 5, 4)),
        (nn.Linear(20, 7), (5, 20)),
        (nn.Linear(12, 3, bias=False), (2, 4, 12)),
        (nn.BatchNorm2d(5), (2, 5, 3, 3)),
    ],
    ids=["conv-rect-dilated", "depthwise", "grouped-1x1", "linear", "linear-3d", "batchnorm"],
)
def test_cost_counter_matches_torch(layer: nn.Module, shape: tuple[int, ...]) -> None:
    x = torch.randn(*shape)
    (cost,) = COUNTER["count_costs"](nn.Sequential(layer), x)
    assert cost.parameters == sum(p.numel() for p in layer.parameters())
    with FlopCounterMode(display=False) as counter:
        output = layer.eval()(x)
    torch_flops = counter.get_total_flops()
    assert cost.flops == (torch_flops if not isinstance(layer, nn.BatchNorm2d) else 2 * x.numel())
    weights = sum(p.numel() for p in layer.parameters()) + sum(
        b.numel() for b in layer.buffers() if b.is_floating_point()
    )
    assert cost.memory_elements == x.numel() + output.numel() + weights
    assert cost.memory_bytes == 4 * cost.memory_elements


def test_cost_counter_restores_training_mode_and_hooks() -> None:
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)).train()
    COUNTER["count_costs"](model, torch.randn(2, 1, 5, 5))
    assert model.training
    assert all(not m._forward_hooks for m in model.modules())


# --- numbers and claims in the prose -------------------------------------------------------------


def test_prose_quotes_the_stored_outputs() -> None:
    quoted = {
        "parameter_count.out": ["760", "31,467,520", "41,405", "125.9 MB", "120.0 MiB"],
        "pointwise_conv.out": ["589,824", "69,632", "1/8.47"],
        "im2col_general.out": ["9.00"],
        "cost_counter.out": ["0.25", "0.45"],
        "conv_output_size.out": ["(64, 112, 112)"],
    }
    for output, numbers in quoted.items():
        text = stored(output)
        for number in numbers:
            assert number in text, (output, number)
            plain = number.strip("()").split(", ")[-1]
            assert plain.replace(",", "{,}") in PAGE or plain in PAGE, (output, number)
    # "两个卷积层每读写一个字节做十几次浮点运算"
    intensities = [
        float(line.split()[-1])
        for line in stored("cost_counter.out").splitlines()
        if "Conv2d" in line
    ]
    assert len(intensities) == 2 and all(10 <= i < 20 for i in intensities)
    assert "十几次浮点运算" in PAGE


def test_property_test_sizes_are_the_ones_quoted() -> None:
    from tests.test_arithmetic_properties import EXAMPLES

    assert EXAMPLES == {"conv": 1500, "pool": 1500, "transposed": 1000}
    total = sum(EXAMPLES.values())
    assert f"卷积 {EXAMPLES['conv']:,} 组、池化 {EXAMPLES['pool']:,} 组" in PAGE
    assert f"转置卷积 {EXAMPLES['transposed']:,} 组配置，共 {total:,} 组" in PAGE


def test_ceil_mode_example_in_the_prose() -> None:
    """W=5, K=2, S=2, P=1: ceil gives 4 windows, the 4th starts at 6 = W + P, so 3 remain."""
    assert POOL["pool_output_size"](5, 2, 2, 1, ceil_mode=True) == 3
    assert POOL["pool_output_size"](5, 2, 2, 1, ceil_mode=False) == 3
    assert -(-(5 + 2 - 2) // 2) + 1 == 4 and (4 - 1) * 2 == 5 + 1
    assert F.max_pool2d(torch.zeros(1, 1, 5, 5), 2, 2, 1, ceil_mode=True).shape[-1] == 3
    assert "向上取整得 4 个窗口" in PAGE and "只剩 3 个" in PAGE
    fifth_row = stored("pool_output_size.out").splitlines()[5].split()
    assert fifth_row[:6] == ["5", "2", "2", "1", "1", "True"] and fifth_row[7] == "3"


def test_same_padding_claims() -> None:
    rows = {}
    for line in stored("same_padding.out").splitlines()[1:9]:
        k, d, total, before, after = (int(v) for v in line.split("|")[0].split())
        rows[(k, d)] = (total, before, after)
    assert rows[(2, 1)] == (1, 0, 1) and rows[(4, 1)] == (3, 1, 2) and rows[(4, 2)] == (6, 3, 3)
    assert "$K = 2$ 时左 0 右 1，$K = 4$ 时左 1 右 2" in PAGE and "总填充为 6，两侧各 3" in PAGE
    # odd K with P = K // 2 and stride S gives ceil(W / S): the identity the page uses
    for w in range(1, 60):
        for s in range(1, 5):
            assert (w - 1) // s + 1 == -(-w // s)
            for k in (1, 3, 5):
                assert CONV["conv_output_size"](w, k, s, k // 2) == -(-w // s)


def test_architecture_facts_in_the_prose() -> None:
    """ResNet's stem (7x7/S2/P3 conv without bias before BN, 3x3/S2/P1 pool), ResNet-50's
    256-64-64-256 bottleneck and GoogLeNet's 1x1 reductions, read from torchvision's definitions."""
    from torchvision import models

    with warnings.catch_warnings(), torch.device("meta"):
        warnings.simplefilter("ignore")
        resnet50 = models.resnet50()
        googlenet = models.googlenet(aux_logits=False, init_weights=False)
    conv1, pool = resnet50.conv1, resnet50.maxpool
    assert conv1.bias is None and isinstance(resnet50.bn1, nn.BatchNorm2d)  # bias=False before BN
    assert (conv1.kernel_size, conv1.stride, conv1.padding) == ((7, 7), (2, 2), (3, 3))
    assert (pool.kernel_size, pool.stride, pool.padding) == (3, 2, 1)
    block = resnet50.layer1[1]
    assert (block.conv1.in_channels, block.conv1.out_channels, block.conv1.kernel_size) == (
        256,
        64,
        (1, 1),
    )
    assert (block.conv2.in_channels, block.conv2.out_channels, block.conv2.kernel_size) == (
        64,
        64,
        (3, 3),
    )
    assert (block.conv3.in_channels, block.conv3.out_channels) == (64, 256)
    for branch in (googlenet.inception3a.branch2, googlenet.inception3a.branch3):
        reduce, spatial = branch[0].conv, branch[1].conv
        assert reduce.kernel_size == (1, 1) and reduce.out_channels < reduce.in_channels
        assert spatial.kernel_size[0] >= 3
    table = stored("common_choices.out")
    assert "| 卷积 | 7×7 / 2 / 3 | 16 | 17 | 3,144 | ResNet 的第一层 |" in table
    assert "| 最大池化 | 3×3 / 2 / 1 | 16 | 17 | 0 | ResNet 第一层之后的池化 |" in table


def test_benchmark_table_supports_the_prose() -> None:
    """Page: loops are hundreds to thousands of times slower than F.conv2d, im2col a few times.

    This reads the committed table (measured once by ``make bench``); it times nothing.
    """
    table = (RESULTS_DIR / "conv_speed.md").read_text(encoding="utf-8")
    ratios = re.findall(r"\| ([\d,]+) 倍 \| ([\d.]+) 倍 \|", table)
    assert len(ratios) == 5
    for loops, im2col in ratios:
        assert 100 <= float(loops.replace(",", "")) < 10_000
        assert float(im2col) < 10
    assert "逐位置循环比 `F.conv2d` 慢几百到几千倍" in PAGE and "缩小到几倍以内" in PAGE
    assert '--8<-- "benchmarks/results/conv_speed.md"' in PAGE


# --- more numbers in the prose: each against a stored output or a computation --------------------


def test_padding_modes_numbers_in_the_prose() -> None:
    """Page: the row [1, 2, 3, 4] padded by 2 per side; reflect pads at most W - 1 per side."""
    lines = stored("padding_modes.out").splitlines()
    assert "在一行 $[1, 2, 3, 4]$ 两侧各补 2 个" in PAGE
    assert lines[0] == "zeros     [0, 0, 1, 2, 3, 4, 0, 0]"  # 4 values + 2 on each side
    row = torch.tensor([[[1.0, 2, 3, 4]]])
    assert F.pad(row, (3, 3), mode="reflect").shape[-1] == 4 + 2 * 3  # W - 1 = 3 is allowed
    with pytest.raises(RuntimeError):
        F.pad(row, (4, 4), mode="reflect")  # W = 4 is not
    assert lines[-2].startswith("reflect, P=3, W=4: [4, 3, 2, 1, 2, 3, 4, 3, 2, 1]")
    assert lines[-1].startswith("reflect, P=4, W=4: ") and "Padding size" in lines[-1]
    assert "每侧最多补 $W - 1$ 个（输出最后两行）" in PAGE


def test_conv_example_geometry_in_the_prose() -> None:
    """Page: 5x5 input, 3x3 kernel, padding 1, stride 2; each frame shows 9 products."""
    image, kernel = conv_stride_padding.example_tensors()
    assert tuple(image.shape[-2:]) == (5, 5) and tuple(kernel.shape[-2:]) == (3, 3)
    assert CONV["conv_output_size"](5, 3, 2, 1) == 3
    assert "$5 \\times 5$ 的输入，$3 \\times 3$ 的卷积核，每侧填充 1，步长 2" in PAGE
    frames = conv_stride_padding.frame_numbers()
    assert all(len(frame["products"]) == 3 * 3 for frame in frames)
    assert [frame["corner"][1] for frame in frames[:2]] == [0, 2]  # the window jumps 2 cells
    assert "每一步跳过 2 格，这就是步长 2" in PAGE and "逐元素相乘的 9 个积" in PAGE


def test_output_size_diagram_second_config_span() -> None:
    """Page: the second configuration has dilation 3 and each window spans D(K - 1) + 1 = 7."""
    second = output_size_diagram.CONFIGS[1]
    span = second.dilation * (second.kernel - 1) + 1
    assert (second.dilation, span) == (3, 7)
    assert output_size_diagram.strip_numbers(second)["taps"][0] == [0, 3, 6]  # 7 cells wide
    assert "下面一种空洞率为 3，每个窗口跨越 7 格" in PAGE


def test_resnet_first_layer_formula_in_the_prose() -> None:
    second_line = stored("conv_output_size.out").splitlines()[1]
    assert second_line.startswith("(3, 224, 224)") and second_line.endswith("(64, 112, 112)")
    assert (224 + 2 * 3 - 7) // 2 + 1 == CONV["conv_output_size"](224, 7, 2, 3) == 112
    formula = "$\\lfloor (224 + 2 \\cdot 3 - 7)/2 \\rfloor + 1 = 112$"
    assert f"第二行是 ResNet 的第一层：{formula}" in PAGE


def test_partial_pooling_window_sizes_in_the_prose() -> None:
    """Page: 5x5 with 2x2 / stride 2 and ceil_mode gives 3x3 (flooring gives only 2x2)."""
    assert tuple(pooling_window.example_input().shape[-2:]) == (5, 5)
    assert POOL["pool_output_size"](5, 2, 2, 0, ceil_mode=True) == 3
    assert POOL["pool_output_size"](5, 2, 2, 0, ceil_mode=False) == 2
    max_line = next(line for line in stored("pool_output_size.out").splitlines() if "最大" in line)
    assert max_line.count("[") == 1 + 3  # three rows
    assert "得到 $3 \\times 3$ 的输出（向下取整只有 $2 \\times 2$）" in PAGE


def test_transposed_inverse_claims_in_the_prose() -> None:
    """Page: the numerator becomes (W - 1)S + output_padding, the convolution returns
    W + floor(output_padding / S), and it maps S different lengths onto the same W."""
    stored_line = stored("transposed_output_size.out").splitlines()[-1]
    assert stored_line.endswith("卷积(转置卷积(W)) == W + output_padding // S")
    assert "$W + \\lfloor \\text{output\\_padding} / S \\rfloor$" in PAGE
    assert "会把 $S$ 个不同的长度映射到同一个 $W$" in PAGE
    for s in range(1, 5):
        for k in range(1, 5):
            for p in range(2):
                for w in range(3, 8):
                    for op in range(s):
                        big = TRANSPOSED["conv_transpose_output_size"](w, k, s, p, op)
                        assert big + 2 * p - (k - 1) - 1 == (w - 1) * s + op  # the numerator
                    lengths = []
                    for n in range(1, 60):
                        try:
                            if CONV["conv_output_size"](n, k, s, p) == w:
                                lengths.append(n)
                        except ValueError:
                            continue
                    assert len(lengths) == s, (s, k, p, w)
                    assert lengths == [
                        TRANSPOSED["conv_transpose_output_size"](w, k, s, p, op) for op in range(s)
                    ]


def test_same_padding_table_supports_the_bullets() -> None:
    """Page: total padding D(K - 1); odd K pads K // 2 per side (3x3 -> 1, 5x5 -> 2); even K
    with K // 2 per side gives one more than the input; with dilation K // 2 is not enough."""
    rows = {}
    for line in stored("same_padding.out").splitlines()[1:9]:
        left, right = line.split("|")
        k, d, total, before, after = (int(v) for v in left.split())
        rows[(k, d)] = (total, before, after, int(right))
    for (k, d), (total, before, after, with_half) in rows.items():
        assert total == d * (k - 1) and before == total // 2 and after == total - before
        if d == 1 and k % 2 == 1:
            assert before == after == k // 2 and with_half == 8
        elif d == 1:
            assert with_half == 8 + 1
        else:
            assert with_half < 8
    assert rows[(3, 1)][1] == 1 and rows[(5, 1)][1] == 2
    assert "需要两侧一共补 $D(K - 1)$ 个像素" in PAGE
    assert "$3 \\times 3$ 配 $P = 1$、$5 \\times 5$ 配 $P = 2$" in PAGE
    assert "输出会比输入多 1" in PAGE


def test_common_choices_sizes_quoted_in_the_prose() -> None:
    table = stored("common_choices.out")
    assert "| 卷积 | 3×3 / 2 / 1 | 16 | 17 |" in table
    assert "| 最大池化 | 2×2 / 2 / 0 | 16 | 16 |" in table
    assert [CONV["conv_output_size"](w, 3, 2, 1) for w in (32, 33)] == [16, 17]
    assert POOL["pool_output_size"](33, 2) == 16
    assert "步长 2 时 32 变成 16、33 变成 17" in PAGE
    assert "输入为 33 时是 16，而步长 2 的 $3 \\times 3$ 卷积得到 17" in PAGE
    # two 3x3 against one 5x5: 2·9 = 18 against 25 (chapter 3's snippet prints the ratio)
    stacked = (SNIPPETS / "receptive_field" / "stacked_3x3.out").read_text(encoding="utf-8")
    assert "参数之比 0.720 = 18/25" in stacked and 2 * 9 == 18
    assert "$2 \\cdot 9 = 18$ 对 $25$" in PAGE


def test_conv_versus_dense_arithmetic_in_the_prose() -> None:
    first_line = stored("conv_output_size.out").splitlines()[0]
    assert first_line.startswith("(3, 32, 32)") and first_line.endswith("-> (10, 32, 32)")
    assert "'kernel_size': 5, 'padding': 2" in first_line
    inputs, outputs = 32 * 32 * 3, 32 * 32 * 10
    conv = PARAMETERS["conv_parameters"](3, 10, 5, 5)
    dense = inputs * outputs + outputs
    assert (inputs, outputs) == (3072, 10240)
    assert conv == 10 * (3 * 5 * 5) + 10 == 760 and dense == 31_467_520
    assert f"{round(dense / conv):,}" == "41,405"
    assert f"{4 * dense / 1e6:.1f}" == "125.9" and f"{4 * dense / 2**20:.1f}" == "120.0"
    assert "全部 $3072$ 个输入" in PAGE and "输出 $32 \\times 32 \\times 10$" in PAGE
    assert "10 个 $5 \\times 5$ 的滤波器，步长 1，每侧填充 2" in PAGE
    assert "$10 \\times (3 \\cdot 5 \\cdot 5) + 10 = 760$" in PAGE
    assert "$3072 \\times 10240 + 10240 = 31{,}467{,}520$" in PAGE


def test_intensity_explanations_in_the_prose() -> None:
    """Page: BN does 2 FLOPs per 4 + 4 bytes = 0.25; the linear layer runs at batch size 1."""
    table = stored("cost_counter.out").splitlines()
    bn = [float(line.split()[-1]) for line in table if "BatchNorm2d" in line]
    assert 2 / (4 + 4) == 0.25 and bn[0] == 0.25 and all(0.24 <= i <= 0.25 for i in bn)
    assert (
        "BN 最多 0.25 次（不计它自己的参数时正好是 0.25）——"
        "每个元素读 4 字节、写 4 字节，只做 2 次运算" in PAGE
    )
    assert COUNTER["example"].shape[0] == 1 and "批大小为 1 的全连接层也只有 0.45 次" in PAGE


def test_bottleneck_arithmetic_in_the_prose() -> None:
    rows = {}
    for line in stored("pointwise_conv.out").splitlines()[1:3]:
        params, macs = re.findall(r"参数\s+([\d,]+)\s+MACs\s+([\d,]+)", line)[0]
        rows[line.split()[0]] = (int(params.replace(",", "")), int(macs.replace(",", "")))
    (plain_p, plain_m), (neck_p, neck_m) = rows["3×3"], rows["瓶颈"]
    assert plain_p == 256 * 256 * 9 == 589_824
    assert neck_p == 256 * 64 + 64 * 64 * 9 + 64 * 256 == 69_632
    # each weight is used once at each of the 56 x 56 positions: MACs have the same ratio
    assert plain_m == plain_p * 56 * 56 and neck_m == neck_p * 56 * 56
    assert f"{plain_p / neck_p:.2f}" == f"{plain_m / neck_m:.2f}" == "8.47"
    assert "$256 \\cdot 256 \\cdot 9 = 589{,}824$" in PAGE
    assert "$256 \\cdot 64 + 64 \\cdot 64 \\cdot 9 + 64 \\cdot 256 = 69{,}632$" in PAGE
    assert "（输入 $56 \\times 56$）" in PAGE and "MACs 是同样的比例" in PAGE
    assert "降到 1/8.47" in PAGE  # the summary


def test_im2col_shape_and_memory_claims() -> None:
    """Page: columns are C_in K_h K_w x H'W'; each pixel is copied into about K_h K_w/(S_h S_w)
    columns, exactly 9.00 times for 3x3, stride 1, padding 1."""
    assert stored("im2col_general.out").startswith("列矩阵: (18, 55)")
    assert (18, 55) == (3 * 3 * 2, 5 * 11)  # C_in = 3, 3x2 kernel; output 5 x 11
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 64, 64)).astype(np.float32)
    same = IM2COL["im2col"](x, (3, 3), stride=(1, 1), padding=(1, 1), dilation=(1, 1))
    assert same.size / x.size == 9.0
    halved = IM2COL["im2col"](x, (3, 3), stride=(2, 2), padding=(1, 1), dilation=(1, 1))
    assert halved.size / x.size == 9 / (2 * 2)
    assert "列矩阵的形状是 $C_\\text{in} K_h K_w \\times H'W'$" in PAGE
    assert "约 $K_h K_w / (S_h S_w)$ 列里，$3 \\times 3$、步长 1、填充 1 时正好 9.00 倍" in PAGE


def test_cost_table_follows_the_mac_formulas() -> None:
    """Page: C_in K_h K_w / g MACs per conv output, C_i per fc output, 1 per BN element."""
    macs = {
        line.split()[1] + line.split()[0]: int(line.split()[2].replace(",", ""))
        for line in stored("cost_counter.out").splitlines()[1:6]
    }
    assert macs["Conv2d0"] == 32 * 32 * 32 * 3 * 3 * 3  # 32 channels of 32x32, 3x3 over 3
    assert macs["BatchNorm2d1"] == 32 * 32 * 32
    assert macs["Conv2d4"] == 64 * 8 * 8 * (32 // 2) * 3 * 3  # stride 2 on 16x16, groups 2
    assert macs["BatchNorm2d5"] == 64 * 8 * 8
    assert macs["Linear8"] == 64 * 8 * 8 * 10
    assert "有 $C_\\text{in} K_h K_w / g$ 次乘加" in PAGE and "每个元素 1 次" in PAGE


def test_pool_and_transposed_limits_in_the_prose() -> None:
    assert "$P \\le \\lfloor K/2 \\rfloor$" in PAGE
    for k in range(1, 7):
        assert POOL["pool_output_size"](20, k, 1, k // 2) >= 1
        with pytest.raises(ValueError, match="padding"):
            POOL["pool_output_size"](20, k, 1, k // 2 + 1)
    assert "$0 \\le \\text{output\\_padding} < \\max(S, D)$" in PAGE
    for s in range(1, 4):
        for d in range(1, 4):
            TRANSPOSED["conv_transpose_output_size"](4, 3, s, 0, max(s, d) - 1, d)
            with pytest.raises(ValueError, match="output_padding"):
                TRANSPOSED["conv_transpose_output_size"](4, 3, s, 0, max(s, d), d)


def test_summary_speed_claim_reads_the_committed_table() -> None:
    """Summary: im2col is hundreds of times faster than the loops (committed table, no timing)."""
    table = (RESULTS_DIR / "conv_speed.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| .+? \| ([\d.]+) \| ([\d.]+) \| [\d.]+ \|", table, re.M)
    assert len(rows) == 5
    assert all(float(loops) / float(im2col) >= 100 for loops, im2col in rows)
    assert "比逐位置循环快几百倍以上" in PAGE
