"""Chapter 10 (模型压缩), the stored experiments: they are a full multi-seed run, hang together,
produce the committed tables and figures, and a fresh quick run (one seed, fewer settings, the
same code) falls inside bands derived from the spread over the stored seeds.

Why bands and not "stored number ± tolerance": another CPU (AVX-512, AVX2 or none) adds
floating-point numbers in another order and trains a slightly different LeNet, exactly as
another seed does. So the stored run trains 5 seeds, and a fresh run must land within the range
of those seeds, widened by ``max(2 · SD over seeds, floor)``:

* a trained or fine-tuned network: floor 0.6 percentage points. Measured: seed 0 of a quick run
  under ``ATEN_CPU_CAPABILITY=avx2`` and ``=default`` left the stored range by at most 0.31 and
  0.37 points (one-shot pruning + fine-tuning at 90 %, stored 98.32–98.42, fresh 98.01 and 97.95);
  the base LeNet gave 99.13 and 99.10 against the stored 99.02–99.19;
* a network transformed without retraining, where every stored seed keeps 98 % or more (light
  pruning, 4 bits or more, rank 16 or more): floor 1 point (measured: at most 0.02 below);
* the same in the steep parts of the curves (a network pruned or quantised until it collapses):
  floor 30 points. A slightly different network collapses at a slightly different sparsity or
  bit width; measured: up to 20.9 points below the stored range (conv1 alone pruned to 80 %,
  stored 93.40–96.62, fresh 72.46 under ``=default``).

Sizes, parameter counts and MACs are exact, except the files whose size depends on which
weights survive pruning (CSR, Huffman-coded): within 2 % (measured: 0.3 % and 1.3 %).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import compression_table
from cnnbook.compression import costs, pruning
from cnnbook.compression.experiments import (
    FULL,
    QUICK,
    RESULTS_FILE,
    TABLES,
    Log,
    load_results,
    run,
    write_results,
)
from cnnbook.compression.experiments.common import Settings
from cnnbook.compression.fitting import Mnist
from figures import (
    compression_bits,
    compression_rank,
    compression_sensitivity,
    compression_sparsity,
    compression_tradeoff,
)
from tests.helpers import one_thread
from tests.paths import SNIPPETS

pytestmark = pytest.mark.xdist_group("compression")  # one worker runs the quick experiments

RESULTS = SNIPPETS / "compression" / "results"
STORED = load_results(RESULTS)
TRAINED_FLOOR, FLAT, FLAT_FLOOR, STEEP_FLOOR = 0.6, 98.0, 1.0, 30.0


def band(stat: dict, trained: bool) -> tuple[float, float]:
    untrained = FLAT_FLOOR if stat["min"] >= FLAT else STEEP_FLOOR
    margin = max(2 * stat["std"], TRAINED_FLOOR if trained else untrained)
    return stat["min"] - margin, stat["max"] + margin


def inside(stat: dict, fresh: dict, where: str, trained: bool) -> None:
    low, high = band(stat, trained)
    [value] = fresh["values"]
    assert low <= value <= high, (
        f"{where}: fresh {value} outside [{low:.2f}, {high:.2f}] "
        f"(stored seeds {stat['values']}, mean {stat['mean']}, SD {stat['std']})"
    )


@pytest.fixture(scope="module")
def quick(mnist_root: Path) -> dict:
    with one_thread():
        return run(QUICK, Mnist.load(mnist_root, download=False), Log(enabled=False))


def test_stored_results_are_a_full_multi_seed_run() -> None:
    settings = json.loads(json.dumps(STORED["settings"]))
    assert (
        settings
        == json.loads(json.dumps(Settings().__dict__))
        == json.loads(json.dumps(FULL.__dict__))
    )
    assert len(STORED["settings"]["seeds"]) >= 5 and STORED["threads"] == 1
    for stat in (
        STORED["base"]["test_accuracy"],
        STORED["comparison"]["rows"]["original"]["test_accuracy"],
    ):
        assert len(stat["values"]) == len(STORED["settings"]["seeds"])


def test_stored_tables_come_from_the_stored_results(tmp_path: Path) -> None:
    write_results(STORED, tmp_path)
    for name in TABLES:
        assert (tmp_path / name).read_text() == (RESULTS / name).read_text(), name
    assert json.loads((tmp_path / RESULTS_FILE).read_text()) == STORED
    assert sorted(p.name for p in RESULTS.iterdir()) == sorted([RESULTS_FILE, *TABLES])


def test_stored_results_hang_together() -> None:
    rows, base = STORED["comparison"]["rows"], STORED["base"]
    assert rows["original"]["file_bytes"]["values"] == [base["file_bytes"]] * len(base["seeds"])
    assert rows["original"]["test_accuracy"] == base["test_accuracy"]
    assert (
        rows["original"]["parameters"]
        == base["parameters"]
        == costs.count_parameters(compression_table.rebuilt(rows["original"], STORED["settings"]))
    )
    for row in rows.values():
        ratios = [round(base["file_bytes"] / size, 2) for size in row["file_bytes"]["values"]]
        assert row["compression_ratio"]["values"] == ratios
    pruned, int8 = rows["pruned"], STORED["quantization"]["int8"]
    weights = pruning.prunable_weights(compression_table.rebuilt(rows["original"], {}))
    assert int8["weights"] == sum(w.numel() for w in weights.values())
    assert pruned["parameters"] - pruned["nonzero_parameters"] == round(
        STORED["settings"]["compared_sparsity"] * int8["weights"]
    )
    biases = base["parameters"] - int8["weights"]
    # int8 weights, float32 scales (one per output channel = one per bias) and biases
    assert int8["dynamic"]["payload_bytes"] == int8["weights"] + 4 * (2 * biases)
    assert rows["int8_dynamic"]["file_bytes"]["mean"] == int8["dynamic"]["file_bytes"]
    assert (
        rows["deep_compression"]["file_bytes"]["values"]
        == STORED["deep_compression"]["rows"][str(STORED["settings"]["compared_share_bits"])][
            "file_bytes"
        ]["shared_huffman"]["values"]
    )


def test_figures_draw_the_stored_results() -> None:
    drawn = compression_sparsity.series(STORED)
    [global_line] = [v for k, v in drawn.items() if k.startswith("全局")]
    assert global_line[1][1:] == list(STORED["pruning"]["one_shot"]["global"].values())
    layers = compression_sensitivity.series(STORED)
    assert list(layers) == ["conv1", "conv2", "fc1", "fc2", "fc3"]
    assert layers["fc1"][1][1:] == list(STORED["pruning"]["sensitivity"]["fc1"].values())
    bits = compression_bits.series(STORED)
    assert bits["对称，逐通道"] == (
        STORED["quantization"]["bits"],
        list(STORED["quantization"]["schemes"]["symmetric, per channel"].values()),
    )
    points = compression_tradeoff.points(STORED)
    assert [(size, accuracy) for _, size, accuracy, _ in points] == [
        (row["file_bytes"]["mean"] / 1e3, row["test_accuracy"]["mean"])
        for row in STORED["comparison"]["rows"].values()
    ]
    assert set(compression_tradeoff.LABELS) == set(STORED["comparison"]["rows"])
    ranks, energy = compression_rank.energy_curve(STORED)
    assert energy[-1]["mean"] == pytest.approx(100) and len(ranks) == 120


def test_the_latency_benchmark_rebuilds_the_compared_networks() -> None:
    settings = STORED["settings"]
    for name, row in STORED["comparison"]["rows"].items():
        model = compression_table.rebuilt(row, settings)
        assert name in compression_table.LABELS
        if row["format"] == "int8":
            int8_layers = [m for m in model.modules() if hasattr(m, "weight_int8")]
            count = sum(m.weight_int8.numel() + m.bias.numel() for m in int8_layers)
            assert count == row["parameters"] and len(int8_layers) == 5
        else:
            assert costs.count_parameters(model) == row["parameters"]
            assert costs.total_macs(model) == row["macs"]
            assert costs.nonzero_parameters(model) == row["nonzero_parameters"]


# --- a fresh quick run against the stored seeds -------------------------------------------


def accuracy_pairs(stored: dict, fresh: dict) -> list[tuple[str, dict, dict, bool]]:
    """(where, stored statistics, fresh statistics, trained?) of every accuracy the quick run
    repeats; trained: the network was trained or fine-tuned after its last change."""
    pairs = [("base", stored["base"]["test_accuracy"], fresh["base"]["test_accuracy"], True)]
    for part in ("one_shot", "sensitivity"):
        for key, curve in fresh["pruning"][part].items():
            for s, stat in curve.items():
                pairs.append((f"{part} {key} {s}", stored["pruning"][part][key][s], stat, False))
    for s, row in fresh["pruning"]["recovery"].items():
        for key in ("one_shot_fine_tuned", "gradual"):
            pairs.append((f"{key} {s}", stored["pruning"]["recovery"][s][key], row[key], True))
    for key, row in fresh["channels"]["rows"].items():
        old = stored["channels"]["rows"][key]
        pairs.append((f"{key} before", old["before_fine_tuning"], row["before_fine_tuning"], False))
        pairs.append((f"{key} tuned", old["test_accuracy"], row["test_accuracy"], True))
    schemes = stored["quantization"]["schemes"]
    for scheme, curve in fresh["quantization"]["schemes"].items():
        for b, stat in curve.items():
            pairs.append((f"{scheme} {b} bits", schemes[scheme][b], stat, False))
    for kind in ("dynamic", "static"):
        old, new = stored["quantization"]["int8"][kind], fresh["quantization"]["int8"][kind]
        pairs.append((f"int8 {kind}", old["test_accuracy"], new["test_accuracy"], True))
    for b, row in fresh["low_bit"]["qat"].items():
        old = stored["low_bit"]["qat"][b]
        pairs += [
            (f"ptq {b}", old["ptq"], row["ptq"], False),
            (f"qat {b}", old["qat"], row["qat"], True),
        ]
    binary = stored["low_bit"]["binary"], fresh["low_bit"]["binary"]
    pairs.append(("binary, after training", *(b["after_training"] for b in binary), False))
    pairs.append(("binary, trained", *(b["trained"] for b in binary), True))
    for r, row in fresh["low_rank"]["rows"].items():
        old = stored["low_rank"]["rows"][r]["test_accuracy"]
        pairs.append((f"rank {r}", old, row["test_accuracy"], False))
    for r, row in fresh["low_rank"]["fine_tuned"].items():
        old = stored["low_rank"]["fine_tuned"][r]["after"]
        pairs.append((f"rank {r} tuned", old, row["after"], True))
    for name, row in fresh["comparison"]["rows"].items():
        old = stored["comparison"]["rows"][name]["test_accuracy"]
        pairs.append((f"comparison {name}", old, row["test_accuracy"], name != "deep_compression"))
    return pairs


@pytest.mark.slow
def test_a_fresh_quick_run_falls_inside_the_stored_bands(quick: dict) -> None:
    assert list(quick["settings"]["seeds"]) == STORED["settings"]["seeds"][:1]
    pairs = accuracy_pairs(STORED, quick)
    assert len(pairs) > 60
    for where, stored, fresh, trained in pairs:
        inside(stored, fresh, where, trained)
    for name, row in quick["comparison"]["rows"].items():
        old = STORED["comparison"]["rows"][name]
        for key in ("parameters", "nonzero_parameters", "macs", "format"):
            assert row[key] == old[key], (name, key)
        if row["format"] in ("float32 CSR", "Deep Compression"):  # depends on the survivors
            assert abs(row["file_bytes"]["mean"] / old["file_bytes"]["mean"] - 1) <= 0.02, name
        else:
            assert row["file_bytes"]["values"] == old["file_bytes"]["values"][:1], name


@pytest.mark.slow
def test_the_invariants_hold_in_the_stored_and_a_fresh_run(quick: dict) -> None:
    for results in (STORED, quick):
        check_invariants(results)


def check_invariants(results: dict) -> None:
    """What the pages state as facts, true for every seed and for a fresh run."""
    base_file = results["base"]["file_bytes"]
    int8 = results["quantization"]["int8"]
    for kind in ("dynamic", "static"):
        assert int8[kind]["file_bytes"] <= 0.30 * base_file  # "int8 的文件不到 float32 的 30%"
        assert int8[kind]["same_predictions"]["min"] >= 9_950
    for scheme, curve in results["quantization"]["schemes"].items():
        means = [curve[str(b)]["mean"] for b in (4, 3, 2) if str(b) in curve]
        assert means == sorted(means, reverse=True), scheme  # below 4 bits: only downhill
    for row in results["deep_compression"]["rows"].values():
        sizes = row["file_bytes"]
        assert (
            sizes["shared_huffman"]["max"] < sizes["shared_fixed"]["min"]
            and sizes["shared_fixed"]["max"] < sizes["csr"]["min"]
            and sizes["csr"]["max"] < sizes["dense_float32"]["min"]
        )
    for row in results["low_bit"]["qat"].values():
        if row["bits"] == 2:
            assert row["qat"]["min"] > row["ptq"]["max"]
    binary = results["low_bit"]["binary"]
    assert binary["trained"]["min"] > binary["after_training"]["max"]


def test_the_stored_invariants() -> None:
    check_invariants(STORED)
