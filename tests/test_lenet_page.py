"""Chapter 9: what the page says about the stored results, the figures drawn from them, the
notebook's stored run, and the benchmark.

Numbers in the prose are macros (tests/test_prose_numbers.py); here are the claims in words
("every seed", "larger than", "almost all the time") checked against the data they describe.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from torch.nn import functional as F

from cnnbook.data import MNIST_MEAN, MNIST_STD, read_split
from cnnbook.training import FAST, TEXTBOOK, make_optimizer, make_scheduler
from figures import (
    confusion_matrix,
    conv1_filters,
    lr_schedule,
    mnist_preview,
    overfitting,
    prediction_grid,
    training_curves,
)
from tests.lenet_common import (
    BENCHMARK,
    CHAPTER,
    GROUP,
    lenet_page,
    stored_output,
    stored_results,
    stored_run,
)
from tests.paths import EXAMPLES

pytestmark = GROUP


def fast_seeds() -> list[dict]:
    return stored_results("ablation")["runs"]["fast"]


def best_validation(run: dict) -> float:
    return run["validation"][run["best_epoch"] - 1]


# --- the default initialisation table -------------------------------------------------------


def test_normalising_the_input_scales_the_first_layers() -> None:
    """"前几层的输出也差了约 3 倍；到 fc3 时偏置已经占了主导，两者相近"."""
    rows = {}
    for line in stored_output("default_init.out").splitlines():
        cells = line.split()
        if len(cells) == 3 and re.fullmatch(r"[\d.]+", cells[1]):
            rows[cells[0]] = (float(cells[1]), float(cells[2]))
    ratios = {name: normalised / raw for name, (raw, normalised) in rows.items()}
    assert all(2.3 < ratios[name] < 3.7 for name in ("输入", "conv1", "conv2"))
    assert 0.8 < ratios["fc3"] < 1.25


# --- the recipes and what the page says about their results ---------------------------------


def test_the_recipe_table_quotes_the_recipes() -> None:
    page = lenet_page()
    assert f"| 批大小 | {TEXTBOOK.batch_size} |" in page
    assert f"| 轮数 | {TEXTBOOK.epochs} | {FAST.epochs} |" in page
    assert f"| 评估 | 每批 {TEXTBOOK.eval_batch_size} 张 |" in page
    assert f"SGD，$\\eta = {TEXTBOOK.lr:g}$，动量 ${TEXTBOOK.momentum:g}$" in page
    assert f"one-cycle 学习率，峰值 ${FAST.lr:g}$" in page
    assert f"$\\varepsilon = {FAST.label_smoothing:g}$ 的标签平滑" in page
    assert (FAST.optimizer, FAST.schedule, TEXTBOOK.optimizer) == ("adam", "onecycle", "sgd")
    assert FAST.epochs == 2 and "只训练两轮" in page


def test_validation_is_below_test_for_every_seed() -> None:
    """"验证准确率比测试准确率低，这在每个种子上都成立"."""
    assert all(run["test_accuracy"] > best_validation(run) for run in fast_seeds())
    assert "这在每个种子上都成立" in lenet_page()


def test_the_fast_recipe_passes_the_textbooks_five_epochs_after_one() -> None:
    """"快速配方第一轮结束时就超过了教科书配方五轮的结果" — in the stored runs the figure draws,
    and for every pair of stored seeds."""
    fast, textbook = stored_run("fast"), stored_run("textbook")
    after_one = fast["history"][0]["validation_accuracy"]
    assert after_one > max(record["validation_accuracy"] for record in textbook["history"])
    runs = stored_results("ablation")["runs"]
    assert min(run["validation"][0] for run in runs["fast"]) > max(
        max(run["validation"]) for run in runs["textbook"]
    )


def paired_differences(key: str) -> list[float]:
    """Per seed: the variant's test accuracy minus the fast recipe's with the same seed."""
    runs = stored_results("ablation")["runs"]
    fast = {run["seed"]: run["test_accuracy"] for run in runs["fast"]}
    return [run["test_accuracy"] - fast[run["seed"]] for run in runs[key]]


def test_the_ablation_claims() -> None:
    """The reading of the ablation table the page gives."""
    summary = stored_results("ablation")["summary"]
    assert summary["fast"]["test_min"] > summary["textbook"]["test_max"]
    variants = {k: v for k, v in summary.items() if k not in ("fast", "textbook")}
    ranked = sorted(variants, key=lambda k: variants[k]["test_difference_mean"])
    assert ranked[:2] == ["sgd", "constant_lr"]  # "换回 SGD 的代价最大 … 其次是去掉 one-cycle"
    assert all(d < 0 for d in paired_differences("no_label_smoothing"))  # "全都变低"
    batch = variants["batch_64"]  # "分不出高低"
    assert abs(batch["test_difference_mean"]) <= batch["test_difference_sd"]
    assert all(d > 0 for d in paired_differences("five_epochs"))  # "每个种子都更高"
    standard_error = float(re.search(r"测试集 10,000 张，.*标准误差 ([\d.]+)",
                                     stored_output("exercises.out"))[1])  # fmt: skip
    for key in ("no_label_smoothing", "batch_64", "five_epochs"):  # "两倍上下或更小"
        assert abs(variants[key]["test_difference_mean"]) <= 2.5 * standard_error


def test_training_and_validation_are_close_with_all_images() -> None:
    """"全部训练图只训练两轮时，训练准确率与验证准确率相差不大"."""
    for run in fast_seeds():
        assert abs(run["final_train_accuracy"] - best_validation(run)) < 1.0


def test_the_overfitting_claims() -> None:
    results = stored_results("overfitting")
    summary, runs = results["summary"], results["runs"]
    assert summary["baseline"]["final_train_accuracy"]["mean"] >= 99.9
    for run in runs["baseline"]:  # the validation loss turns and rises, for every seed
        lowest = min(run["validation_loss"])
        assert run["validation_loss"][-1] > lowest
        assert run["validation_loss"].index(lowest) + 1 < results["plan"]["epochs"]
    gap = {key: value["final_gap"]["mean"] for key, value in summary.items()}
    assert all(gap[key] < gap["baseline"] for key in ("shifts", "dropout"))
    rise = {key: value["validation_loss_rise"]["mean"] for key, value in summary.items()}
    assert rise["weight_decay"] < rise["baseline"]  # "主要压住了验证损失的回升"
    validation = {k: v["final_validation_accuracy"]["mean"] for k, v in summary.items()}
    assert abs(validation["weight_decay"] - validation["baseline"]) < 1.0  # "几乎不改变准确率"
    # "数据增强最有效：验证准确率最高、差距最小；Dropout 次之"
    assert sorted(validation, key=validation.get, reverse=True)[:2] == ["shifts", "dropout"]
    assert sorted(gap, key=gap.get)[:2] == ["shifts", "dropout"]


# --- the figures: what they draw is what torch computes from the stored data ----------------


def test_confusion_matrix_figure_counts_like_torch(mnist_root: Path) -> None:
    counts = confusion_matrix.stored_confusion()
    _, labels = read_split(mnist_root, train=False, download=False)
    predicted = prediction_grid.stored_predictions()
    for t in range(10):
        for p in range(10):
            assert counts[t, p] == ((labels == t) & (predicted == p)).sum()
    assert int(counts.trace()) == round(stored_run("fast")["test_accuracy"] * 100)
    mistakes = counts - torch.diag(torch.diag(counts))
    top = stored_run("fast")["most_common_mistakes"][0]
    assert int(mistakes.max()) == top["count"] == int(mistakes[top["true"], top["predicted"]])
    assert top["count"] <= 0.15 * int(mistakes.sum())  # "错误很分散"


def test_prediction_grid_marks_exactly_the_mistakes(mnist_root: Path) -> None:
    tiles = prediction_grid.grid_tiles()
    _, labels = read_split(mnist_root, train=False, download=False)
    predicted = prediction_grid.stored_predictions()
    assert [index for index, _, _ in tiles[: prediction_grid.FIRST]] == list(
        range(prediction_grid.FIRST)
    )
    for index, truth, guess in tiles:
        assert truth == int(labels[index]) and guess == int(predicted[index])
    assert all(truth != guess for _, truth, guess in tiles[prediction_grid.FIRST :])
    page = lenet_page()
    first, mistakes = prediction_grid.FIRST, prediction_grid.MISTAKES
    assert f"前 {first} 张测试图和前 {mistakes} 张被认错的图" in page
    assert f"前 {mnist_preview.ROWS * mnist_preview.COLS} 张训练图" in page


def test_training_curves_figure_draws_the_stored_history() -> None:
    for recipe in ("textbook", "fast"):
        run = stored_run(recipe)
        positions, values = training_curves.accuracy_points(run)
        assert positions[-1] == len(run["history"]) and len(values) == 10 * len(run["history"])
        assert values == [v for record in run["history"] for v in record["accuracy_curve"]]


def test_the_schedule_figure_draws_pytorchs_one_cycle() -> None:
    rates, betas = lr_schedule.schedule(FAST)
    steps = lr_schedule.steps_per_epoch(FAST)
    optimizer = make_optimizer(torch.nn.Linear(1, 1), FAST)
    scheduler = make_scheduler(optimizer, FAST, steps)
    for rate, beta in zip(rates, betas, strict=True):
        assert optimizer.param_groups[0]["lr"] == rate
        assert optimizer.param_groups[0]["betas"][0] == beta
        optimizer.step()
        scheduler.step()
    assert len(rates) == FAST.epochs * steps
    assert rates.index(max(rates)) + 1 == round(FAST.warmup_fraction * len(rates))


def test_the_filter_figure_draws_the_stored_conv1(mnist_root: Path) -> None:
    weight, bias = conv1_filters.stored_filters()
    digit, maps = conv1_filters.digit_and_maps()
    pixels, _ = read_split(mnist_root, train=False, download=False)
    assert torch.equal(digit, pixels[conv1_filters.TEST_INDEX])
    x = ((pixels[:1].float() / 255 - MNIST_MEAN) / MNIST_STD).unsqueeze(1)
    assert torch.allclose(maps, F.relu(F.conv2d(x, weight, bias))[0], atol=1e-6)
    for kernel in weight[:, 0]:  # "每一个都有正有负", both signs carrying real weight
        positive, negative = kernel.clamp(min=0).sum(), -kernel.clamp(max=0).sum()
        assert min(positive, negative) >= 0.2 * (positive + negative)
    flat = maps.flatten(1)  # "不同的卷积核因此突出笔画的不同部分"
    assert torch.corrcoef(flat).fill_diagonal_(0).abs().max() < 0.95
    on_background = maps[:, 0, 0] > 0  # uniform negative background, negative weight sums
    black = (0 - MNIST_MEAN) / MNIST_STD
    assert torch.equal(on_background, (bias + black * weight.sum(dim=(1, 2, 3))) > 0)
    lit = "、".join(str(k + 1) for k in torch.nonzero(on_background).flatten().tolist())
    assert f"（特征图 {lit} 的底不是纯黑）" in lenet_page()


def test_the_overfitting_figure_draws_the_stored_means() -> None:
    runs = stored_results("overfitting")["runs"]["baseline"]
    mean, low, high = overfitting.curve(runs, "validation_accuracy")
    values = np.array([run["validation_accuracy"] for run in runs])
    assert np.array_equal(mean, values.mean(axis=0)) and np.array_equal(low, values.min(axis=0))
    assert np.array_equal(high, values.max(axis=0))


# --- the notebook's stored run --------------------------------------------------------------


def notebook_outputs() -> list[str]:
    notebook = nbformat.read(EXAMPLES / "lenet_mnist.ipynb", as_version=4)
    return [
        "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
        for cell in notebook.cells
        if cell.cell_type == "code"
    ]


def test_the_notebooks_stored_run_supports_its_claims(mnist_root: Path) -> None:
    """The stored (full) run: two epochs, the best by validation, over 99 % on the test set,
    a confusion matrix whose rows are the test set's digit counts."""
    text = "\n".join(notebook_outputs())
    epoch_line = r"第 \d 轮：训练准确率 [\d.]+%，验证准确率 ([\d.]+)%"
    epochs = [float(v) for v in re.findall(epoch_line, text)]
    assert len(epochs) == FAST.epochs
    best = re.search(r"最好的是第 (\d) 轮（验证 ([\d.]+)%）；测试准确率 ([\d.]+)%", text)
    assert int(best[1]) == epochs.index(max(epochs)) + 1 and float(best[2]) == max(epochs)
    assert float(best[3]) >= 99.0
    rows = [[int(n) for n in line.split()[1:]] for line in text.splitlines()
            if re.fullmatch(r" +\d( +\d+){10}", line)]  # fmt: skip
    _, labels = read_split(mnist_root, train=False, download=False)
    assert [sum(row) for row in rows] == torch.bincount(labels, minlength=10).tolist()
    wrong = sum(sum(row) for row in rows) - sum(rows[t][t] for t in range(10))
    assert f"认错 {wrong} 张" in text
    assert round(100 * (1 - wrong / len(labels)), 2) == float(best[3])


def test_the_notebooks_prose_matches_its_code_and_outputs() -> None:
    notebook = nbformat.read(EXAMPLES / "lenet_mnist.ipynb", as_version=4)
    prose = "".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert "参数共 44,426 个" in prose and "参数总数: 44,426" in "".join(notebook_outputs())
    constants = f"EPOCHS, BATCH_SIZE, MAX_LR = (1 if QUICK else {FAST.epochs}), {FAST.batch_size}"
    assert constants in code
    assert f"每批 {FAST.batch_size} 张" in prose and f"升到 {FAST.lr:g}" in prose
    assert f"pct_start={FAST.warmup_fraction:g}" in code
    assert f"前 {FAST.warmup_fraction:.0%} 的步数" in prose
    assert f"label_smoothing={FAST.label_smoothing:g}" in code
    assert f"{FAST.label_smoothing:g} 的标签平滑" in prose and "不可能低于约 0.50" in prose
    assert "train_ids[:5_000]" in code and "只用 5,000 张图训练一轮" in prose
    assert "order[5_000:], order[:5_000]" in code and "留出 5,000 张训练图做验证集" in prose
    assert "mininterval=30" in code and "每 30 秒刷新" in prose
    assert "range(16)) + wrong[:8]" in code and "前 16 张测试图，以及模型错认的前 8 张" in prose
    assert "plt.subplots(2, 6" in code and "前 12 张训练图" in prose


# --- the benchmark --------------------------------------------------------------------------


def benchmark_values() -> dict:
    return json.loads(BENCHMARK.with_suffix(".json").read_text(encoding="utf-8"))


def test_the_benchmark_table_is_the_one_the_page_includes() -> None:
    page = lenet_page()
    assert '--8<-- "benchmarks/results/lenet_recipes.md"' in page
    values = benchmark_values()
    medians = values["median_seconds"]
    assert values["ratio"]["in_process"] == pytest.approx(
        medians["textbook"]["in_process"] / medians["fast"]["in_process"]
    )
    assert values["ratio"]["process"] == pytest.approx(
        medians["textbook"]["process"] / medians["fast"]["process"]
    )
    assert [run["recipe"] for run in values["runs"]].count("fast") == 3


def test_where_the_time_goes() -> None:
    """"快速配方：几乎全部时间都花在前向与反向计算上"; "大部分时间花在 DataLoader 逐样本取数据上";
    the fixed start-up cost makes the whole-process ratio the smaller one."""
    values = benchmark_values()
    fast, textbook = values["phases"]["fast"], values["phases"]["textbook"]
    in_process = sum(fast[key] for key in ("data", "training", "validation", "test"))
    assert fast["training"] >= 0.8 * in_process
    step = values["fast_step_seconds"]
    assert step["forward"] + step["backward"] >= 0.7 * sum(step.values())
    assert values["ratio"]["process"] < values["ratio"]["in_process"]
    table = BENCHMARK.with_suffix(".md").read_text(encoding="utf-8")
    loader = re.search(r"\| DataLoader，逐样本变换 \| 64 \| (\d+) \| ([\d.]+) \|", table)
    per_epoch = float(loader[2]) * 55_000 / (int(loader[1]) * 64)
    assert per_epoch >= 0.5 * textbook["training"] / TEXTBOOK.epochs


def test_the_exercises_have_answers() -> None:
    page = lenet_page()
    exercises = page.split("## 练习")[1].split("??? success")[0]
    questions = re.findall(r"^(\d)\. ", exercises, re.MULTILINE)
    answers = page.split('??? success "答案"')[1].split("## 动手")[0]
    assert 4 <= len(questions) <= 8
    assert re.findall(r"^    (\d)\. ", answers, re.MULTILINE) == questions
    assert len(re.findall(r"\{\{ out\(\"lenet/exercises\"", answers)) >= len(questions)
    assert (CHAPTER / "exercises.py").is_file()
