"""Chapter 8 (经典与轻量网络结构): the comparison table, its receptive fields and units, the
figure, and the claims the pages make about the table's numbers.

The counted columns are recomputed from the snippet on the meta device and must equal, cell for
cell, the table the page includes (``benchmarks/results/architecture_latency.md``) and the JSON
the prose and the figure read. Measured times are never judged; only the prose's statements about
the stored measurement are checked against it.
"""

from __future__ import annotations

import json
import math

import pytest
import torch
from torch import nn
from torchvision import models

from benchmarks.architecture_latency import LABELS, table_rows
from benchmarks.common import RESULTS_DIR
from figures.architecture_tradeoff import DEPTHWISE, load_points
from tests.helpers import snippet

RESULTS = json.loads((RESULTS_DIR / "architecture_latency.json").read_text(encoding="utf-8"))
STORED = RESULTS["models"]
TABLE_MD = (RESULTS_DIR / "architecture_latency.md").read_text(encoding="utf-8")
LIGHTWEIGHT = ["mobilenet_v2", "mobilenet_v3_large", "mobilenet_v3_small", "shufflenet_v2_x1_0"]
LIGHTWEIGHT += ["efficientnet_b0"]
DENSE = ["resnet18", "resnet50", "vgg16"]
REQUIRED = {
    "alexnet", "vgg16", "googlenet", "inception_v3", "resnet18", "resnet50", "densenet121",
    "mobilenet_v2", "mobilenet_v3_large", "mobilenet_v3_small", "shufflenet_v2_x1_0",
    "squeezenet1_1", "efficientnet_b0", "convnext_tiny",
}  # fmt: skip


@pytest.fixture(scope="module")
def fresh() -> dict[str, dict]:
    return snippet("architectures/model_table")["table"]


def throughput(name: str) -> float:
    """Stored MACs per second (G) of one network."""
    return STORED[name]["macs"] / 1e9 / (STORED[name]["latency_ms"] / 1e3)


def test_the_table_covers_the_networks_the_issue_asks_for(fresh: dict) -> None:
    assert set(fresh) == REQUIRED == set(STORED) == set(LABELS)


def test_the_included_table_is_the_fresh_count(fresh: dict) -> None:
    latency = {name: row["latency_ms"] for name, row in STORED.items()}
    rows = [line for line in TABLE_MD.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[1:] == table_rows(fresh, latency)  # every cell, counted ones recomputed now


@pytest.mark.parametrize("key", ["input", "params", "flops", "field", "ops", "file_mib", "acc1"])
def test_the_stored_values_are_the_fresh_count(fresh: dict, key: str) -> None:
    assert {name: row[key] for name, row in STORED.items()} == {
        name: row[key] for name, row in fresh.items()
    }
    assert all(STORED[name]["macs"] * 2 == row["flops"] for name, row in fresh.items())


def test_flop_counter_halved_is_torchvision_ops_to_the_printed_precision(fresh: dict) -> None:
    for name, row in fresh.items():
        assert f"{row['flops'] / 2 / 1e9:.3f}" == f"{row['ops']:.3f}", name
        assert row["params"] == row["num_params"], name


@pytest.mark.parametrize("name", ["alexnet", "inception_v3", "resnet50", "mobilenet_v3_small",
                                  "convnext_tiny"])  # fmt: skip
def test_chapter_2_counter_gives_the_same_macs(fresh: dict, name: str) -> None:
    """Chapter 2's forward-hook counter (convolutions and linear layers) agrees with
    FlopCounterMode / 2: two independent counts of the MACs column."""
    count_costs = snippet("arithmetic/cost_counter")["count_costs"]
    extra = snippet("architectures/model_table")["MODELS"][name]
    with torch.device("meta"):
        model = models.get_model(name, weights=None, **extra)
    side = fresh[name]["input"]
    costs = count_costs(model, torch.empty(1, 3, side, side, device="meta"))
    macs = sum(cost.macs for cost in costs if cost.kind in ("Conv2d", "Linear"))
    assert 2 * macs == fresh[name]["flops"]


def test_inception_v3_is_counted_at_299_pixels(fresh: dict) -> None:
    assert fresh["inception_v3"]["input"] == 299
    assert {row["input"] for name, row in fresh.items() if name != "inception_v3"} == {224}


def test_receptive_fields_agree_with_chapter_3_calculator(fresh: dict) -> None:
    receptive_fields = snippet("receptive_field/calculator")["receptive_fields"]
    for name, row in fresh.items():
        last = receptive_fields(list(row["path"]))[-1]
        assert (last.size, last.jump) == (row["field"], row["jump"]), name
    chapter_3 = snippet("receptive_field/real_networks")["table"]
    assert fresh["vgg16"]["field"] == chapter_3["VGG-16 pool5"][0]
    assert fresh["resnet18"]["field"] == chapter_3["ResNet-18 layer4"][0]


def trace(module: nn.Module, side: int = 32) -> tuple:
    tracer_class = snippet("architectures/model_table")["FieldTracer"]
    image = torch.empty(1, 3, side, side, device="meta")
    tracer = tracer_class(image)
    with tracer:
        module.to("meta")(image)
    return tracer.last


class TwoBranches(nn.Module):
    def __init__(self, gate: bool, mismatch: bool = False):
        super().__init__()
        self.small = nn.Conv2d(3, 4, 3, 2 if mismatch else 1, 1)
        # with mismatch: 32 -> 16 pixels both ways, but with jumps 2 and 1
        self.large = nn.Conv2d(3, 4, 17, 1, 0) if mismatch else nn.Conv2d(3, 4, 5, 1, 2)
        self.gate = gate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.cat([self.small(x), self.large(x)], dim=1)
        return y * torch.sigmoid(y.mean(dim=(2, 3), keepdim=True)) if self.gate else y


def test_the_tracer_takes_the_largest_branch_and_skips_global_gates() -> None:
    (height, jump, path), _ = trace(TwoBranches(gate=False))
    assert (height, jump, path) == (5, 1, ((5, 1, 2, 1),))
    assert trace(TwoBranches(gate=True))[0][0] == 5  # the SE-like gate does not make it global
    with pytest.raises(AssertionError, match="跳距"):
        trace(TwoBranches(gate=False, mismatch=True))  # branches with unequal jumps


def test_the_file_size_unit_is_mebibytes(fresh: dict) -> None:
    for name, row in fresh.items():
        extra = snippet("architectures/model_table")["MODELS"][name]
        if name == "googlenet":  # the published file still holds the two auxiliary classifiers
            extra = {**extra, "aux_logits": True}
        with torch.device("meta"):
            state = models.get_model(name, weights=None, **extra).state_dict()
        tensor_bytes = sum(t.numel() * t.element_size() for t in state.values())
        assert math.isclose(row["file_mib"] * 2**20, tensor_bytes, rel_tol=0.01), name
        assert row["file_mib"] * 1e6 < tensor_bytes, name  # read as MB, smaller than its contents


def test_the_figure_marks_exactly_the_networks_with_depthwise_convolutions(fresh: dict) -> None:
    for name in fresh:
        extra = snippet("architectures/model_table")["MODELS"][name]
        with torch.device("meta"):
            model = models.get_model(name, weights=None, **extra)
        depthwise = any(
            isinstance(m, nn.Conv2d) and m.groups == m.in_channels > 1 for m in model.modules()
        )
        assert depthwise == (name in DEPTHWISE), name
    points = {point["name"]: point for point in load_points()}
    assert points.keys() == STORED.keys()
    for name, point in points.items():
        assert point["latency_ms"] == STORED[name]["latency_ms"]
        assert math.isclose(point["gmacs"] * 1e9, STORED[name]["macs"])


def test_macs_do_not_predict_latency_in_the_stored_measurement() -> None:
    """The lesson of the figure, in two forms that hold on any CPU (checked on the data the
    page shows, never on a timing taken in the test)."""
    macs_ratio = STORED["resnet18"]["macs"] / STORED["mobilenet_v3_small"]["macs"]
    latency_ratio = STORED["resnet18"]["latency_ms"] / STORED["mobilenet_v3_small"]["latency_ms"]
    assert latency_ratio < macs_ratio / 3
    slowest_dense = min(throughput(name) for name in DENSE)
    assert all(throughput(name) < slowest_dense for name in LIGHTWEIGHT)


def test_the_prose_claims_about_the_table() -> None:
    retrained = {name for name, row in STORED.items() if row["weights"] == "IMAGENET1K_V2"}
    assert retrained == {"resnet50", "mobilenet_v2", "mobilenet_v3_large"}
    assert throughput("alexnet") < min(throughput(name) for name in DENSE)  # comparison.md
    assert throughput("googlenet") < throughput("resnet18")  # lightweight.md, G3
    assert max(STORED, key=lambda name: STORED[name]["acc1"]) == "convnext_tiny"
    assert math.isclose(STORED["convnext_tiny"]["macs"], STORED["resnet50"]["macs"], rel_tol=0.1)
    assert STORED["densenet121"]["params"] < STORED["resnet50"]["params"] / 3
    assert STORED["squeezenet1_1"]["macs"] > STORED["mobilenet_v2"]["macs"]
    assert STORED["squeezenet1_1"]["params"] < STORED["alexnet"]["params"] / 40
    for key in ("macs", "params"):
        assert max(STORED, key=lambda name, key=key: STORED[name][key]) == "vgg16"
    assert snippet("architectures/nin_block")["total"] < STORED["alexnet"]["params"] / 8
    big = [name for name, row in STORED.items() if row["field"] > row["input"]]
    assert len(big) > len(STORED) / 2  # “多数网络的感受野远大于输入边长”
