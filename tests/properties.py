"""Chapter 2's output-size properties, shared by tests/test_arithmetic_properties.py (which runs
them) and tests/test_widgets_calculator.py (which replays them and checks the page's JavaScript
calculator on every configuration they drew).

Each property draws configurations from a range that deliberately includes impossible values
(stride 0, negative padding, kernels larger than the padded input, groups that do not divide the
channels, output_padding too large…) and checks both directions: when torch computes an output,
our function returns the same size; when torch refuses, our function raises ``ValueError``.

The draws are derandomized: hypothesis seeds them from the source of each nested ``check``, so
that source must not change if the replayed configurations are to stay the same.

Transposed convolutions run in float64: in float32 torch may hand a 2-D transposed convolution to
oneDNN, which on some CPUs and batch sizes returns an empty tensor instead of refusing an output
length of 0 or less; torch's own shape check, used for float64, always refuses it.
"""

from __future__ import annotations

import functools
import warnings
from collections import Counter
from collections.abc import Callable

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn import functional as F

from tests.helpers import snippet

CONV = snippet("arithmetic/conv_output_size")
POOL = snippet("arithmetic/pool_output_size")
TRANSPOSED = snippet("variants/transposed_size")  # chapter 4 teaches the transposed sizes

# The pages quote these counts (tests/test_arithmetic_prose.py checks that they do).
EXAMPLES = {"conv": 1500, "pool": 1500, "transposed": 1000}
SETTINGS = {
    "derandomize": True,
    "database": None,
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow],
}


def weighted(weights: dict[int, int]) -> st.SearchStrategy[int]:
    """Draw ``value`` with probability proportional to ``weights[value]``."""
    return st.sampled_from([value for value, weight in weights.items() for _ in range(weight)])


# The first value of each is invalid (torch refuses it); small valid values are the most common.
sizes = weighted({0: 1, **dict.fromkeys(range(1, 13), 2)})
kernels = weighted({0: 1, 1: 3, 2: 3, 3: 4, 4: 2, 5: 2, 6: 1})
strides = weighted({0: 1, 1: 5, 2: 4, 3: 2, 4: 1})
paddings = weighted({-1: 1, 0: 5, 1: 4, 2: 3, 3: 1, 4: 1})
dilations = weighted({0: 1, 1: 8, 2: 3, 3: 2})
output_paddings = weighted({-1: 1, 0: 4, 1: 3, 2: 2, 3: 1})
groups_values = weighted({0: 1, 1: 6, 2: 3, 3: 2, 4: 2})


Outcome = tuple[int, ...] | None
# Every configuration each property drew, with torch's outcome, by kind ("conv", "pool",
# "transposed"); tests/test_widgets_calculator.py replays the properties (replay_properties) and
# checks the page's JavaScript calculator on exactly these.
DRAWN: dict[str, list[tuple[dict, Outcome]]] = {}
latest_torch_outcome: list[Outcome] = [None]


def torch_outcome(compute: Callable[[], torch.Tensor]) -> tuple[int, ...] | None:
    """The spatial output shape torch computes, or None if torch refuses the configuration."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zero-element weights warn before they fail
            latest_torch_outcome[0] = tuple(compute().shape[2:])
    except (RuntimeError, ValueError):
        latest_torch_outcome[0] = None
    return latest_torch_outcome[0]


def our_outcome(compute: Callable[[], tuple[int, ...]]) -> tuple[int, ...] | None:
    try:
        return compute()
    except ValueError as error:
        assert str(error), "a ValueError must say what is wrong"
        return None


def run_property(kind: str, test: Callable, tally: Counter, minimum_share: float) -> None:
    """Run a hypothesis test EXAMPLES[kind] times and check it met both valid and refused
    configurations often. What it draws is kept in DRAWN[kind]."""
    examples = EXAMPLES[kind]
    check = test.hypothesis.inner_test
    drawn = DRAWN.setdefault(kind, [])
    drawn.clear()

    @functools.wraps(check)  # the same source, hence the same derandomized draws
    def recording_check(**configuration: object) -> None:
        check(**configuration)
        drawn.append((configuration, latest_torch_outcome[0]))

    test.hypothesis.inner_test = recording_check
    settings(max_examples=examples, **SETTINGS)(test)()
    total = tally["valid"] + tally["refused"]
    assert total >= examples, tally
    assert tally["valid"] >= minimum_share * total, tally
    assert tally["refused"] >= minimum_share * total, tally


def conv2d_matches_torch() -> None:
    """nn.Conv2d against conv2d_output_shape: same output size, or both refuse."""
    tally: Counter = Counter()

    @given(
        in_channels=st.integers(1, 6),
        out_channels=st.integers(1, 6),
        groups=groups_values,
        height=sizes,
        width=sizes,
        kernel=st.tuples(kernels, kernels),
        stride=st.tuples(strides, strides),
        padding=st.tuples(paddings, paddings),
        dilation=st.tuples(dilations, dilations),
    )
    def check(in_channels, out_channels, groups, height, width, kernel, stride, padding, dilation):
        arguments = {
            "kernel_size": kernel,
            "stride": stride,
            "padding": padding,
            "dilation": dilation,
            "groups": groups,
        }
        theirs = torch_outcome(
            lambda: nn.Conv2d(in_channels, out_channels, **arguments)(
                torch.zeros(1, in_channels, height, width)
            )
        )
        ours = our_outcome(
            lambda: CONV["conv2d_output_shape"](
                (in_channels, height, width), out_channels, **arguments
            )[1:]
        )
        assert ours == theirs
        tally["valid" if theirs is not None else "refused"] += 1

    run_property("conv", check, tally, minimum_share=0.25)


def pooling_matches_torch() -> None:
    """max_pool2d / avg_pool2d against pool_output_size: same output size, or both refuse."""
    tally: Counter = Counter()

    @given(
        height=sizes,
        width=sizes,
        kernel=st.tuples(kernels, kernels),
        stride=st.one_of(st.none(), st.tuples(strides, strides)),
        padding=st.tuples(paddings, paddings),
        dilation=st.tuples(dilations, dilations),
        ceil_mode=st.booleans(),
        average=st.booleans(),
    )
    def check(height, width, kernel, stride, padding, dilation, ceil_mode, average):
        x = torch.zeros(1, 1, height, width)
        if average:  # AvgPool2d has no dilation
            dilation = (1, 1)
            theirs = torch_outcome(
                lambda: F.avg_pool2d(x, kernel, stride, padding, ceil_mode=ceil_mode)
            )
        else:
            theirs = torch_outcome(
                lambda: F.max_pool2d(x, kernel, stride, padding, dilation, ceil_mode=ceil_mode)
            )
        strides_hw = (None, None) if stride is None else stride
        ours = our_outcome(
            lambda: tuple(
                POOL["pool_output_size"](size, k, s, p, d, ceil_mode)
                for size, k, s, p, d in zip(
                    (height, width), kernel, strides_hw, padding, dilation, strict=True
                )
            )
        )
        assert ours == theirs
        tally["valid" if theirs is not None else "refused"] += 1

    run_property("pool", check, tally, minimum_share=0.25)


def transposed_matches_torch() -> None:
    """nn.ConvTranspose2d against transposed_output_size: same output size, or both refuse."""
    tally: Counter = Counter()

    @given(
        channels=st.sampled_from([(1, 1, 1), (2, 4, 2), (4, 2, 1), (3, 3, 3)]),
        height=sizes,
        width=sizes,
        kernel=st.tuples(kernels, kernels),
        stride=st.tuples(strides, strides),
        padding=st.tuples(paddings, paddings),
        output_padding=st.tuples(output_paddings, output_paddings),
        dilation=st.tuples(dilations, dilations),
    )
    def check(channels, height, width, kernel, stride, padding, output_padding, dilation):
        in_channels, out_channels, groups = channels  # groups always divide: see the conv test
        layer = lambda: nn.ConvTranspose2d(  # noqa: E731
            in_channels,
            out_channels,
            kernel,
            stride,
            padding,
            output_padding,
            groups,
            dilation=dilation,
        )
        x = torch.zeros(1, in_channels, height, width, dtype=torch.float64)  # see the docstring
        theirs = torch_outcome(lambda: layer().double()(x))
        ours = our_outcome(
            lambda: tuple(
                TRANSPOSED["transposed_output_size"](*axis)
                for axis in zip(
                    (height, width), kernel, stride, padding, dilation, output_padding, strict=True
                )
            )
        )
        assert ours == theirs
        tally["valid" if theirs is not None else "refused"] += 1

    run_property("transposed", check, tally, minimum_share=0.2)


def replay_properties() -> dict[str, list[tuple[dict, Outcome]]]:
    """Run the three properties again (same draws) and return what each drew, by kind."""
    conv2d_matches_torch()
    pooling_matches_torch()
    transposed_matches_torch()
    return {kind: list(drawn) for kind, drawn in DRAWN.items()}
