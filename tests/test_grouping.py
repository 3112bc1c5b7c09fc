"""``--dist loadgroup`` keeps every ``xdist_group`` on one worker.

The suite relies on it: chapter 9's modules train one LeNet per group, chapter 10's run the
quick experiments once, and the widget modules merge the coverage of all their visits. pytest
9.2.0 silently broke it (pytest-xdist issue 1386: the group suffix of the node id is ignored),
which doubled that work and split the coverage; this test catches such a pin again.
"""

from __future__ import annotations

import pytest

GROUP = "grouping-check"
pytestmark = pytest.mark.xdist_group(GROUP)


def test_a_grouped_test_carries_its_group(request: pytest.FixtureRequest) -> None:
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("只在 pytest -n N --dist loadgroup（make test）下检查：单进程运行没有分组")
    assert request.node.nodeid.endswith(f"@{GROUP}"), request.node.nodeid
