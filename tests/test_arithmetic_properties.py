"""Chapter 2: the output-size calculators agree with real torch modules on random configurations.

The properties themselves live in tests/properties.py (tests/test_widgets_calculator.py replays
them to check the page's JavaScript calculator on the same configurations); this module runs them.

The tensors are tiny and live on the CPU. The ``meta`` device would be faster but is not a
faithful oracle: in torch 2.14 it accepts negative padding, dilation 0, spatial size 0 and an
output_padding >= stride that the CPU kernels refuse (checked once by hand; see
``test_meta_device_is_not_a_faithful_oracle``).
"""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from tests.helpers import one_thread
from tests.properties import (
    conv2d_matches_torch,
    pooling_matches_torch,
    torch_outcome,
    transposed_matches_torch,
)


@pytest.fixture(autouse=True, scope="module")
def single_thread():
    """xdist runs two workers on two cores: one intra-op thread each avoids oversubscription."""
    with one_thread():
        yield


def test_conv2d_output_shape_matches_nn_conv2d() -> None:
    conv2d_matches_torch()


def test_pool_output_size_matches_max_and_avg_pooling() -> None:
    pooling_matches_torch()


def test_conv_transpose_output_size_matches_nn_conv_transpose2d() -> None:
    transposed_matches_torch()


def test_meta_device_is_not_a_faithful_oracle() -> None:
    """Why the properties run on the CPU: meta accepts configurations the CPU refuses."""
    x, w = torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3)
    for device in ("cpu", "meta"):
        outcome = torch_outcome(lambda d=device: F.conv2d(x.to(d), w.to(d), padding=-1))
        assert (outcome is None) == (device == "cpu")
