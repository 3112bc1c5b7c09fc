"""Chapter 7's measured experiments (``cnnbook/norm_experiments.py``).

Training numbers differ from CPU to CPU, so nothing here compares them exactly. The stored
results are checked for their invariants and for every claim the page makes about them (each
claim must hold with the measured spread); the figure must draw them; a quick run of the same code
must produce a file of the same shape; the command must fail in one line on bad arguments.
"""

from __future__ import annotations

import json
import math
import re
import statistics
from pathlib import Path

import numpy as np
import pytest

from cnnbook import norm_experiments as experiments
from figures import norm_experiments as figure
from hooks.macros import expand
from tests.helpers import chinese_help_problem, command, help_text, one_thread, page

PAGE = "normalization.md"
STORED = experiments.load_results()
pytestmark = pytest.mark.xdist_group("norm_experiments")


def spread(*sds: float) -> float:
    """The standard deviation of a difference of independent means' seeds (sd's combined)."""
    return math.sqrt(sum(sd**2 for sd in sds))


# --- the stored results: shape and arithmetic ---------------------------------------------


def test_stored_results_use_the_full_settings() -> None:
    assert STORED["settings"] == json.loads(json.dumps(experiments.asdict(experiments.FULL)))
    assert STORED["seed_count"] == len(STORED["settings"]["seeds"]) >= 3


def summaries(node: object) -> list[dict]:
    """Every {seeds, mean, sd} summary inside the results."""
    if isinstance(node, dict):
        here = [node] if {"seeds", "mean", "sd"} <= node.keys() else []
        return here + [s for value in node.values() for s in summaries(value)]
    return []


def test_every_mean_and_sd_is_computed_from_the_seeds() -> None:
    found = summaries(STORED)
    assert len(found) > 10
    for summary in found:
        seeds = np.array(summary["seeds"], dtype=float)
        if seeds.ndim == 1 and np.ndim(summary["mean"]) == 0:
            seeds = seeds[None, :]  # one value per seed
            means, sds = [summary["mean"]], [summary["sd"]]
        elif np.ndim(summary["mean"]) == 1 and seeds.shape[0] == STORED["seed_count"]:
            seeds = seeds.T  # curves: seeds × points → points × seeds
            means, sds = summary["mean"], summary["sd"]
        else:  # small_batch: batch sizes × seeds
            means, sds = summary["mean"], summary["sd"]
        for row, mean, sd in zip(seeds, means, sds, strict=True):
            assert mean == pytest.approx(statistics.mean(row), abs=0.006)
            assert sd == pytest.approx(statistics.stdev(row), abs=0.006)


def test_accuracies_are_percentages_of_the_test_subset() -> None:
    images = STORED["settings"]["test_images"]
    for norm in experiments.NORMS:
        for row in STORED["small_batch"][norm]["seeds"]:
            for accuracy in row:
                assert 0 <= accuracy <= 100
                assert round(accuracy / 100 * images) == pytest.approx(
                    accuracy / 100 * images, abs=0.02
                )


# --- the claims the page makes --------------------------------------------------------------


def test_bn_fails_at_batch_two_and_gn_does_not() -> None:
    part = STORED["small_batch"]
    assert part["batch_sizes"][0] == 2
    bn, gn = part["BN"], part["GN"]
    gap = gn["mean"][0] - bn["mean"][0]
    assert gap > 5 * spread(bn["sd"][0], gn["sd"][0])  # "只有 … ，GN 网络为 …"
    assert max(bn["seeds"][0]) < min(gn["seeds"][0])  # every seed, not only the mean


def test_from_batch_four_on_bn_and_gn_are_within_two_sds() -> None:
    part = STORED["small_batch"]
    for i, batch in enumerate(part["batch_sizes"][1:], start=1):
        difference = abs(part["BN"]["mean"][i] - part["GN"]["mean"][i])
        assert difference < 2 * spread(part["BN"]["sd"][i], part["GN"]["sd"][i]), batch
    assert "批大小从 4 到 64，两者之差都小于两个标准差" in page(PAGE)


def test_largest_batch_takes_the_fewest_steps() -> None:
    settings = STORED["settings"]
    steps = [settings["small_batch_epochs"] * (settings["small_batch_images"] // b)
             for b in STORED["small_batch"]["batch_sizes"]]  # fmt: skip
    assert steps == sorted(steps, reverse=True)
    assert f"只有\n{steps[-1]} 步" in expand(page(PAGE))


def test_without_bn_the_loss_stays_at_ln10_and_with_bn_it_falls() -> None:
    part = STORED["bn_training"]
    for lr in part["lrs"]:
        plain, bn = part["plain"][f"lr={lr:g}"], part["bn"][f"lr={lr:g}"]
        assert max(abs(v - math.log(10)) for v in plain["loss"]["mean"]) < 0.1
        final_gap = plain["loss"]["mean"][-1] - bn["loss"]["mean"][-1]
        assert final_gap > 5 * spread(plain["loss"]["sd"][-1], bn["loss"]["sd"][-1])
        assert bn["accuracy"]["mean"] - plain["accuracy"]["mean"] > 2 * spread(
            bn["accuracy"]["sd"], plain["accuracy"]["sd"]
        )
    low, high = (part["bn"][f"lr={lr:g}"]["loss"] for lr in part["lrs"])
    assert low["mean"][-1] - high["mean"][-1] > 2 * spread(low["sd"][-1], high["sd"][-1])


def test_initial_spread_shrinks_without_bn() -> None:
    plain, bn = (
        STORED["bn_training"]["plain"]["init_spread"],
        STORED["bn_training"]["bn"]["init_spread"],
    )
    assert plain == sorted(plain, reverse=True) and plain[0] / plain[-1] > 4
    assert min(bn) > 0.4
    ratio = round(plain[0] / plain[-1])
    assert f"最后一层只有第一层的约 1/{ratio}" in expand(page(PAGE))


def test_dropout_claims() -> None:
    part = STORED["dropout"]
    plain, dropout = part["p=0"], part["p=0.5"]
    assert dropout["train_loss"]["mean"][2] > plain["train_loss"]["mean"][2]  # slower at first
    for run in (plain, dropout):
        lowest = run["lowest_test_loss_epoch"]
        assert run["test_loss"]["mean"][part["epochs"].index(lowest)] == min(
            run["test_loss"]["mean"]
        )
    assert dropout["lowest_test_loss_epoch"] > plain["lowest_test_loss_epoch"]
    assert (
        plain["test_loss"]["mean"][-1]
        > min(plain["test_loss"]["mean"]) + 3 * plain["test_loss"]["sd"][-1]
    )
    assert plain["test_loss"]["mean"][-1] - dropout["test_loss"]["mean"][-1] > 2 * spread(
        plain["test_loss"]["sd"][-1], dropout["test_loss"]["sd"][-1]
    )
    gain = dropout["test_accuracy"]["mean"][-1] - plain["test_accuracy"]["mean"][-1]
    assert gain > 3 * spread(dropout["test_accuracy"]["sd"][-1], plain["test_accuracy"]["sd"][-1])
    assert "比三个种子的波动大得多" in page(PAGE) and STORED["seed_count"] == 3


def test_the_table_on_the_page_is_the_stored_one() -> None:
    written = (experiments.RESULTS_DIR / experiments.TABLE_FILE).read_text(encoding="utf-8")
    assert written == experiments.small_batch_table(STORED) + "\n"
    assert '--8<-- "snippets/normalization/results/small_batch.md"' in page(PAGE)


# --- the figure ---------------------------------------------------------------------------


def test_figure_draws_the_stored_numbers(tmp_path: Path) -> None:
    recorded: list = []
    original = figure.band

    def spy(axes, x, summary, colour, label, style="-"):
        recorded.append((list(x), summary, label))
        return original(axes, x, summary, colour, label, style)

    figure.band = spy
    try:
        figure.build(tmp_path, ["light"])
    finally:
        figure.band = original
    drawn = [summary for _, summary, _ in recorded]
    bn_part, dropout_part = STORED["bn_training"], STORED["dropout"]
    for lr in bn_part["lrs"]:
        for name in figure.BN_LABELS:
            assert bn_part[name][f"lr={lr:g}"]["loss"] in drawn
    for key in figure.DROPOUT_LABELS:
        for measure in ("train_loss", "test_loss", "test_accuracy"):
            assert dropout_part[key][measure] in drawn
    steps = [x for x, _, label in recorded if label == figure.BN_LABELS["plain"]]
    assert steps[0] == bn_part["steps"]
    assert len(recorded) == 2 * len(bn_part["lrs"]) + 3 * len(figure.DROPOUT_LABELS)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{stem}-light.png" for stem in figure.STEMS
    )


# --- a quick run and the command ------------------------------------------------------------


PROGRESS_LINES: list[str] = []  # what the quick run below printed


@pytest.fixture(scope="module")
def quick_results(mnist_root: Path) -> dict:
    from cnnbook.data import load_digits

    train = load_digits(mnist_root, train=True, download=False)
    test = load_digits(mnist_root, train=False, download=False)
    with one_thread():
        return experiments.run(experiments.QUICK, train, test, PROGRESS_LINES.append)


def test_progress_lines_name_each_experiment_in_chinese(quick_results: dict) -> None:
    names = [experiments.EXPERIMENT_NAMES[key] for key in experiments.EXPERIMENTS]
    assert [line.split("：")[0] for line in PROGRESS_LINES] == names
    assert all(re.fullmatch(r".+：\d+\.\d s（累计 \d+ s）", line) for line in PROGRESS_LINES)


def test_the_help_is_chinese() -> None:
    text = help_text(experiments.main)
    assert chinese_help_problem(text) is None, text


def test_quick_run_has_the_shape_of_the_stored_results(quick_results: dict) -> None:
    def shape(node: object) -> object:
        if isinstance(node, dict):
            return {k: shape(v) for k, v in node.items() if k != "settings"}
        return type(node).__name__

    assert shape(quick_results) == shape(STORED)
    quick = experiments.QUICK
    assert quick_results["small_batch"]["batch_sizes"] == list(quick.batch_sizes)
    assert len(quick_results["bn_training"]["steps"]) == quick.bn_steps // quick.bn_window
    assert all(0 <= v <= 100 for v in quick_results["small_batch"]["BN"]["mean"])


def test_the_same_seed_gives_the_same_numbers(quick_results: dict, mnist_root: Path) -> None:
    from cnnbook.data import load_digits

    train = load_digits(mnist_root, train=True, download=False)
    test = load_digits(mnist_root, train=False, download=False)
    test = experiments.TensorDigits(test.images[:200], test.labels[:200])
    with one_thread():
        again = experiments.train_small_batch(experiments.QUICK, train, test, "GN", 16, 0)
    assert again == pytest.approx(quick_results["small_batch"]["GN"]["seeds"][1][0], abs=0.006)


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--threads", "0"], "--threads"),
        (["--data", "/nonexistent/file/x", "--quick"], "error"),
        (["--bogus"], "无法识别的参数：--bogus"),
    ],
)
def test_command_fails_in_one_line(args: list[str], complaint: str, tmp_path: Path) -> None:
    result = command("cnnbook.norm_experiments", *args, "--out", str(tmp_path / "out"))
    assert result.returncode != 0 and complaint in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_missing_results_are_reported_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(experiments.CnnBookError, match="没有实验结果"):
        experiments.load_results(tmp_path)


def test_the_experiment_runs_on_one_thread_by_default() -> None:
    assert experiments.parser().parse_args(["--out", "results"]).threads == 1
