"""Chapter 10 (模型压缩), the measuring side: MACs, parameters, saved-file sizes, latency
measurement, the statistics every comparison uses, and the experiments' command line."""

from __future__ import annotations

import math
import re
import statistics
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torchvision import models

from cnnbook.compression import costs, latency, stats
from cnnbook.compression.experiments import __main__ as experiments_command
from cnnbook.compression.experiments import common as experiments_common
from cnnbook.compression.experiments import load_results
from cnnbook.model import LeNet
from tests.helpers import (
    chinese_help_problem,
    class_from_source,
    command,
    help_text,
    load_snippet,
    snippet,
)
from tests.paths import SNIPPETS

CHAPTER = SNIPPETS / "compression"


def random_lenet(seed: int = 0, **widths) -> LeNet:
    torch.manual_seed(seed)
    return LeNet(**widths).eval()


def test_the_mac_counter_is_chapter_2s() -> None:
    """cnnbook's counter, chapter 2's snippet and this chapter's snippet give the same MACs
    (per layer where both count per layer) on LeNet, AlexNet and chapter 2's own network, and
    the FLOPs are twice the MACs as torch's FlopCounterMode counts them."""
    chapter2 = load_snippet("arithmetic/cost_counter.py")
    ours = snippet("compression/model_metrics")
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
    lenet = LeNet()
    by_formula = sum(  # C_out·H'·W'·C_in·K² per conv, n_out·n_in per linear
        m.weight.numel() * (576 if m is lenet.conv1 else 64 if m is lenet.conv2 else 1)
        for m in lenet.modules()
        if isinstance(m, nn.Conv2d | nn.Linear)
    )
    assert costs.total_macs(lenet) == by_formula == ours["facts"]["LeNet"][3]


def test_the_metrics_snippet_agrees_with_cnnbook() -> None:
    facts = snippet("compression/model_metrics")["facts"]
    for name, model in (("LeNet", LeNet()), ("AlexNet", models.alexnet(weights=None))):
        params, fp32, int8, _ = facts[name]
        assert params == costs.count_parameters(model)
        assert (fp32, int8) == (costs.size_at_bits(params, 32), costs.size_at_bits(params, 8))
        assert fp32 == 4 * int8  # "大小恰好变成四分之一"


def test_saved_size_is_the_file_on_disk(tmp_path: Path) -> None:
    model = random_lenet()
    torch.save(model.state_dict(), tmp_path / "lenet.pt")
    size = (tmp_path / "lenet.pt").stat().st_size
    state = experiments_common.float_state(model)
    assert costs.saved_size(model.state_dict()) == size == experiments_common.file_bytes(state)
    assert size == snippet("compression/model_metrics")["on_disk"]
    # the zip archive inside is named after the file: a longer name, a longer file
    assert costs.saved_size(model.state_dict(), "a_much_longer_file_name.pt") > size


def test_snippet_lenets_are_cnnbooks() -> None:
    for name in ("model_metrics.py", "channel_pruning.py"):
        other = class_from_source((CHAPTER / name).read_text(encoding="utf-8"))
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
    seconds = [3.0, 1.0, 2.0, 10.0]
    summary = latency.summarize(seconds, batch_size=2, threads=1)
    assert summary.median == statistics.median(seconds) and summary.per_image == summary.median / 2
    assert (summary.fastest, summary.slowest) == (min(seconds), max(seconds))
    measured = snippet("compression/latency")["result"]
    assert measured["repeats"] == 20 and measured["batch_size"] == 1000


# --- statistics -----------------------------------------------------------------------------


def t_tail_by_integration(t: float, dof: int) -> float:
    """P(|T| ≥ |t|) by the trapezoidal rule on torch's Student t density, with x = √ν tan θ
    so that the infinite tail becomes the finite interval up to θ = π/2."""
    start = math.atan(abs(t) / math.sqrt(dof))
    theta = torch.linspace(start, math.pi / 2, 20_001, dtype=torch.float64)
    x = math.sqrt(dof) * torch.tan(theta)
    density = (
        torch.distributions.StudentT(dof).log_prob(x).exp() * math.sqrt(dof) / torch.cos(theta) ** 2
    )
    return 2 * torch.trapezoid(density, theta).item()


@settings(max_examples=25, deadline=None, derandomize=True)
@given(t=st.floats(0, 12), dof=st.integers(1, 12))
def test_two_sided_p_is_the_t_distribution(t: float, dof: int) -> None:
    assert stats.two_sided_p(t, dof) == pytest.approx(t_tail_by_integration(t, dof), abs=2e-4)


@pytest.mark.parametrize("dof", [1, 2, 4, 9])
def test_t_quantile_inverts_the_distribution(dof: int) -> None:
    quantile = stats.t_quantile(0.975, dof)
    assert stats.two_sided_p(quantile, dof) == pytest.approx(0.05, abs=1e-9)
    assert t_tail_by_integration(quantile, dof) == pytest.approx(0.05, abs=2e-4)


def test_paired_test_by_hand() -> None:
    before, after = [95.24, 95.92, 95.63], [95.90, 96.35, 95.76]
    test = stats.paired(before, after)
    differences = [b - a for a, b in zip(before, after, strict=True)]
    mean = sum(differences) / 3
    sd = math.sqrt(sum((d - mean) ** 2 for d in differences) / 2)
    assert test["mean"] == round(mean, 3) and test["std"] == round(sd, 3)
    assert test["t"] == round(mean / (sd / math.sqrt(3)), 2) and test["dof"] == 2
    half = stats.t_quantile(0.975, 2) * sd / math.sqrt(3)
    assert test["ci95"] == [round(mean - half, 3), round(mean + half, 3)]
    assert test["p"] == round(stats.two_sided_p(mean / (sd / math.sqrt(3)), 2), 4)
    single = stats.paired([1.0], [1.5])
    assert single["p"] is None and single["mean"] == 0.5
    values = [1.0, 2.0, 4.0]
    spread = stats.spread(values)
    assert (spread["min"], spread["max"], spread["values"]) == (min(values), max(values), values)
    assert spread["std"] == round(statistics.stdev(values), 3)


# --- bad input and the command ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "complaint"),
    [
        (lambda: costs.size_at_bits(10, 0), "bits 必须在 1 到 64 之间"),
        (lambda: costs.compression_ratio(100, 0), "original_bytes 与 compressed_bytes 必须为正数"),
        (lambda: latency.measure_latency(LeNet(), 0), "batch_size"),
        (lambda: latency.measure_latency(LeNet(), 1, threads=0), "threads"),
        (lambda: latency.time_calls(lambda: None, 0, 0), "repeats"),
        (lambda: load_results(Path("/nonexistent")), "没有存档的结果"),
        (lambda: stats.spread([]), "values 里至少要有一个数"),
        (lambda: stats.paired([1.0], [1.0, 2.0]), "before 与 after 必须等长"),
        (lambda: stats.t_quantile(0.4, 3), "probability 必须在"),
        (lambda: stats.t_central_probability(1.0, 0), "dof 必须是正整数"),
    ],
)
def test_bad_arguments_name_themselves(call, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        call()


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        ([], "缺少必需的参数：--out"),
        (["--out", "pyproject.toml"], "--out pyproject.toml 已存在，但不是目录"),
        (["--out", "x", "--data", "/nonexistent/data", "--no-download"], "里没有 MNIST"),
        (["--out", "x", "--data", "pyproject.toml"], "数据目录 pyproject.toml 已存在，但不是目录"),
        (["--out", "x", "--threads", "0"], "参数 --threads：必须是正整数"),
    ],
)
def test_the_command_fails_in_one_line(args: list[str], complaint: str, tmp_path: Path) -> None:
    result = command("cnnbook.compression.experiments", "--quiet", *args)
    assert result.returncode != 0 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and complaint in result.stderr
    assert "Traceback" not in result.stderr


def test_the_help_and_progress_lines_are_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_text(experiments_command.main)
    assert chinese_help_problem(text) is None, text
    log = experiments_common.Log()
    log.stage("base LeNets", "训练基准 LeNet", began=log.start)
    assert list(log.stages) == ["base LeNets"]  # experiments.json keeps the key
    line = capsys.readouterr().err
    assert re.fullmatch(r"训练基准 LeNet：\d+\.\d s（累计 \d+ s）\n", line), line
