"""Chapter 10 (模型压缩), what the pages say: every statement of the prose that is not a macro
(numbers come from macros, checked by the build and tests/test_prose_numbers.py) but a claim
about the stored results — "better", "no measurable difference", "monotone", "the slow part is" —
checked against the stored multi-seed run, the snippets and the stored benchmark tables.

A claim about a difference is only allowed where the paired t-test over the seeds supports it:
"better"/"worse" needs p < 0.05 (the 95 % interval excludes 0), "no difference we can see" needs
p ≥ 0.05. If a re-run of ``make compression`` changes a verdict, these tests say which sentence
must change.
"""

from __future__ import annotations

import itertools
import json
import re

import torch
from torch import nn

from cnnbook.compression import costs
from cnnbook.compression import quantization as quant
from cnnbook.compression.experiments import load_results
from cnnbook.model import LeNet
from tests.helpers import page, stored
from tests.paths import REPO, SNIPPETS

STORED = load_results(SNIPPETS / "compression" / "results")
BENCHMARKS = REPO / "benchmarks" / "results"
SIGNIFICANT = 0.05


def benchmark(name: str) -> dict:
    return json.loads((BENCHMARKS / f"{name}.json").read_text(encoding="utf-8"))


def significant(test: dict) -> bool:
    return test["p"] is not None and test["p"] < SIGNIFICANT


def text(name: str) -> str:
    return page(f"compression/{name}.md")


def test_the_pages_name_the_number_of_seeds() -> None:
    seeds = len(STORED["settings"]["seeds"])
    for name in ("index", "pruning", "low-rank", "deep-compression", "comparison"):
        assert f"{seeds} 个种子" in text(name), name
    assert STORED["settings"]["seeds"] == list(range(seeds)) and "种子 0 到 4" in text(
        "distillation"
    )
    assert STORED["distillation"]["regimes"]["55000"]["plain"]["values"].__len__() == seeds


def test_structure_the_prose_states() -> None:
    lenet = LeNet()
    fc1 = sum(p.numel() for p in lenet.fc1.parameters())
    assert fc1 == 256 * 120 + 120 and "fc1 一层就有" in text("low-rank")  # calc on the page
    conv_macs = sum(c.macs for c in costs.count_costs(lenet, torch.zeros(1, 1, 28, 28))[:2])
    assert conv_macs == 6 * 576 * 25 + 16 * 64 * 150  # calc on the low-rank page
    assert conv_macs > costs.total_macs(lenet) / 2 and "乘加大部分在两个卷积层里" in text(
        "low-rank"
    )
    assert quant.integer_range(8, symmetric=True) == (-127, 127) and "$[-127, 127]$" in text(
        "quantization"
    )
    assert lenet.fc1.in_features == 256 and 127**2 * lenet.fc1.in_features < 2**31
    assert "$127^2 \\times 256$ 远小于 $2^{31}$" in text("quantization")
    assert ".".join(torch.__version__.split(".")[:2]) == "2.14"  # hand number on the page
    narrow = LeNet(channels=(4, 8), hidden=(60, 42))
    assert narrow.conv1.out_channels / lenet.conv1.out_channels == 4 / 6  # two thirds, not half
    assert "conv1 保留 6 个滤波器中的 4 个（三分之二）" in text("pruning")
    assert narrow.fc1.weight.numel() * 4 == lenet.fc1.weight.numel()
    assert "fc1 的输入和输出都减半，参数和 MACs 都只剩四分之一" in text("pruning")
    conv2 = (16 * 64 * 6 * 25, 8 * 64 * 4 * 25)
    assert conv2[0] == 3 * conv2[1] and "\\frac{8 \\times 4}{16 \\times 6} = \\frac{1}{3}" in text(
        "pruning"
    )
    assert isinstance(lenet.fc3, nn.Linear) and lenet.fc3.out_features == 10
    assert "fc3 只有 10 个输出" in text("low-rank")


def test_the_distillation_gradient_table() -> None:
    rows = [line.split() for line in stored("compression/distillation_loss.out").splitlines()]
    scaled = {float(row[2]): float(row[3]) for row in rows[1:6]}  # T = t: scaled, unscaled
    assert min(scaled, key=scaled.get) == 1.0 and max(scaled, key=scaled.get) == 4.0
    deviations = [
        float(line.rsplit("=", 1)[1])
        for line in stored("compression/distillation_loss.out").splitlines()
        if "相对偏差" in line
    ]
    assert all(9 <= a / b <= 11 for a, b in itertools.pairwise(deviations))
    assert "$T$ 每大 10 倍，偏差就小 10 倍" in text("distillation")


def test_the_exercise_verdicts() -> None:
    out = stored("compression/exercises.out")
    p_value = float(re.search(r"练习 7: .*p = ([0-9.]+)", out)[1])
    assert p_value > SIGNIFICANT and "$p > 0.05$：5 个种子上的差别还不足以说 B 更好" in text(
        "comparison"
    )
    average = float(re.search(r"练习 6: .*平均 ([0-9.]+) 位", out)[1])
    assert average < 2 and "（定长编码要 2 位）" in text("comparison")


def test_the_int8_explanation_matches_the_stored_profile() -> None:
    """The quantisation page's bullet points, against benchmarks/results/compression_matmul.json
    (measured on the machine its table names; a re-run elsewhere may change a verdict)."""
    values = benchmark("compression_matmul")
    fc1, profile = values["matmul_ms"]["fc1"], values["profile"]
    page_text = text("quantization")
    assert fc1["int8"] <= fc1["float32"] and "**整数矩阵乘法本身并不慢**" in page_text
    for path in ("dynamic", "static"):
        assert profile[path]["total_ms"] > profile["float32"]["total_ms"]
        shares = profile[path]["share"]
        assert abs(sum(shares.values()) - 1) < 0.01
        assert shares["matmul"] < 0.25
    assert "**整个 int8 网络却更慢**" in page_text and "只占" in page_text
    assert profile["static"]["total_ms"] < profile["dynamic"]["total_ms"]
    assert "**静态路径快了**" in page_text
    assert values["machine"]["cpu"] in (BENCHMARKS / "compression_matmul.md").read_text("utf-8")


# --- the verdicts of the prose, against the stored multi-seed run ---------------------------


def by_sparsity(curve: dict, sparsity: float) -> dict:
    return curve[str(sparsity)]


def test_pruning_claims() -> None:
    pruning, page_text = STORED["pruning"], text("pruning")
    for s in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9):  # "在 50% 到 90% 之间的每一个稀疏度上……都显著"
        test = by_sparsity(pruning["global_minus_layer"], s)
        assert significant(test) and test["mean"] > 0, s
    for s in (0.3, 0.95, 0.98):  # "剪 30% 时两者看不出差别，到 95% 以上两者都已和随机猜差不多"
        assert not significant(by_sparsity(pruning["global_minus_layer"], s)), s
    for s in (0.95, 0.98):
        for scope in ("global", "layer"):
            assert by_sparsity(pruning["one_shot"][scope], s)["mean"] < 15
    assert "在 50% 到 90% 之间的每一个稀疏度上，全局阈值都比逐层剪枝好" in page_text
    layers = pruning["global_layer_sparsity"]["0.9"]  # "少剪前者、多剪后者"
    assert layers["conv1"] == min(layers.values()) and layers["fc1"] > 0.9 > layers["conv1"]
    sensitivity = pruning["sensitivity"]
    for s in ("0.7", "0.8", "0.85", "0.9", "0.95", "0.98"):  # "fc1 最不敏感"
        assert max(sensitivity, key=lambda layer: sensitivity[layer][s]["mean"]) == "fc1", s
    assert min(sensitivity, key=lambda layer: sensitivity[layer]["0.85"]["mean"]) == "conv1"
    lowest_two = sorted(sensitivity, key=lambda layer: sensitivity[layer]["0.95"]["mean"])[:2]
    assert set(lowest_two) == {"conv1", "fc3"}
    assert all(0.3 <= sensitivity[layer]["0.95"]["mean"] / 100 < 0.4 for layer in lowest_two)
    assert sensitivity["fc3"]["0.9"]["mean"] > sensitivity["conv1"]["0.9"]["mean"]  # 撑得住


def test_recovery_and_lottery_claims() -> None:
    recovery, page_text = STORED["pruning"]["recovery"], text("pruning")
    ninety = recovery["0.9"]["gradual_minus_one_shot"]
    assert significant(ninety) and ninety["mean"] > 0 and "5 个种子都支持它" in page_text
    assert recovery["0.98"]["gradual_minus_one_shot"]["p"] < 0.01
    ninety_five = recovery["0.95"]["gradual_minus_one_shot"]
    assert all(d > 0 for d in ninety_five["differences"]) and not significant(ninety_five)
    assert "95% 时逐步剪枝在每个种子上都更好" in page_text
    validation = recovery["0.9"]["validation"]
    chosen = max(validation, key=lambda name: validation[name]["mean"])
    assert chosen == STORED["pruning"]["chosen"] == "gradual" and "所以选了逐步剪枝" in page_text
    lottery = STORED["lottery"]
    assert (
        not significant(lottery["ticket_minus_random"])
        and "在这个设置下没有找到“中奖彩票”" in page_text
    )
    close = [d for d in lottery["ticket_minus_random"]["differences"] if abs(d) < 2]
    assert len(close) == 4 and "5 个种子里有 4 个两者相差不到 2 个百分点" in page_text
    assert lottery["ticket"]["std"] > 10 * recovery["0.95"]["gradual"]["std"]  # 波动小得多
    assert lottery["sparsity"] == 0.95 and "0.95" in recovery


def test_channel_claims() -> None:
    page_text = text("pruning")
    narrowest = STORED["channels"]["rows"]["3-6-30-20"]
    fine = STORED["comparison"]["rows"]["pruned"]["nonzero_parameters"]
    assert abs(narrowest["parameters"] / fine - 1) < 0.1  # "相近"
    assert not significant(STORED["channels"]["fine_grained_minus_narrowest"])
    assert "5 个种子上看不出两者的准确率有可靠的差别" in page_text


def test_quantization_claims() -> None:
    quantization, base = STORED["quantization"], STORED["base"]["test_accuracy"]["mean"]
    page_text = text("quantization")
    for scheme, curve in quantization["schemes"].items():
        for bits in ("8", "7", "6", "5"):  # "相差都不超过 0.1 个百分点"
            assert abs(curve[bits]["mean"] - base) <= 0.1 + 1e-9, (scheme, bits)
        assert curve["4"]["mean"] > curve["3"]["mean"] > curve["2"]["mean"], scheme  # 单调下降
    for side in ("symmetric", "asymmetric"):
        test = quantization["per_channel_minus_per_tensor"]["4"][side]
        assert significant(test) and 0 < test["mean"] < 0.3  # "都显著，但差别很小"
    assert not significant(quantization["per_channel_minus_per_tensor"]["3"]["symmetric"])
    others = [name for name in quantization["schemes"] if name != "asymmetric, per channel"]
    assert all(quantization["schemes"][name]["2"]["mean"] < 40 for name in others)
    assert "其余三种的平均值都不到 40%" in page_text
    for path in ("dynamic", "static"):
        assert not significant(quantization["int8"][path]["minus_float"])
    assert "两条 int8 路径的准确率都与 float32 相同" in page_text


def test_low_bit_low_rank_deep_and_distillation_claims() -> None:
    low = STORED["low_bit"]
    assert not significant(low["qat"]["4"]["qat_minus_ptq"])
    assert low["qat"]["2"]["qat_minus_ptq"]["p"] < 0.001 and "QAT 与 PTQ 看不出差别" in text(
        "low-bit"
    )
    binary = low["binary"]
    assert binary["after_training"]["min"] > low["qat"]["2"]["ptq"]["max"]  # 比三值好得多
    assert binary["trained_minus_float"]["p"] < 0.001 and binary["trained_minus_float"]["mean"] < 0
    low_rank = STORED["comparison"]["rows"]["low_rank"]["minus_original"]
    assert (
        significant(low_rank)
        and low_rank["mean"] < 0
        and "在 5 个种子上是显著的" in text("low-rank")
    )
    synthetic = [1 / k**2 for k in range(1, 121)]  # the snippet's σ_k ∝ 1/k
    assert (
        sum(synthetic[:16]) / sum(synthetic)
        > STORED["low_rank"]["rows"]["16"]["fc1_energy"]["mean"]
    )
    deep = STORED["deep_compression"]["rows"]
    assert not significant(deep["4"]["minus_pruned"]) and "区间包含 0，看不出损失" in text(
        "deep-compression"
    )
    assert significant(deep["3"]["minus_pruned"]) and significant(deep["2"]["minus_pruned"])
    assert deep["2"]["minus_pruned"]["mean"] < deep["3"]["minus_pruned"]["mean"] < 0
    regimes = STORED["distillation"]["regimes"]
    assert not significant(regimes["55000"]["gain"]) and "看不出蒸馏有作用" in text("distillation")
    assert significant(regimes["2000"]["gain"]) and regimes["2000"]["gain"]["ci95"][0] > 0
    assert "区间整个在 0 以上" in text("distillation")


def test_comparison_claims() -> None:
    rows, page_text = STORED["comparison"]["rows"], text("comparison")
    for name in ("int8_dynamic", "int8_static"):
        assert not significant(rows[name]["minus_original"])
    assert rows["pruned"]["minus_original"]["p"] < 0.001
    assert rows["channels"]["minus_original"]["p"] < 0.01
    students = ("distilled", "distilled+int8")  # "蒸馏的学生（和它的 int8 版本）……准确率也最低"
    lowest = sorted(rows, key=lambda name: rows[name]["test_accuracy"]["mean"])[:2]
    assert set(lowest) == set(students)
    assert rows["deep_compression"]["file_bytes"]["mean"] == min(
        row["file_bytes"]["mean"] for row in rows.values()
    )
    pair = STORED["comparison"]["pairs"]["channels_int8_minus_student_int8"]
    assert pair["p"] < 0.01 and pair["mean"] > 0
    assert (
        rows["channels+int8"]["file_bytes"]["mean"] > rows["distilled+int8"]["file_bytes"]["mean"]
    )
    assert "文件却大一些" in page_text
    macs = {name: row["macs"] for name, row in rows.items()}
    assert macs["low_rank"] > 0.85 * macs["original"] and "MACs 几乎没有减少" in page_text
    assert macs["pruned"] == macs["original"] and macs["channels"] < macs["original"]


def test_comparison_latency_claims() -> None:
    """The latency sentences, against benchmarks/results/compression_table.json (the machine
    its table names)."""
    values = benchmark("compression_table")
    for key in ("latency_us", f"latency_batch_{values['large_batch']}_ms"):
        latency = values[key]
        float32 = [n for n in latency if "int8" not in n]
        assert latency["channels"] < latency["original"]  # 既变小又变快
        assert abs(latency["pruned"] / latency["original"] - 1) < 0.25  # 相当
        for name in ("int8_dynamic", "int8_static"):  # "比 float32 的 LeNet 慢"
            assert latency[name] > latency["original"]
        assert latency["distilled"] <= 1.05 * min(latency[n] for n in float32)  # 最小的最快


def test_latency_claims_of_the_metrics_page() -> None:
    values = benchmark("compression_latency")
    cases = values["cases"]
    one, many = cases["LeNet_batch1_threads1"], cases["LeNet_batch1000_threads1"]
    per_image = (one["median_ms"] / one["batch"], many["median_ms"] / many["batch"])
    assert per_image[1] < per_image[0] / 2 and "每张图的时间短得多" in text("metrics")
    assert values["cold_ms"] > values["warm_ms"] and "不预热就会把它算进去" in text("metrics")
    shares = benchmark("compression_matmul")["profile"]["dynamic"]["share"]
    assert shares["quantize"] + shares["unfold"] + shares["rescale"] > 0.5
    assert "大部分时间花在量化输入、展开（im2col）和类型转换上" in text("index")
