"""Chapter 3's shared test pieces: the receptive-field calculator, the random stacks and layer
lists (hypothesis strategies) and exact arithmetic on which input positions a unit reads.

tests/test_receptive_field.py (the property tests), tests/test_receptive_field_prose.py (the page)
and tests/test_widgets_calculator.py (the calculator widget, on the same random stacks) use them.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.helpers import snippet

CALCULATOR = snippet("receptive_field/calculator")
receptive_fields = CALCULATOR["receptive_fields"]
field_top_down = CALCULATOR["field_top_down"]
field_closed_form = CALCULATOR["field_closed_form"]
clipped_interval = CALCULATOR["clipped_interval"]

Layer = tuple[int, int, int, int]  # (K, S, P, D) of one layer
# the ranges of the random stacks (inclusive), as the page states them
STACK_LAYERS, STACK_KERNELS, STACK_STRIDES, STACK_DILATIONS = (1, 4), (1, 5), (1, 3), (1, 3)
# How many examples the tests draw; the page quotes these counts (hand_numbers) and
# tests/test_receptive_field_prose.py checks that it quotes exactly these.
PROPERTY_EXAMPLES = 250  # random stacks in the gradient property test (test_receptive_field.py)
FORMULA_EXAMPLES = 400  # random layer lists for the three algorithms (test_receptive_field.py)
STACK_EXAMPLES = 300  # random stacks, and layer lists, for the widget (test_widgets_calculator.py)


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
