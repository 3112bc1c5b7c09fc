"""What chapter 4's (卷积的变体) test modules share: the page, snippets, outputs, MAC counts."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import settings
from torch.utils.flop_counter import FlopCounterMode

from tests.helpers import page, snippet, stored

PAGE = page("conv-variants.md")
FAST = settings(max_examples=25, deadline=None, derandomize=True)


def variant(name: str) -> dict:
    """The globals of ``snippets/variants/<name>.py`` after one run."""
    return snippet(f"variants/{name}")


def output(name: str) -> str:
    """The stored output ``snippets/variants/<name>.out``."""
    return stored(f"variants/{name}.out")


def macs(fn: Callable[[], object]) -> int:
    """Multiply–accumulates of one call, as ``FlopCounterMode`` counts them (FLOPs / 2)."""
    with FlopCounterMode(display=False) as counter:
        fn()
    return counter.get_total_flops() // 2
