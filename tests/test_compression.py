"""Chapter 10 (模型压缩): cnnbook.compression, the snippets that repeat it, the stored
experiments, the figures drawn from them and the numbers quoted on the pages.

One quick run of the experiments (the ``quick_results`` fixture: the same code and settings as
``make compression`` with fewer sparsities, configurations and seeds, on the real MNIST files,
one intra-op thread, no download) is compared with the stored full run.
"""

from __future__ import annotations

import ast
import copy
import functools
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import prune as torch_prune
from torchvision import models

from benchmarks import compression_table
from cnnbook.checkpoint import save_checkpoint
from cnnbook.compression import costs, distillation, experiments, latency, pruning
from cnnbook.compression import quantization as quant
from cnnbook.compression.fitting import Mnist, fit
from cnnbook.model import LeNet
from cnnbook.training import FAST, train
from figures import (
    compression_bits,
    compression_sensitivity,
    compression_sparsity,
    compression_tradeoff,
)
from figures.common import load_snippet
from tests.outputs import OFFLINE
from tests.paths import DOCS, REPO, SNIPPETS

pytestmark = pytest.mark.xdist_group("compression")  # one worker runs the experiments once

CHAPTER = SNIPPETS / "compression"
RESULTS = experiments.RESULTS_DIR
STORED = experiments.load_results()
PAGES = {
    path.stem: path.read_text(encoding="utf-8") for path in (DOCS / "compression").glob("*.md")
}


@functools.cache
def snippet(name: str) -> dict:
    """The globals of ``snippets/compression/<name>`` (run once per test process)."""
    return load_snippet(f"compression/{name}")


def stored_output(name: str) -> str:
    return (CHAPTER / name).read_text(encoding="utf-8")


def class_from_source(source: str, name: str = "LeNet") -> type:
    """Execute only the ``class name`` definition of a snippet (nothing else runs)."""
    nodes = [n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == name]
    assert len(nodes) == 1, f"expected one class {name}"
    namespace = {"torch": torch, "nn": nn}
    exec(compile(ast.Module(body=nodes, type_ignores=[]), f"<{name}>", "exec"), namespace)
    return namespace[name]


def command(module: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **OFFLINE, "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="session")
def mnist(mnist_root: Path) -> Mnist:
    return Mnist.load(mnist_root, download=False)


@pytest.fixture(scope="session")
def quick_results(mnist: Mnist) -> dict:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # xdist runs two workers on two cores: one thread each
    try:
        return experiments.run(experiments.QUICK, mnist, experiments.Log(enabled=False))
    finally:
        torch.set_num_threads(threads)


def random_lenet(seed: int = 0, **widths) -> LeNet:
    torch.manual_seed(seed)
    return LeNet(**widths).eval()


# --- metrics --------------------------------------------------------------------------------


def test_the_mac_counter_is_chapter_2s() -> None:
    """cnnbook's counter, chapter 2's snippet and this chapter's snippet give the same MACs
    (per layer where both count per layer) on LeNet, AlexNet and chapter 2's own network."""
    chapter2 = load_snippet("arithmetic/cost_counter.py")
    ours = snippet("model_metrics.py")
    cases = [
        (random_lenet(), torch.zeros(1, 1, 28, 28)),
        (models.alexnet(weights=None), torch.zeros(1, 3, 224, 224)),
        (chapter2["model"], chapter2["example"]),
    ]
    for model, example in cases:
        theirs = chapter2["count_costs"](model, example)
        mine = costs.count_costs(model, example)
        assert [(c.name, c.kind, c.macs, c.parameters) for c in theirs] == [
            (c.name, c.kind, c.macs, c.parameters) for c in mine
        ]
        conv_and_linear = sum(c.macs for c in mine if c.kind != "BatchNorm2d")
        assert ours["count_macs"](model, example) == conv_and_linear
    # by hand: 6·576·25 + 16·64·150 + 256·120 + 120·84 + 84·10
    assert costs.total_macs(LeNet()) == 281_640


def test_metrics_snippet_numbers() -> None:
    out = stored_output("model_metrics.out")
    # 61,100,840 · 4 B = 244,403,360 B = 244.4 MB = 233.08 MiB (checked by hand)
    assert costs.count_parameters(models.alexnet(weights=None)) == 61_100_840
    assert costs.size_at_bits(61_100_840, 32) == 244_403_360
    assert (
        f"{244_403_360 / 1e6 - 244_403_360 / 2**20:.1f}" == "11.3"
        and "相差 11.3" in PAGES["metrics"]
    )
    assert f"{1 - 1e6 / 2**20:.1%}" == "4.6%" and "小约 4.6%" in PAGES["metrics"]
    assert f"{3_773 / 181_477:.0%}" == "2%" and "约占 2%" in PAGES["metrics"]
    for number in ("44,426", "61,100,840", "244.403", "233.081", "281,640", "714,188,480"):
        assert number in out, number
    for text in (
        "44,426",
        "281,640",
        "61,100,840",
        "244.4 MB",
        "233.1 MiB",
        "714,188,480",
        "181,477",
        "177,704",
        "3,773",
        "182,085",
    ):
        assert text in out and text in PAGES["metrics"], text


def test_saved_size_is_the_file_on_disk(tmp_path: Path) -> None:
    model = random_lenet()
    torch.save(model.state_dict(), tmp_path / "lenet.pt")
    size = (tmp_path / "lenet.pt").stat().st_size
    assert costs.saved_size(model.state_dict()) == size == 181_477
    assert experiments.file_bytes(experiments.float_state(model)) == size
    # the zip archive inside is named after the file: a longer name, a longer file
    assert costs.saved_size(model.state_dict(), "a_much_longer_file_name.pt") == 182_085


def test_snippet_lenets_are_cnnbooks() -> None:
    for snippet in ("model_metrics.py", "channel_pruning.py"):
        other = class_from_source((CHAPTER / snippet).read_text(encoding="utf-8"))
        for widths in ({}, {"channels": (4, 8), "hidden": (60, 42)}):
            torch.manual_seed(0)
            ours = LeNet(**widths)
            torch.manual_seed(0)
            theirs = other(**widths)
            assert [(n, p.shape) for n, p in ours.named_parameters()] == [
                (n, p.shape) for n, p in theirs.named_parameters()
            ]
            assert all(
                torch.equal(a, b)
                for a, b in zip(ours.parameters(), theirs.parameters(), strict=True)
            )


def test_latency_measurement_is_well_formed() -> None:
    threads = torch.get_num_threads()
    result = latency.measure_latency(random_lenet(), 4, threads=1, warmup=1, repeats=7)
    assert result.repeats == 7 and result.threads == 1 and result.batch_size == 4
    assert result.fastest <= result.lower_quartile <= result.median <= result.upper_quartile
    assert result.upper_quartile <= result.slowest and torch.get_num_threads() == threads
    summary = latency.summarize([3.0, 1.0, 2.0, 10.0], batch_size=2, threads=1)
    assert (summary.median, summary.fastest, summary.slowest) == (2.5, 1.0, 10.0)
    assert summary.per_image == 1.25
    measured = snippet("latency.py")
    assert measured["result"]["repeats"] == 20 and measured["result"]["batch_size"] == 1000


# --- training -------------------------------------------------------------------------------


def test_fit_trains_exactly_like_chapter_9(mnist: Mnist, mnist_root: Path) -> None:
    fitted = fit(LeNet, mnist, seed=3, epochs=1, train_samples=1_500)
    run = train(FAST, root=mnist_root, seed=3, epochs=1, train_samples=1_500, download=False)
    theirs = run.model.state_dict()
    assert all(torch.equal(v, theirs[k]) for k, v in fitted.model.state_dict().items())
    assert fitted.validation_accuracies == [run.history[0].validation_accuracy]
    assert fitted.test_accuracy == run.test_accuracy


# --- pruning --------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None, derandomize=True)
@given(sparsity=st.floats(0, 0.999), seed=st.integers(0, 3))
def test_magnitude_masks_match_torch_prune(sparsity: float, seed: int) -> None:
    model = random_lenet(seed)
    # cnnbook prunes the channels_last weights training leaves; torch's tool needs contiguous ones
    masks = pruning.magnitude_masks(
        copy.deepcopy(model).to(memory_format=torch.channels_last), sparsity, "global"
    )
    layers = [m for m in model.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
    theirs = copy.deepcopy(model)
    their_layers = [m for m in theirs.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
    torch_prune.global_unstructured(
        [(m, "weight") for m in their_layers], torch_prune.L1Unstructured, amount=sparsity
    )
    assert all(
        torch.equal(masks[name], m.weight_mask)
        for name, m in zip(pruning.prunable_weights(model), their_layers, strict=True)
    )
    total = sum(m.weight.numel() for m in layers)
    assert sum(int((mask == 0).sum()) for mask in masks.values()) == round(sparsity * total)
    per_layer = pruning.magnitude_masks(model, sparsity, "layer")
    for (name, mask), layer in zip(per_layer.items(), layers, strict=True):
        reference = copy.deepcopy(layer)
        torch_prune.l1_unstructured(reference, "weight", amount=sparsity)
        assert torch.equal(mask, reference.weight_mask), name


def test_pruned_weights_stay_zero_while_fine_tuning(mnist: Mnist) -> None:
    base = random_lenet()
    masks = pruning.magnitude_masks(base, 0.9, "global")
    fitted = fit(
        lambda: pruning.pruned_copy(base, masks),
        mnist,
        epochs=1,
        train_samples=640,
        after_step=pruning.keep_masks(masks),
    )
    assert pruning.overall_sparsity(fitted.model) == pytest.approx(0.9, abs=1e-4)
    for name, weight in pruning.prunable_weights(fitted.model).items():
        assert torch.all(weight[masks[name] == 0] == 0), name


def test_gradual_pruning_schedule() -> None:
    schedule = pruning.GradualPruning(0.9, end_step=100, every=10)
    values = [schedule.sparsity_at(step) for step in range(0, 121)]
    assert values[0] == 0 and values[100] == values[120] == pytest.approx(0.9)
    assert all(a <= b for a, b in itertools.pairwise(values))
    assert schedule.sparsity_at(50) == pytest.approx(0.9 * (1 - 0.5**3))
    model = random_lenet()
    for _ in range(100):
        schedule(model)
    assert pruning.overall_sparsity(model) == pytest.approx(0.9, abs=1e-4)


def test_channel_pruning_really_removes_units() -> None:
    model = random_lenet()
    small = pruning.prune_lenet(model, (4, 8), (60, 42))
    chapter = snippet("channel_pruning.py")
    their_model = chapter["LeNet"]()
    their_model.load_state_dict(model.state_dict())
    theirs, keep = chapter["prune_lenet"](their_model, (4, 8), (60, 42))
    assert all(
        torch.equal(a, b)
        for a, b in zip(small.state_dict().values(), theirs.state_dict().values(), strict=True)
    )
    # the units kept are the largest-L1 ones, and the narrow network computes what the
    # original computes with the others zeroed (the snippet's hooks check that)
    norms = model.conv2.weight.abs().sum(dim=(1, 2, 3))
    assert norms[keep["conv2"]].min() >= norms[~torch.isin(torch.arange(16), keep["conv2"])].max()
    # by hand: 4·26 + 8·101 + 60·129 + 42·61 + 10·43 = 11,644
    assert costs.count_parameters(small) == 11_644 == snippet_parameters(chapter["small"])
    assert costs.total_macs(small) == 119_420 == chapter["macs"](small)
    assert "11,644" in stored_output("channel_pruning.out")


def snippet_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# --- quantisation ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    bits=st.integers(2, 8),
    symmetric=st.booleans(),
    per_channel=st.booleans(),
    rows=st.integers(1, 6),
    cols=st.integers(1, 40),
    offset=st.floats(-2, 2),
    seed=st.integers(0, 1000),
)
def test_linear_quantization_equals_torch(
    bits, symmetric, per_channel, rows, cols, offset, seed
) -> None:
    x = torch.randn(rows, cols, generator=torch.Generator().manual_seed(seed)) + offset
    params = quant.quant_params(x, bits, symmetric=symmetric, axis=0 if per_channel else None)
    ours = quant.fake_quantize(x, bits, symmetric=symmetric, axis=0 if per_channel else None)
    if per_channel:
        theirs = torch.fake_quantize_per_channel_affine(
            x, params.scale, params.zero_point.to(torch.int32), 0, params.q_min, params.q_max
        )
    else:
        theirs = torch.fake_quantize_per_tensor_affine(
            x, params.scale.item(), int(params.zero_point), params.q_min, params.q_max
        )
    assert torch.equal(ours, theirs)
    scale, _ = params.shaped(x)
    assert torch.all((x - ours).abs() <= scale / 2 * (1 + 1e-5))  # rounding: half a step
    zero = torch.zeros_like(x)
    assert torch.equal(quant.dequantize(quant.quantize(zero, params), params), zero)
    q = quant.quantize(x, params)
    assert q.min() >= params.q_min and q.max() <= params.q_max
    assert params.q_max == 2 ** (bits - 1) - 1


def test_quantization_snippet_equals_cnnbook() -> None:
    chapter = snippet("linear_quantization.py")
    weight = chapter["weight"]
    for bits in (8, 4, 2):
        for symmetric in (True, False):
            for per_channel in (True, False):
                scale, zero_point, q_min, q_max = chapter["quant_params"](
                    weight, bits, symmetric, per_channel
                )
                params = quant.quant_params(
                    weight, bits, symmetric=symmetric, axis=0 if per_channel else None
                )
                assert torch.equal(scale, params.scale) and (q_min, q_max) == (
                    params.q_min,
                    params.q_max,
                )
                assert torch.equal(zero_point, params.zero_point)


def test_int8_layers_compute_with_exact_integer_sums() -> None:
    torch.manual_seed(0)
    conv, linear = nn.Conv2d(6, 16, 5), nn.Linear(256, 120)
    x_conv, x_linear = torch.randn(3, 6, 12, 12).relu(), torch.randn(5, 256)
    for layer, x, reference in ((conv, x_conv, F.conv2d), (linear, x_linear, F.linear)):
        int8 = quant.quantize_int8(nn.Sequential(layer))[0]
        assert int8.weight_int8.dtype == torch.int8
        scale = quant.activation_scale(x)
        x_hat = quant.integer_values(x, scale) * scale
        w_hat = int8.weight_int8.float() * int8.weight_scale.view(-1, *[1] * (x.dim() - 1))
        with torch.no_grad():  # int32 sums are exact: the result equals float math on x̂, ŵ
            expected = reference(x_hat, w_hat, layer.bias)
            assert torch.allclose(int8(x), expected, rtol=1e-5, atol=1e-5)
            relative = (int8(x) - layer(x)).abs().max() / layer(x).abs().max()
        assert relative < 0.02


def test_int8_file_round_trip_and_refusals(tmp_path: Path) -> None:
    model = quant.quantize_int8(random_lenet(channels=(4, 8), hidden=(60, 42)))
    path = tmp_path / "int8.pt"
    torch.save(model.state_dict(), path)
    loaded = quant.load_int8_lenet(path)
    x = torch.randn(4, 1, 28, 28)
    with torch.inference_mode():
        assert torch.equal(loaded(x), model(x))
    float_file = save_checkpoint(random_lenet(), tmp_path / "float.pt")
    with pytest.raises(ValueError, match=r"is not an int8 LeNet: missing conv1\.weight_int8"):
        quant.load_int8_lenet(float_file)
    wrong = dict(model.state_dict())
    wrong["fc1.weight_int8"] = wrong["fc1.weight_int8"].float()
    torch.save(wrong, tmp_path / "wrong.pt")
    with pytest.raises(ValueError, match=r"fc1\.weight_int8 is torch\.float32"):
        quant.load_int8_lenet(tmp_path / "wrong.pt")
    with pytest.raises(ValueError, match="does not exist"):
        quant.load_int8_lenet(tmp_path / "missing.pt")


def test_int8_snippets() -> None:
    assert "int32 sums equal the exact integer products: True" in stored_output("int8_linear.out")
    out = stored_output("deprecations.out")
    assert "torch.ao.quantization.quantize_dynamic   warns 'deprecated': True" in out
    assert "torch.int8 tensors + torch._int_mm       warns 'deprecated': False" in out
    assert "and says pt2e has moved there: True" in out


# --- distillation ---------------------------------------------------------------------------


@settings(max_examples=30, deadline=None, derandomize=True)
@given(temperature=st.floats(0.5, 30), seed=st.integers(0, 1000))
def test_soft_target_gradient_is_t_times_the_probability_gap(temperature, seed) -> None:
    generator = torch.Generator().manual_seed(seed)
    teacher = torch.randn(6, 10, generator=generator, dtype=torch.float64) * 4
    student = torch.randn(6, 10, generator=generator, dtype=torch.float64, requires_grad=True)
    loss = distillation.soft_target_loss(student, teacher, temperature)
    (grad,) = torch.autograd.grad(loss, student)
    gap = F.softmax(student.detach() / temperature, dim=1) - F.softmax(teacher / temperature, 1)
    assert torch.allclose(grad, temperature / 6 * gap)
    theirs = snippet("distillation_loss.py")["soft_target_loss"]
    assert torch.allclose(theirs(student, teacher, temperature), loss)


def test_distillation_loss_mixes_soft_and_hard() -> None:
    torch.manual_seed(0)
    teacher, student = torch.randn(20, 10), torch.randn(8, 10)
    indices, labels = torch.arange(8) * 2, torch.randint(0, 10, (8,))
    loss = distillation.distillation_loss(teacher, temperature=3.0, alpha=0.25)
    soft = distillation.soft_target_loss(student, teacher[indices], 3.0)
    expected = 0.25 * soft + 0.75 * F.cross_entropy(student, labels)
    assert torch.allclose(loss(student, labels, indices), expected)
    assert "distillation loss at T = 4, alpha = 0.9" in stored_output("distillation_loss.out")


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "complaint"),
    [
        (lambda: pruning.magnitude_masks(LeNet(), 1.0), "sparsity must be in"),
        (lambda: pruning.magnitude_masks(LeNet(), -0.1), "sparsity must be in"),
        (lambda: pruning.magnitude_masks(LeNet(), "0.5"), "sparsity must be in"),
        (lambda: pruning.magnitude_masks(LeNet(), 0.5, "row"), "scope"),
        (lambda: pruning.magnitude_masks(LeNet(), 0.5, layers=["relu1"]), "layers"),
        (lambda: pruning.GradualPruning(1.2, 10), "sparsity must be in"),
        (lambda: pruning.prune_lenet(LeNet(), (7, 16), (120, 84)), "channels must be"),
        (lambda: pruning.prune_lenet(LeNet(), (6, 16), (0, 84)), "hidden must be"),
        (lambda: pruning.prune_lenet(nn.Linear(2, 2), (1, 1), (1, 1)), "model must be a"),
        (lambda: quant.quantize_weights(LeNet(), 1), "bits must be an integer from 2 to 8"),
        (lambda: quant.quantize_weights(LeNet(), 9), "bits must be an integer from 2 to 8"),
        (lambda: quant.fake_quantize(torch.ones(3), 8.0), "bits must be an integer"),
        (lambda: quant.quant_params(torch.ones(3), 8, axis=2), "axis"),
        (lambda: quant.Int8Conv2d(nn.Conv2d(4, 4, 3, groups=2)), "groups=1"),
        (lambda: distillation.soft_target_loss(torch.ones(1, 2), torch.ones(1, 2), 0), "temper"),
        (
            lambda: distillation.distillation_loss(torch.ones(1, 2), temperature=2, alpha=1.5),
            "alpha",
        ),
        (lambda: costs.size_at_bits(10, 0), "bits must be between"),
        (lambda: costs.compression_ratio(100, 0), "sizes must be positive"),
        (lambda: latency.measure_latency(LeNet(), 0), "batch_size"),
        (lambda: latency.measure_latency(LeNet(), 1, threads=0), "threads"),
        (lambda: latency.time_calls(lambda: None, 0, 0), "repeats"),
        (lambda: experiments.load_results(Path("/nonexistent")), "no stored results"),
    ],
)
def test_bad_arguments_name_themselves(call, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        call()


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--out", "pyproject.toml"], "exists and is not a directory"),
        (["--data", "/nonexistent/data", "--no-download"], "has no MNIST"),
        (["--data", "pyproject.toml"], "exists and is not a directory"),
        (["--threads", "0"], "must be a positive integer"),
    ],
)
def test_the_command_fails_in_one_line(args: list[str], complaint: str) -> None:
    result = command("cnnbook.compression.experiments", "--quiet", *args)
    assert result.returncode != 0 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and complaint in result.stderr
    assert "Traceback" not in result.stderr


# --- the stored experiments against a fresh quick run ---------------------------------------


def close(stored: float, fresh: float, tolerance: float, where: str) -> None:
    assert abs(stored - fresh) <= tolerance, f"{where}: stored {stored}, fresh {fresh}"


def test_stored_results_are_a_full_run() -> None:
    assert STORED["settings"] == json.loads(json.dumps(experiments.asdict(experiments.FULL)))
    assert STORED["torch"] == torch.__version__.split("+")[0]


def test_stored_run_agrees_with_a_fresh_quick_run(quick_results: dict) -> None:
    """Tolerances (another machine or thread count trains a slightly different LeNet): test
    accuracy of a trained network ±0.4 points; a network pruned without retraining ±1.5 points
    where it keeps at least 97 %, and ±30 points in the steep part of the curve (there a
    slightly different network loses its accuracy at a slightly different sparsity); a
    fine-tuned or quantised network ±0.6; a student on 2,000 images ±1.0. Sizes, parameters and
    MACs must be identical."""
    stored, fresh = STORED, quick_results
    close(stored["base"]["test_accuracy"], fresh["base"]["test_accuracy"], 0.4, "base")
    for key in ("parameters", "macs", "file_bytes"):
        assert stored["base"][key] == fresh["base"][key]
    sparsities = stored["pruning"]["sparsities"]
    for k, sparsity in enumerate(fresh["pruning"]["sparsities"]):
        j = sparsities.index(sparsity)
        pairs = [
            (stored["pruning"]["one_shot"][scope][j], fresh["pruning"]["one_shot"][scope][k])
            for scope in ("global", "layer")
        ]
        pairs += [
            (stored["pruning"]["sensitivity"][layer][j], values[k])
            for layer, values in fresh["pruning"]["sensitivity"].items()
        ]
        for old, new in pairs:
            close(old, new, 1.5 if old >= 97 else 30, f"pruned without retraining to {sparsity}")
    for row in fresh["pruning"]["recovery"]:
        [old] = [r for r in stored["pruning"]["recovery"] if r["sparsity"] == row["sparsity"]]
        for key in ("one_shot_fine_tuned", "gradual"):
            close(old[key], row[key], 0.6, f"{key} at {row['sparsity']}")
    for old, new in zip(stored["channels"], fresh["channels"], strict=False):
        close(old["test_accuracy"], new["test_accuracy"], 0.6, "channel pruning")
        assert (old["parameters"], old["macs"], old["file_bytes"]) == (
            new["parameters"],
            new["macs"],
            new["file_bytes"],
        )
    bits = stored["quantization"]["bits"]
    for scheme, values in fresh["quantization"]["schemes"].items():
        for k, b in enumerate(fresh["quantization"]["bits"]):
            old = stored["quantization"]["schemes"][scheme][bits.index(b)]
            close(old, values[k], 0.6 if old >= 97 else 30, f"{scheme}, {b} bits")
    old_int8, new_int8 = stored["quantization"]["int8"], fresh["quantization"]["int8"]
    close(old_int8["test_accuracy"], new_int8["test_accuracy"], 0.4, "int8")
    assert (old_int8["file_bytes"], old_int8["payload_bytes"]) == (
        new_int8["file_bytes"],
        new_int8["payload_bytes"],
    )
    assert new_int8["same_predictions"] >= 9_950
    close(
        stored["distillation"]["teacher"]["test_accuracy"],
        fresh["distillation"]["teacher"]["test_accuracy"],
        0.4,
        "teacher",
    )
    for old, new in zip(
        stored["distillation"]["regimes"], fresh["distillation"]["regimes"], strict=True
    ):
        tolerance = 1.0 if old["train_samples"] < 10_000 else 0.6
        [old_run] = [r for r in old["runs"] if r["seed"] == 0]
        for key in ("plain", "distilled"):
            close(old_run[key], new["runs"][0][key], tolerance, f"student, {key}")
    for old, new in zip(stored["comparison"], fresh["comparison"], strict=True):
        assert old["name"] == new["name"]
        for key in ("parameters", "nonzero_parameters", "macs", "file_bytes", "format"):
            assert old[key] == new[key], (old["name"], key)
        close(old["test_accuracy"], new["test_accuracy"], 0.6, old["name"])


def test_stored_tables_come_from_the_stored_results(tmp_path: Path) -> None:
    experiments.write_results(STORED, tmp_path)
    for name in experiments.TABLES:
        assert (tmp_path / name).read_text() == (RESULTS / name).read_text(), name
    assert json.loads((tmp_path / experiments.RESULTS_FILE).read_text()) == STORED


def test_stored_results_hang_together() -> None:
    comparison = {row["name"]: row for row in STORED["comparison"]}
    base, int8 = STORED["base"], STORED["quantization"]["int8"]
    assert comparison["original"]["file_bytes"] == base["file_bytes"] == 181_477
    assert comparison["int8"]["file_bytes"] == int8["file_bytes"]
    assert comparison["original"]["compression_ratio"] == 1.0
    for row in comparison.values():
        assert row["compression_ratio"] == round(base["file_bytes"] / row["file_bytes"], 2)
    pruned = comparison["pruned"]
    assert pruned["parameters"] - pruned["nonzero_parameters"] == round(0.9 * 44_190)
    assert int8["payload_bytes"] == 44_190 + 4 * (2 * 236)  # int8 weights; float scales, biases
    assert comparison["channels"]["parameters"] == STORED["channels"][0]["parameters"]


def test_figures_draw_the_stored_results() -> None:
    drawn = compression_sparsity.series(STORED)
    assert drawn["global, no fine-tuning"][1][1:] == STORED["pruning"]["one_shot"]["global"]
    assert drawn["gradual during 1 epoch"][1] == [
        r["gradual"] for r in STORED["pruning"]["recovery"]
    ]
    layers = compression_sensitivity.series(STORED)
    assert list(layers) == ["conv1", "conv2", "fc1", "fc2", "fc3"]
    assert layers["fc1"][1][1:] == STORED["pruning"]["sensitivity"]["fc1"]
    bits = compression_bits.series(STORED)
    assert bits["symmetric, per channel"] == (
        STORED["quantization"]["bits"],
        STORED["quantization"]["schemes"]["symmetric, per channel"],
    )
    points = compression_tradeoff.points(STORED)
    assert [(size, accuracy) for _, size, accuracy in points] == [
        (row["file_bytes"] / 1e3, row["test_accuracy"]) for row in STORED["comparison"]
    ]


def test_latency_benchmark_rebuilds_the_compared_networks() -> None:
    for row in STORED["comparison"]:
        model = compression_table.rebuilt(row)
        assert row["name"] in compression_table.LABELS
        if row["format"] == "int8":
            int8_layers = [m for m in model.modules() if hasattr(m, "weight_int8")]
            stored = sum(m.weight_int8.numel() + m.bias.numel() for m in int8_layers)
            assert stored == row["parameters"] and len(int8_layers) == 5
        else:
            assert costs.count_parameters(model) == row["parameters"]
            assert costs.total_macs(model) == row["macs"]
        if "sparsity" in row:
            assert pruning.overall_sparsity(model) == pytest.approx(row["sparsity"], abs=1e-4)


# --- numbers quoted on the pages ------------------------------------------------------------


def at(values: list[float], sparsities: list[float], sparsity: float) -> float:
    return values[sparsities.index(sparsity)]


def test_prose_quotes_the_stored_results() -> None:
    """Every result quoted in the prose is formatted here from the stored run."""
    s = STORED
    pct = "{:.2f}%".format
    sparsities = s["pruning"]["sparsities"]
    one_shot, sensitivity = s["pruning"]["one_shot"], s["pruning"]["sensitivity"]
    recovery = {row["sparsity"]: row for row in s["pruning"]["recovery"]}
    layers90 = s["pruning"]["global_layer_sparsity"]["0.9"]
    comparison = {row["name"]: row for row in s["comparison"]}
    channels = s["channels"]
    schemes, bits = s["quantization"]["schemes"], s["quantization"]["bits"]
    int8 = s["quantization"]["int8"]
    teacher, student = s["distillation"]["teacher"], s["distillation"]["student"]
    full, few = s["distillation"]["regimes"]
    quoted = {
        "index": [
            f"非零参数只剩 {comparison['pruned']['nonzero_parameters']:,} 个",
            f"1/{comparison['int8']['compression_ratio']:.2f}，准确率不变",
            f"实验部分用了约 {round(s['seconds']['total'] / 60)} 分钟",
            f"{s['threads']} 个线程",
        ],
        "pruning": [
            pct(at(one_shot["global"], sparsities, 0.7)),
            pct(s["base"]["test_accuracy"]),
            pct(at(one_shot["global"], sparsities, 0.8)),
            pct(at(one_shot["global"], sparsities, 0.9)),
            pct(at(one_shot["global"], sparsities, 0.95)),
            pct(at(one_shot["layer"], sparsities, 0.7)),
            pct(at(one_shot["layer"], sparsities, 0.6)),
            f"conv1 只剪掉了 {layers90['conv1']:.0%}",
            f"fc1 剪掉了 {layers90['fc1']:.1%}",
            pct(at(sensitivity["fc1"], sparsities, 0.9)),
            pct(s["base"]["validation_accuracy"]),
            pct(at(sensitivity["conv1"], sparsities, 0.85)),
            pct(at(sensitivity["fc3"], sparsities, 0.85)),
            *(
                pct(recovery[x][key])
                for x in (0.9, 0.95, 0.98)
                for key in ("one_shot_fine_tuned", "gradual")
            ),
            pct(channels[0]["before_fine_tuning"]),
            pct(channels[0]["test_accuracy"]),
            f"{channels[1]['parameters']:,} 个参数",
            pct(channels[1]["test_accuracy"]),
            f"{comparison['pruned']['nonzero_parameters']:,} 个非零参数",
            pct(comparison["pruned"]["test_accuracy"]),
        ],
        "quantization": [
            *(pct(schemes[name][bits.index(4)]) for name in experiments.SCHEMES),
            pct(schemes["symmetric, per tensor"][bits.index(3)]),
            pct(schemes["symmetric, per channel"][bits.index(3)]),
            pct(schemes["asymmetric, per channel"][bits.index(2)]),
            "从 8 位到 5 位，每种方案的准确率与 float32 相差都不超过 0.1 个百分点",
            f"{int8['file_bytes']:,} 字节",
            f"1/{comparison['int8']['compression_ratio']:.2f}",
            f"{int8['payload_bytes']:,} 字节",
            f"{int8['weights']:,} 个 int8 权重",
            f"只有 {10_000 - int8['same_predictions']} 张",
            f"小 {4 * s['base']['parameters'] / int8['payload_bytes']:.2f} 倍",
        ],
        "distillation": [
            f"{teacher['parameters']:,} 个参数",
            f"{teacher['macs']:,} 次乘加",
            pct(teacher["test_accuracy"]),
            f"只有 {student['parameters']:,} 个参数",
            f"1/{teacher['parameters'] / student['parameters']:.0f}",
            f"1/{s['base']['parameters'] / student['parameters']:.0f}",
            f"$T = {s['distillation']['temperature']:g}$",
            f"$\\alpha = {s['distillation']['alpha']:g}$",
            "、".join(
                f"{r['distilled'] - r['plain']:+.2f}".replace("-", "−") for r in full["runs"]
            ),
            f"{full['gain']['mean']:+.2f} ± {full['gain']['std']:.2f}".replace("-", "−"),
            "、".join(f"{r['distilled'] - r['plain']:+.2f}" for r in few["runs"]),
            f"{few['gain']['mean']:+.2f} ± {few['gain']['std']:.2f}",
            f"约为 {few['gain']['std'] / len(few['runs']) ** 0.5:.2f}",
            f"是它的 {few['gain']['mean'] / (few['gain']['std'] / len(few['runs']) ** 0.5):.1f} 倍",
            f"{full['train_samples']:,} 张",
            f"{few['train_samples']:,} 张",
            f"训练 {full['epochs']} 轮",
            f"训练 {few['epochs']} 轮",
        ],
        "comparison": [
            f"{comparison['pruned']['nonzero_parameters']:,} 个",
            f"{comparison['pruned']['file_bytes']:,} 字节",
            f"压缩比 {comparison['pruned']['compression_ratio']:.2f}",
            f"{comparison['original']['macs']:,} 次乘加",
            pct(comparison["channels"]["test_accuracy"]),
            f"小了 {comparison['int8']['compression_ratio']:.2f} 倍",
            f"{comparison['distilled']['parameters']:,} 个参数",
            f"{comparison['distilled']['macs']:,} 次乘加",
            pct(comparison["distilled"]["test_accuracy"]),
            f"{comparison['channels+int8']['file_bytes']:,} 字节",
            f"学生的文件（{comparison['distilled']['file_bytes']:,} 字节）",
            f"压缩比 {comparison['channels+int8']['compression_ratio']:.2f}",
            pct(comparison["channels+int8"]["test_accuracy"]),
        ],
    }
    assert comparison["int8"]["test_accuracy"] == comparison["original"]["test_accuracy"]
    assert s["base"]["test_accuracy"] > 99 and "准确率超过 99%" in PAGES["index"]
    # "参数差不多的 … 窄网络低了约半个百分点"
    gap = comparison["pruned"]["test_accuracy"] - channels[1]["test_accuracy"]
    assert 0.4 <= gap <= 0.6 and "低了约半个百分点" in PAGES["pruning"]
    assert abs(channels[1]["parameters"] / comparison["pruned"]["nonzero_parameters"] - 1) < 0.1
    assert all(
        abs(values[bits.index(b)] - s["base"]["test_accuracy"]) <= 0.1 + 1e-9
        for values in schemes.values()
        for b in (8, 7, 6, 5)
    )
    for page, texts in quoted.items():
        for text in texts:
            assert text in PAGES[page], (page, text)
    # settings named in the prose
    assert s["settings"]["teacher"] == [[16, 32], [256, 128]]
    assert s["settings"]["student"] == [[3, 6], [24, 16]] and s["settings"]["prune_every"] == 20
    assert "每 20 步" in PAGES["pruning"] and "总步数的 60%" in PAGES["pruning"]
    assert s["settings"]["gradual_until"] == 0.6 and s["settings"]["fine_tune_lr"] == 0.01


def test_prose_quotes_the_snippets() -> None:
    quoted = {
        ("pruning", "magnitude_pruning.out"): ["44,190", "88%", "29%", "44,426"],
        ("pruning", "channel_pruning.out"): ["44,426", "11,644", "281,640", "119,420"],
        ("quantization", "linear_quantization.out"): ["36.94", "6.86"],
        ("distillation", "distillation_loss.out"): ["0.271222", "0.001460"],
    }
    for (page, output), numbers in quoted.items():
        for number in numbers:
            assert number in stored_output(output) and number in PAGES[page], (output, number)
    # by hand: conv2's MACs 16·64·6·25 = 153,600 → 8·64·4·25 = 51,200, a third
    assert 16 * 64 * 6 * 25 == 3 * 8 * 64 * 4 * 25
    assert "\\frac{8 \\times 4}{16 \\times 6} = \\frac{1}{3}" in PAGES["pruning"]
    # 2-bit symmetric: q in {-1, 0, 1}
    assert quant.integer_range(2, symmetric=True) == (-1, 1)
    assert quant.integer_range(2, symmetric=False) == (-2, 1)


def test_prose_quotes_the_structure_and_the_settings() -> None:
    s, pages = STORED, PAGES
    comparison = {row["name"]: row for row in s["comparison"]}
    (wide, narrow), student = s["channels"], s["settings"]["student"]
    lenet = LeNet()
    weights = sum(m.weight.numel() for m in lenet.modules() if isinstance(m, nn.Conv2d | nn.Linear))
    biases = s["base"]["parameters"] - weights
    assert (s["base"]["parameters"], weights, biases) == (44_426, 44_190, 236)
    assert "LeNet 有 44,426 个参数" in pages["index"] and "LeNet 只有 236 个" in pages["pruning"]
    assert (
        "236 个偏置" in pages["quantization"] and "236 个 float32 缩放因子" in pages["quantization"]
    )
    # fine-grained pruning: 90 % of the weights, a tenth of the parameters left
    assert s["settings"]["chosen_sparsity"] == comparison["pruned"]["sparsity"] == 0.9
    assert "细粒度剪枝把 90% 的权重变成 0" in pages["index"]
    assert round(comparison["pruned"]["nonzero_parameters"] / 44_426, 1) == 0.1
    assert "约为原来的十分之一" in pages["index"]
    # layer sizes named on the pruning page
    assert lenet.conv1.weight.numel() == 150 and "只有 150 个权重的 conv1" in pages["pruning"]
    assert "conv1 只有 150 个权重" in pages["pruning"]
    assert lenet.fc3.weight.numel() == 840 and "fc3 的 840 个权重" in pages["pruning"]
    assert (
        lenet.conv1.out_channels == 6 and "conv1 只有 6 个 $5 \\times 5$ 卷积核" in pages["pruning"]
    )
    fc1_share = sum(p.numel() for p in lenet.fc1.parameters()) / 44_426  # 69.4 %
    assert 0.65 < fc1_share < 0.75 and "fc1 占了七成参数" in pages["pruning"]
    gap = s["base"]["test_accuracy"] - at(
        s["pruning"]["one_shot"]["global"], s["settings"]["sparsities"], 0.7
    )
    assert f"{gap:.1f}" == "0.7" and "只低 0.7 个百分点" in pages["pruning"]
    assert "都是 44,190 个权重的 80%" in pages["pruning"] and "35,352 (per layer)" in stored_output(
        "magnitude_pruning.out"
    )
    assert round(0.8 * 44_190) == 35_352
    # CSR with int32 column indices: 8 bytes per nonzero against 4 dense, so beyond 50 %
    assert 4 + 4 == 2 * 4 and "稀疏度至少要超过 50%" in pages["pruning"]
    # channel pruning: the widths on the pruning and comparison pages
    assert (wide["channels"], wide["hidden"]) == ([4, 8], [60, 42])
    assert (narrow["channels"], narrow["hidden"]) == ([3, 6], [30, 20])
    assert "卷积 6、16 → 4、8，全连接 120、84 → 60、42" in pages["pruning"]
    assert "更窄的 3、6 / 30、20" in pages["pruning"] and "3、6 / 30、20 窄网络" in pages["pruning"]
    assert "每层宽度减半（4、8 / 60、42）" in pages["comparison"]
    narrow_fc1 = LeNet(channels=(4, 8), hidden=(60, 42)).fc1
    assert (narrow_fc1.in_features * narrow_fc1.out_features) * 4 == 256 * 120
    assert "fc1 的输入和输出都减半，参数和 MACs 都只剩四分之一" in pages["pruning"]
    assert s["settings"]["fine_tune_epochs"] == 1 and "微调 1 轮" in pages["comparison"]
    # quantization
    assert quant.integer_range(8, symmetric=True) == (-127, 127)
    assert "8 位是 $[-127, 127]$" in pages["quantization"]
    assert lenet.fc1.in_features == 256 and 127**2 * 256 < 2**31 // 100
    assert "$127^2 \\times 256$ 远小于 $2^{31}$" in pages["quantization"]
    assert "fc1 的 256 项" in pages["quantization"]
    assert len(lenet.state_dict()) == 10 and len(quant.quantize_int8(lenet).state_dict()) == 15
    assert "int8 网络有 15 个张量，float32 的只有 10 个" in pages["quantization"]
    int8 = s["quantization"]["int8"]
    assert f"与 float32 的相同（{int8['test_accuracy']:.2f}%）" in pages["quantization"]
    assert f"文件从 {s['base']['file_bytes']:,} 字节降到" in pages["quantization"]
    assert f"比 float32 的 {4 * s['base']['parameters']:,} 字节" in pages["quantization"]
    assert ".".join(torch.__version__.split(".")[:2]) == "2.14"
    assert "在本书使用的 PyTorch 2.14 中" in pages["quantization"]
    # metrics
    out = stored_output("model_metrics.out")
    assert "0.178" in out and "只有 0.178 MB" in pages["metrics"]
    assert "563,280" in out and "（563,280 FLOPs）" in pages["metrics"]
    assert "int8 的压缩比 4" in out and "大小恰好变成四分之一" in pages["metrics"]
    # distillation and comparison: the networks and how they were trained
    assert s["settings"]["teacher"] == [[16, 32], [256, 128]]
    assert (
        "各有 16、32 个滤波器" in pages["distillation"]
        and "各有 256、128 个神经元" in pages["distillation"]
    )
    assert (
        student == [[3, 6], [24, 16]] and "3、6 个滤波器，24、16 个神经元" in pages["distillation"]
    )
    assert "宽度 3、6 / 24、16 的小 LeNet" in pages["comparison"]
    assert (FAST.epochs, FAST.label_smoothing) == (2, 0.1) and "用快速配方训练 2 轮" in pages[
        "distillation"
    ]
    assert "带 0.1 标签平滑的交叉熵" in pages["distillation"]
    assert (
        s["settings"]["seeds"] == [0, 1, 2] and "种子 0、1、2 各训练一次" in pages["distillation"]
    )
    assert (
        s["settings"]["regimes"][0][0] == 55_000
        and "全部 55,000 张训练图上训练" in pages["comparison"]
    )
    # comparison: the remarks after the table
    channels_int8, distilled = comparison["channels+int8"], comparison["distilled"]
    lead = channels_int8["test_accuracy"] - distilled["test_accuracy"]
    assert 0.8 <= lead < 1 and "准确率却高出近一个百分点" in pages["comparison"]
    assert f"{channels_int8['test_accuracy']:.1f}" == "98.8"  # "能接受 98.7%": 98.75 %
    assert channels_int8["test_accuracy"] >= 98.7 and "准确率能接受 98.7%" in pages["comparison"]
    assert 3 < comparison["int8"]["compression_ratio"] < 4 and "缩小三倍多" in pages["comparison"]
    assert "第 9 章的快速配方训练 2 轮，float32" in pages["comparison"]  # FAST.epochs, above
    mnist_sizes = (SNIPPETS / "lenet" / "load_mnist.out").read_text(encoding="utf-8")
    assert "test images: 10000" in mnist_sizes and "MNIST 的 10,000 张测试图" in pages["metrics"]
    assert 2**20 == 1_048_576 and "MiB $= 2^{20} = 1{,}048{,}576$ 字节" in pages["metrics"]


def test_distillation_prose_quotes_the_gradient_snippet() -> None:
    out = stored_output("distillation_loss.out")
    rows = [line.split() for line in out.splitlines()[1:6]]
    temperatures = [int(row[0]) for row in rows]
    scaled = [float(row[1]) for row in rows]
    assert (temperatures[0], temperatures[-1]) == (1, 16) and "$T$ 从 1 增大到 16" in PAGES[
        "distillation"
    ]
    assert (
        min(scaled) >= 0.27 and max(scaled) <= 0.39 and "0.27 与 0.39 之间" in PAGES["distillation"]
    )
    deviations = [float(line.rsplit("=", 1)[1]) for line in out.splitlines() if "|grad -" in line]
    assert len(deviations) == 3
    for larger, smaller in itertools.pairwise(deviations):
        assert 9 <= larger / smaller <= 11
    assert "$T$ 每大 10 倍，偏差就小 10 倍" in PAGES["distillation"]


# --- what the prose says about the stored benchmark tables ----------------------------------

BENCHMARKS = REPO / "benchmarks" / "results"


def benchmark_rows(name: str) -> dict[str, list[list[str]]]:
    """A stored benchmark table, row label → cells (as printed)."""
    rows: dict[str, list[list[str]]] = {}
    for line in (BENCHMARKS / name).read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and not cells[0].startswith("---"):
            rows.setdefault(cells[0], []).append(cells[1:])
    return rows


def milliseconds(cell: str) -> float:
    value, unit = cell.split()
    return float(value.replace(",", "")) / (1000 if unit == "µs" else 1)


def test_prose_agrees_with_the_compression_table() -> None:
    rows = benchmark_rows("compression_table.md")
    labels = compression_table.LABELS
    latency = {
        name: [milliseconds(part) for part in rows[labels[name]][0][-1].split(" / ")]
        for name in labels
    }
    float32 = [name for name in labels if "int8" not in name]
    page = PAGES["comparison"]
    assert compression_table.LARGE_BATCH == 250 and compression_table.ROUNDS == 5
    assert "批大小为 1 和 250，都只用 1 个线程。六个网络轮流测 5 轮" in page
    assert len(labels) == 6
    original, pruned = latency["original"], latency["pruned"]
    # same structure, same kernels: the same latency up to the noise of the measurement
    assert all(abs(p / o - 1) < 0.15 for p, o in zip(pruned, original, strict=True))
    assert "延迟与原网络相同" in page and "MACs 和延迟都没有变" in PAGES["pruning"]
    assert all(c < o for c, o in zip(latency["channels"], original, strict=True))
    assert "参数、MACs 和延迟一起减少" in page
    batch1 = [latency[name][0] for name in float32]
    assert max(batch1) / min(batch1) < 1.2 and "各个 float32 网络的延迟都差不多" in page
    assert (
        latency["distilled"][1] < 0.75 * original[1] and "计算量的差别要到批大小为 250 时" in page
    )
    for batch in (0, 1):
        assert max(latency, key=lambda name: latency[name][batch]) == "int8"
        assert latency["int8"][batch] > 2 * original[batch]
        fastest = min(latency[name][batch] for name in float32)
        assert latency["distilled"][batch] <= 1.05 * fastest
    assert "在这台机器上它最慢" in page and "选结构上最小的 float32 网络" in page
    assert "int8 网络反而**更慢**" in PAGES["index"]
    assert "int8 LeNet 比 float32 的慢得多" in PAGES["quantization"]


def test_prose_agrees_with_the_matmul_table() -> None:
    rows = benchmark_rows("compression_matmul.md")
    ratios = [
        float(cells[-1]) for label, [cells] in rows.items() if label.startswith(("fc1", "conv2"))
    ]
    assert len(ratios) == 2 and min(ratios) > 10
    assert "int8 的矩阵乘法比同样形状的 float32 矩阵乘法慢一个数量级以上" in PAGES["quantization"]
    assert "int8 矩阵乘法比 float32 的慢得多" in PAGES["index"]
    assert "2 个 CPU 核" in (BENCHMARKS / "compression_matmul.md").read_text(encoding="utf-8")
    assert "本书的构建机器只有 2 个核" in PAGES["index"]


def test_prose_agrees_with_the_latency_table() -> None:
    rows = benchmark_rows("compression_latency.md")
    per_image = {
        (int(b), int(t)): float(cells[2].replace(",", "")) for b, t, *cells in rows["LeNet"]
    }
    assert per_image[(1000, 1)] < per_image[(1, 1)] / 5 and "每张图的时间短得多" in PAGES["metrics"]
    speed_up = {batch: per_image[(batch, 1)] / per_image[(batch, 2)] for batch in (1, 1000)}
    assert speed_up[1] < speed_up[1000]
    assert "两个线程带来的加速不如批大小为 1000 时明显" in PAGES["metrics"]
    cold = float(rows["新建网络后的第一次调用（不预热）"][0][0])
    warm = float(rows["预热之后，`inference_mode`，中位数"][0][0])
    graph = float(rows["预热之后，不用 `inference_mode`（记录计算图），20 次的中位数"][0][0])
    assert cold > 1.5 * warm and graph > warm
    assert "比之后的调用慢得多" in PAGES["metrics"] and "每次调用都多做一些工作" in PAGES["metrics"]


def test_quantization_prose_describes_the_snippets_weight() -> None:
    weight = snippet("linear_quantization.py")["weight"]
    largest = weight.abs().amax(dim=(1, 2, 3))
    assert weight.shape[0] == 16 and 25 <= float(largest.max() / largest.min()) <= 35  # 32.6
    assert "这个权重张量的 16 个滤波器的幅度相差约 30 倍" in PAGES["quantization"]
