"""Chapter 9: training — a real run of the fast recipe, the stored runs, the snippets that train,
and the stored multi-seed experiments (ablation, overfitting).

Training numbers differ from machine to machine (the instruction set PyTorch picks, the thread
count), so a fresh run is compared with stored ones only within bands measured over several
seeds and under ``ATEN_CPU_CAPABILITY=default``, ``avx2`` and this machine's AVX-512; each band
names its measurements.
"""

from __future__ import annotations

import runpy
import statistics
from dataclasses import asdict
from pathlib import Path

import pytest
import torch
from torch.nn import functional as F

from cnnbook import ablation, overfitting
from cnnbook import checkpoint as ckpt
from cnnbook.data import load_digits, read_split, validation_split
from cnnbook.model import LeNet
from cnnbook.training import FAST, TEXTBOOK, TrainingRun, accuracy, curves, train
from tests.lenet_common import (
    CHAPTER,
    GROUP,
    RUNS,
    mnist_test_split,
    stored_results,
    stored_run,
    trained_fast_run,
)

pytestmark = GROUP


@pytest.fixture(scope="module")
def fast_run(mnist_root: Path) -> TrainingRun:
    return trained_fast_run(mnist_root)


# --- the fast recipe, trained here ----------------------------------------------------------


def test_fast_recipe_reaches_99_percent(fast_run: TrainingRun) -> None:
    assert fast_run.test_accuracy >= 99.0
    assert fast_run.train_samples == len(validation_split()[0])
    assert len(fast_run.history) == FAST.epochs
    best = max(fast_run.history, key=lambda record: record.validation_accuracy)
    assert fast_run.best_epoch == best.epoch


# Bands for a fresh seed-0 run against the stored one (tests train on one thread). Measured for
# seed 0, as (epoch 1, epoch 2, test accuracy; mean loss of epoch 1, epoch 2):
#   AVX-512 (stored)  98.30, 98.62, 99.10; 0.7598, 0.5360
#   AVX2              98.32, 98.74, 99.13; (prints 0.760, 0.536)
#   default           98.24, 98.76, 99.10; 0.7596, 0.5359   9,974 of 10,000 predictions agree
#   two threads       98.14, 98.78, 99.05  (the notebook's run)
# and for seeds 0-9 on AVX-512 (snippets/lenet/runs/ablation.json): epoch 1 97.94-98.42, epoch 2
# 98.60-98.88, test 99.02-99.26, mean loss of epoch 2 0.5351-0.5397. A CPU not measured here may
# drift further than these, up to about what another seed does: each band is about twice the
# largest difference measured for seed 0 and no wider than the spread over the seeds.
TEST_ACCURACY_BAND = 0.2  # percentage points (seed 0: at most 0.05 apart; seeds: 0.24)
VALIDATION_BAND = 0.3  # percentage points, every epoch (seed 0: 0.16; seeds: 0.28 and 0.48)
TRAIN_LOSS_BAND = 0.005  # mean training loss of every epoch (seed 0: 0.0002; seeds: 0.0046)
SAME_PREDICTIONS = 9_850  # of the 10,000 test predictions (seed 0, default vs AVX-512: 9,974)


def test_stored_run_agrees_with_a_fresh_one(fast_run: TrainingRun) -> None:
    """The figures draw the stored run; a fresh run (another CPU, another instruction set)
    must land within the measured bands."""
    stored, fresh = stored_run("fast"), fast_run.summary()
    assert stored["recipe"] == asdict(FAST) and stored["seed"] == 0
    assert abs(stored["test_accuracy"] - fresh["test_accuracy"]) <= TEST_ACCURACY_BAND
    for old, new in zip(stored["history"], fresh["history"], strict=True):
        assert abs(old["validation_accuracy"] - new["validation_accuracy"]) <= VALIDATION_BAND
        assert abs(old["train_loss"] - new["train_loss"]) <= TRAIN_LOSS_BAND
    same = sum(a == b for a, b in zip(stored["test_predictions"], fresh["test_predictions"],
                                      strict=True))  # fmt: skip
    assert same >= SAME_PREDICTIONS


def test_a_fresh_run_lies_within_the_seeds_spread(fast_run: TrainingRun) -> None:
    """The stored seeds of the fast recipe span the accuracies a run may have; a fresh run of
    seed 0 on this machine lies within their range (widened by the spread of seed 0 across
    instruction sets)."""
    runs = stored_results("ablation")["runs"]["fast"]
    tests = [run["test_accuracy"] for run in runs]
    band = TEST_ACCURACY_BAND
    assert min(tests) - band <= fast_run.test_accuracy <= max(tests) + band


@pytest.mark.parametrize("recipe", ["fast", "textbook"])
def test_a_stored_run_is_what_it_says(recipe: str, mnist_root: Path) -> None:
    """Beyond its metadata: the stored test accuracy is what its 10,000 predictions score on
    the real labels, the best epoch is the one with the best validation accuracy, and the
    curves of every epoch average to that epoch's training figures."""
    stored = stored_run(recipe)
    expected = {"fast": FAST, "textbook": TEXTBOOK}[recipe]
    assert stored["recipe"] == asdict(expected) and stored["train_samples"] == 55_000
    assert len(stored["history"]) == expected.epochs
    _, labels = read_split(mnist_root, train=False, download=False)
    predictions = torch.tensor([int(p) for p in stored["test_predictions"]])
    assert round(accuracy(predictions, labels), 4) == stored["test_accuracy"]
    validation = [record["validation_accuracy"] for record in stored["history"]]
    assert stored["best_epoch"] == validation.index(max(validation)) + 1
    for record in stored["history"]:
        assert min(record["accuracy_curve"]) - 1e-3 <= record["train_accuracy"]
        assert record["train_accuracy"] <= max(record["accuracy_curve"]) + 1e-3
        assert statistics.fmean(record["loss_curve"]) == pytest.approx(record["train_loss"],
                                                                       abs=0.02)  # fmt: skip


def test_fast_recipe_snippet_trains_exactly_like_cnnbook(
    mnist_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(mnist_root.parent)  # the snippet reads MNIST("data")
    snippet = runpy.run_path(str(CHAPTER / "fast_recipe.py"))  # defines, does not train
    constants = (snippet["BATCH_SIZE"], snippet["EPOCHS"], snippet["MAX_LR"],
                 snippet["WARMUP"], snippet["LABEL_SMOOTHING"], snippet["EVAL_BATCH"])  # fmt: skip
    assert constants == (FAST.batch_size, FAST.epochs, FAST.lr, FAST.warmup_fraction,
                         FAST.label_smoothing, FAST.eval_batch_size)  # fmt: skip
    with torch_threads(1):
        model, history = snippet["train"](seed=3, epochs=1, train_samples=1_500)
        run = train(FAST, root=mnist_root, seed=3, epochs=1, train_samples=1_500, download=False)
    ours = run.model.state_dict()
    assert all(torch.equal(value, ours[name]) for name, value in model.state_dict().items())
    (epoch, mean_loss, validation), record = history[0], run.history[0]
    assert epoch == 1 and validation == record.validation_accuracy
    assert mean_loss == pytest.approx(record.train_loss, rel=1e-12)


def torch_threads(count: int):
    from cnnbook.timing import intra_op_threads

    return intra_op_threads(count)


def test_train_fine_tunes_a_given_model_with_a_given_loss(mnist_root: Path) -> None:
    """What later chapters need: train another network (a smaller student) with another loss."""
    student, calls = LeNet(channels=(3, 8), hidden=(32, 16)), []

    def loss_fn(logits, labels, images):
        calls.append(images.shape[0])
        return F.cross_entropy(logits, labels)

    run = train(FAST, root=mnist_root, epochs=1, train_samples=300, download=False,
                model=student, loss_fn=loss_fn)  # fmt: skip
    assert run.model is student and sum(calls) == 300 and len(calls) == 3
    assert len(run.test_predictions) == 10_000


def test_curves_split_an_epoch_into_tenths() -> None:
    log = [(float(k), 1, 2) for k in range(25)]
    losses, accuracies = curves(log)
    assert len(losses) == 10 and accuracies == (50.0,) * 10
    assert sum(losses) / 10 == pytest.approx(12, abs=0.3)


def test_checkpoint_round_trip(fast_run: TrainingRun, mnist_root: Path, tmp_path: Path) -> None:
    path = ckpt.save_checkpoint(fast_run.model, tmp_path / "lenet.pt")
    restored = ckpt.load_checkpoint(path)
    assert not restored.training
    x = mnist_test_split(mnist_root).images[:500]
    with torch.inference_mode():  # the trained copy runs channels_last kernels: same up to rounding
        restored_logits, trained_logits = restored(x), fast_run.model.cpu()(x)
    assert torch.allclose(restored_logits, trained_logits, atol=1e-4)
    assert torch.equal(restored_logits.argmax(dim=1), trained_logits.argmax(dim=1))
    saved = ckpt.read_state_dict(path)
    assert all(tensor.is_contiguous() for tensor in saved.values())


# --- the ablation ---------------------------------------------------------------------------


def test_the_ablation_trained_what_the_code_defines() -> None:
    """Every variant's stored recipe is the one cnnbook.ablation defines, with its seeds (the
    same seeds in every variant, so they can be paired)."""
    results = stored_results("ablation")
    assert results["quick"] is False
    for variant in ablation.VARIANTS:
        assert results["recipes"][variant.key] == asdict(variant.recipe), variant.key
        assert [run["seed"] for run in results["runs"][variant.key]] == list(variant.seeds)
        assert len(variant.seeds) >= 5
    assert set(results["runs"]) == set(ablation.VARIANT_KEYS)


def test_the_ablation_selects_on_validation_and_reads_the_test_set_once() -> None:
    recipes = {variant.key: variant.recipe for variant in ablation.VARIANTS}
    for key, runs in stored_results("ablation")["runs"].items():
        for run in runs:
            validation = run["validation"]
            assert len(validation) == recipes[key].epochs
            assert run["best_epoch"] == validation.index(max(validation)) + 1, (key, run["seed"])
            assert isinstance(run["test_accuracy"], float)  # one number per run


def test_the_ablation_summary_and_table_follow_from_its_runs() -> None:
    results = stored_results("ablation")
    assert results["summary"] == ablation.summaries(results)
    assert (RUNS / ablation.TABLE_FILE).read_text(encoding="utf-8") == ablation.table(results)


def test_every_seed_of_the_fast_recipe_reaches_99_percent() -> None:
    """The chapter's claim, over every stored seed (snippets/fast_recipe.py asserts it too)."""
    runs = stored_results("ablation")["runs"]["fast"]
    assert len(runs) >= 10 and min(run["test_accuracy"] for run in runs) >= 99.0


def test_the_ablation_runs_quickly(mnist_root: Path, tmp_path: Path) -> None:
    """The command works end to end (a quick run: 2 seeds, 2,000 images, one epoch)."""
    from cnnbook.ablation import main

    assert main(["--quick", "--only", "fast", "no_label_smoothing", "--out", str(tmp_path),
                 "--data", str(mnist_root), "--no-download", "--quiet"]) == 0  # fmt: skip
    results = stored_results_from(tmp_path / ablation.RESULTS_FILE)
    assert results["quick"] is True and list(results["runs"]) == ["fast", "no_label_smoothing"]
    assert (tmp_path / ablation.TABLE_FILE).read_text(encoding="utf-8") == ablation.table(results)


def stored_results_from(path: Path) -> dict:
    import json

    return json.loads(path.read_text(encoding="utf-8"))


# --- overfitting ----------------------------------------------------------------------------


def test_the_overfitting_study_is_what_the_code_defines() -> None:
    results = stored_results("overfitting")
    assert results["plan"] == json_ready(asdict(overfitting.FULL))
    assert results["settings"] == {k: asdict(v) for k, v in overfitting.SETTINGS.items()}
    for key, runs in results["runs"].items():
        assert [run["seed"] for run in runs] == list(overfitting.FULL.seeds)
        assert all(len(run["validation_loss"]) == overfitting.FULL.epochs for run in runs)
        assert results["summary"][key] == overfitting.summarize(runs)


def json_ready(value: dict) -> dict:
    return {key: list(item) if isinstance(item, tuple) else item for key, item in value.items()}


def test_a_fresh_overfitting_run_matches_the_stored_seed(mnist_root: Path) -> None:
    """The baseline, seed 0, retrained here: it overfits the same way — 100 % on its 1,000
    training images, a validation accuracy within the seeds' range, a validation loss that
    turns and rises."""
    every = load_digits(mnist_root, download=False)
    train_ids, val_ids = validation_split()
    plan = overfitting.FULL
    with torch_threads(1):
        curves_ = overfitting.train_setting(
            overfitting.SETTINGS["baseline"], plan, 0,
            every.subset(train_ids[: plan.train_samples]), every.subset(val_ids),
        )  # fmt: skip
    stored = stored_results("overfitting")["runs"]["baseline"]
    finals = [run["validation_accuracy"][-1] for run in stored]
    assert curves_["train_accuracy"][-1] == 100.0
    assert min(finals) - 0.6 <= curves_["validation_accuracy"][-1] <= max(finals) + 0.6
    lowest = min(curves_["validation_loss"])
    assert curves_["validation_loss"][-1] > lowest
    assert curves_["validation_loss"].index(lowest) + 1 < plan.epochs


def test_random_shifts_move_whole_images(mnist_root: Path) -> None:
    images = load_digits(mnist_root, download=False).images[:64]
    generator = torch.Generator().manual_seed(0)
    moved = overfitting.random_shifts(images, 2, generator)
    assert moved.shape == images.shape
    black = images.min()
    for before, after in zip(images[:, 0], moved[:, 0], strict=True):
        found = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                 if torch.equal(shifted(before, dy, dx, black), after)]  # fmt: skip
        assert len(found) >= 1


def shifted(image: torch.Tensor, dy: int, dx: int, fill: torch.Tensor) -> torch.Tensor:
    """``image`` moved down by ``dy`` and right by ``dx``, ``fill`` where nothing moved in."""
    out = torch.full_like(image, float(fill))
    height, width = image.shape
    out[max(dy, 0) : height + min(dy, 0), max(dx, 0) : width + min(dx, 0)] = image[
        max(-dy, 0) : height + min(-dy, 0), max(-dx, 0) : width + min(-dx, 0)
    ]
    return out
