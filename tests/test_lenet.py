"""Chapter 9 (在 MNIST 上训练 LeNet): cnnbook, the snippets that repeat it, the stored run, the
figures drawn from it, the commands and the numbers quoted on the page.

One real training run of the fast recipe is shared by every test of this process (the
``fast_run`` fixture: 2 epochs on the real MNIST files, one intra-op thread, no download).
"""

from __future__ import annotations

import ast
import io
import json
import math
import os
import re
import runpy
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import jupytext
import nbformat
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from torch import nn
from torch.nn import functional as F

from benchmarks.lenet_recipes import ABLATIONS
from cnnbook import checkpoint as ckpt
from cnnbook import data as mnist
from cnnbook import digits
from cnnbook.errors import CnnBookError
from cnnbook.model import LeNet, count_parameters, layer_output_shapes
from cnnbook.training import FAST, TEXTBOOK, Recipe, TrainingRun, accuracy, curves, train
from figures import confusion_matrix, mnist_preview, prediction_grid, training_curves
from tests.outputs import OFFLINE, Varies, mismatch, prepare_mnist, rules_for
from tests.paths import DOCS, EXAMPLES, REPO, SNIPPETS

pytestmark = pytest.mark.xdist_group("lenet")  # one worker trains once for all of these

PAGE = (DOCS / "lenet-mnist.md").read_text(encoding="utf-8")
CHAPTER = SNIPPETS / "lenet"
RUNS = CHAPTER / "runs"
RESULTS = REPO / "benchmarks" / "results" / "lenet_recipes.md"


def truncated_checkpoint() -> bytes:
    """The first half of a real LeNet checkpoint file."""
    buffer = io.BytesIO()
    torch.save(LeNet().state_dict(), buffer)
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]


CHECKPOINT_START = truncated_checkpoint()
TWO_DIGITS = mnist.TensorDigits(torch.zeros(2, 1, 28, 28), torch.zeros(2, dtype=torch.int64))


def stored_output(name: str) -> str:
    return (CHAPTER / name).read_text(encoding="utf-8")


def stored_run(recipe: str) -> dict:
    return json.loads((RUNS / f"{recipe}.json").read_text(encoding="utf-8"))


def class_from_source(source: str, name: str = "LeNet") -> type:
    """Execute only the ``class name`` definition of a snippet or notebook (no training)."""
    tree = ast.parse(source)
    nodes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name]
    assert len(nodes) == 1, f"expected one class {name}"
    namespace = {"torch": torch, "nn": nn, "F": F}
    exec(compile(ast.Module(body=nodes, type_ignores=[]), f"<{name}>", "exec"), namespace)
    return namespace[name]


def command(module: str, *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """``python -m module args`` as a reader runs it: offline, one thread, from ``cwd``."""
    env = {**os.environ, **OFFLINE, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    """xdist runs two workers on two cores: one intra-op thread each avoids oversubscription."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def fast_run(mnist_root: Path) -> TrainingRun:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return train(FAST, root=mnist_root, seed=0, download=False)
    finally:
        torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def checkpoint_path(fast_run: TrainingRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ckpt.save_checkpoint(fast_run.model, tmp_path_factory.mktemp("lenet") / "lenet.pt")


@pytest.fixture(scope="session")
def test_split(mnist_root: Path) -> mnist.TensorDigits:
    return mnist.load_digits(mnist_root, train=False, download=False)


# --- the model ------------------------------------------------------------------------------


def test_lenet_shapes_and_parameter_count() -> None:
    model = LeNet()
    shapes = layer_output_shapes(model, torch.zeros(2, 1, 28, 28))
    assert shapes["conv1"] == (2, 6, 24, 24) and shapes["pool1"] == (2, 6, 12, 12)
    assert shapes["conv2"] == (2, 16, 8, 8) and shapes["pool2"] == (2, 16, 4, 4)
    assert shapes["flatten"] == (2, 256) and shapes["fc3"] == (2, 10)
    # by hand: 6·25+6 + 16·150+16 + 256·120+120 + 120·84+84 + 84·10+10 = 44,426
    assert count_parameters(model) == 44_426
    assert "44,426" in stored_output("lenet_model.out") and "44,426" in PAGE


def test_narrower_lenet_keeps_the_layer_names() -> None:
    student = LeNet(channels=(3, 8), hidden=(32, 16))
    assert [n for n, _ in student.named_parameters()] == [n for n, _ in LeNet().named_parameters()]
    assert student(torch.zeros(1, 1, 28, 28)).shape == (1, 10)
    assert count_parameters(student) < count_parameters(LeNet())


def assert_same_lenet(other: type) -> None:
    torch.manual_seed(0)
    ours = LeNet()
    torch.manual_seed(0)
    theirs = other()
    assert [(n, p.shape) for n, p in ours.named_parameters()] == [
        (n, p.shape) for n, p in theirs.named_parameters()
    ]
    # same seed → same initial weights (the layers are created in the same order)
    assert all(
        torch.equal(a, b) for a, b in zip(ours.parameters(), theirs.parameters(), strict=True)
    )
    torch.manual_seed(1)
    reloaded = other()
    reloaded.load_state_dict(ours.state_dict())
    x = torch.randn(16, 1, 28, 28)
    assert torch.equal(ours(x), reloaded(x))


@pytest.mark.parametrize(
    "snippet", ["lenet_model.py", "textbook_training.py", "fast_recipe.py", "saved_gradients.py",
                "best_checkpoint.py"],
)  # fmt: skip
def test_every_lenet_in_the_snippets_is_cnnbooks(snippet: str) -> None:
    assert_same_lenet(class_from_source((CHAPTER / snippet).read_text(encoding="utf-8")))


def test_the_notebooks_lenet_is_cnnbooks() -> None:
    notebook = jupytext.read(EXAMPLES / "lenet_mnist.py")
    [cell] = [c for c in notebook.cells if c.cell_type == "code" and "class LeNet" in c.source]
    assert_same_lenet(class_from_source(cell.source))


def test_the_notebooks_prose_matches_its_code_and_outputs() -> None:
    notebook = nbformat.read(EXAMPLES / "lenet_mnist.ipynb", as_version=4)
    prose = "".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    outputs = "".join(
        o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs
    )
    assert "参数共 44,426 个" in prose and "参数总数: 44,426" in outputs
    assert "EPOCHS, BATCH_SIZE, MAX_LR = (1 if QUICK else 2), 128, 0.01" in code
    assert "每批 128 张" in prose and "升到 0.01" in prose and "0.1 的标签平滑" in prose
    assert "pct_start=0.15" in code and "前 15% 的步数" in prose
    assert "label_smoothing=0.1" in code and "不可能低于约 0.50" in prose  # 0.5003, see below
    assert "train_ids[:5_000]" in code and "只用 5,000 张图训练一轮" in prose
    assert "order[5_000:], order[:5_000]" in code and "留出 5,000 张训练图做验证集" in prose
    assert "验证集: 5000" in outputs and "mininterval=30" in code and "每 30 秒刷新" in prose
    assert "range(16)) + wrong[:8]" in code and "前 16 张测试图，以及模型错认的前 8 张" in prose
    assert "zip(axes.flat, train_raw.data" in code and "plt.subplots(2, 6" in code
    assert "前 12 张训练图" in prose


# --- data -----------------------------------------------------------------------------------


def test_snippets_declare_the_data_they_need(tmp_path: Path) -> None:
    for snippet in CHAPTER.glob("*.py"):  # exactly the files that open MNIST declare it
        source = snippet.read_text(encoding="utf-8")
        assert ("datasets.MNIST(" in source) == (rules_for(snippet).data == {"mnist"}), snippet
    root = prepare_mnist(tmp_path / "data")
    assert sorted(p.name for p in (root / "MNIST" / "raw").iterdir()) == sorted(mnist.MNIST_FILES)
    raw = root / "MNIST" / "raw"
    assert mnist.archives_to_unpack(root) == [raw / name for name in mnist.MNIST_FILES]
    assert dict(mnist.datasets.MNIST.resources) == mnist.MNIST_FILES  # the md5 torchvision checks


def test_normalisation_constants_are_the_training_set_statistics(mnist_root: Path) -> None:
    pixels = mnist.mnist_dataset(mnist_root, train=True, download=False).data.to(torch.int64)
    count = pixels.numel()
    mean = pixels.sum().item() / count / 255
    std = math.sqrt((pixels**2).sum().item() / count / 255**2 - mean**2)
    assert (round(mean, 4), round(std, 4)) == (mnist.MNIST_MEAN, mnist.MNIST_STD)
    assert "rounded: (0.1307, 0.3081)" in stored_output("normalization.out")
    assert "(0.1307, 0.3081)" in PAGE


def test_both_pipelines_give_identical_inputs(mnist_root: Path) -> None:
    dataset = mnist.mnist_dataset(mnist_root, transform=mnist.textbook_transform(), download=False)
    tensors = mnist.load_digits(mnist_root, download=False)
    for index in (0, 1234, 59_999):
        image, label = dataset[index]
        assert torch.equal(image, tensors.images[index]) and label == tensors.labels[index]


def test_shuffled_batches_cover_the_indices_once() -> None:
    digits_ = mnist.TensorDigits(torch.arange(10.0).reshape(10, 1, 1, 1), torch.arange(10))
    chosen = torch.tensor([9, 3, 4, 0, 7])
    seen = [y for _, labels in mnist.shuffled_batches(digits_, 2, torch.Generator(), chosen)
            for y in labels.tolist()]  # fmt: skip
    assert sorted(seen) == sorted(chosen.tolist())
    assert [len(y) for _, y in mnist.batches_in_order(digits_, 4)] == [4, 4, 2]


def test_validation_split_is_fixed_and_disjoint() -> None:
    train_ids, val_ids = mnist.validation_split()
    again_train, _ = mnist.validation_split()
    assert (
        len(train_ids) == 55_000 and len(val_ids) == 5_000 and torch.equal(train_ids, again_train)
    )
    assert len(set(train_ids.tolist()) | set(val_ids.tolist())) == 60_000


@pytest.mark.parametrize(
    ("call", "complaint"),
    [
        (lambda: mnist.validation_split(100, 100), "validation_size"),
        (lambda: list(mnist.batches_in_order(TWO_DIGITS, 0)), "batch_size"),
        (lambda: mnist.normalize_pixels(torch.zeros(2, 28, 28)), "pixels must be uint8"),
        (lambda: mnist.normalize_pixels(torch.zeros(2, 3, 28, 28, dtype=torch.uint8)), "shape"),
        (lambda: mnist.TensorDigits(torch.zeros(3), torch.zeros(2)), "differ in length"),
        (lambda: LeNet(channels=(6,)), "channels"),
        (lambda: LeNet(num_classes=1), "num_classes"),
        (lambda: Recipe("x", "tensors", 0, 1, "adam", 0.1), "batch_size"),
        (lambda: Recipe("x", "pipes", 8, 1, "adam", 0.1), "pipeline"),
        (lambda: Recipe("x", "tensors", 8, 1, "adam", 0.1, label_smoothing=1.0), "label_smoothing"),
        (lambda: accuracy(torch.zeros(3), torch.zeros(2)), "same non-empty shape"),
        (lambda: train(FAST, train_samples=0), "train_samples"),
    ],
)  # fmt: skip
def test_bad_arguments_name_themselves(call, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        call()


def test_missing_data_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CnnBookError, match="has no MNIST"):
        mnist.load_digits(tmp_path, download=False)
    (tmp_path / "file").write_text("x")
    with pytest.raises(CnnBookError, match="is not a directory"):
        mnist.load_digits(tmp_path / "file", download=False)
    raw = tmp_path / "broken" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name, _ in mnist.datasets.MNIST.resources:
        (raw / name).write_bytes(b"not a gzip file")
    with pytest.raises(CnnBookError, match="corrupted"):
        mnist.load_digits(tmp_path / "broken", download=False)


# --- training: the real run, the stored run, the snippet ------------------------------------


def test_fast_recipe_reaches_99_percent(fast_run: TrainingRun) -> None:
    assert fast_run.test_accuracy >= 99.0
    assert fast_run.train_samples == 55_000 and len(fast_run.history) == FAST.epochs
    best = max(fast_run.history, key=lambda record: record.validation_accuracy)
    assert fast_run.best_epoch == best.epoch


def test_stored_run_agrees_with_a_fresh_one(fast_run: TrainingRun) -> None:
    """The figures draw the stored run; a fresh run (other machine, other thread count) must
    land within these tolerances: test accuracy ±0.3 points, validation accuracy per epoch
    ±0.5, mean training loss ±0.02, and the same prediction on at least 99 % of test images."""
    stored, fresh = stored_run("fast"), fast_run.summary()
    assert stored["recipe"] == asdict(FAST) and stored["seed"] == 0
    assert abs(stored["test_accuracy"] - fresh["test_accuracy"]) <= 0.3
    for old, new in zip(stored["history"], fresh["history"], strict=True):
        assert abs(old["validation_accuracy"] - new["validation_accuracy"]) <= 0.5
        assert abs(old["train_loss"] - new["train_loss"]) <= 0.02
    same = sum(a == b for a, b in zip(stored["test_predictions"], fresh["test_predictions"],
                                      strict=True))  # fmt: skip
    assert same >= 9_900


def test_stored_textbook_run_is_the_textbook_recipe() -> None:
    stored = stored_run("textbook")
    assert stored["recipe"] == asdict(TEXTBOOK) and stored["train_samples"] == 55_000
    assert len(stored["history"]) == TEXTBOOK.epochs and len(stored["test_predictions"]) == 10_000


def test_fast_recipe_snippet_trains_exactly_like_cnnbook(
    mnist_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(mnist_root.parent)  # the snippet reads MNIST("data")
    snippet = runpy.run_path(str(CHAPTER / "fast_recipe.py"))  # defines, does not train
    constants = (snippet["BATCH_SIZE"], snippet["EPOCHS"], snippet["MAX_LR"],
                 snippet["WARMUP"], snippet["LABEL_SMOOTHING"], snippet["EVAL_BATCH"])  # fmt: skip
    assert constants == (FAST.batch_size, FAST.epochs, FAST.lr, FAST.warmup_fraction,
                         FAST.label_smoothing, FAST.eval_batch_size)  # fmt: skip
    model, history = snippet["train"](seed=3, epochs=1, train_samples=1_500)
    run = train(FAST, root=mnist_root, seed=3, epochs=1, train_samples=1_500, download=False)
    ours = run.model.state_dict()
    assert all(torch.equal(value, ours[name]) for name, value in model.state_dict().items())
    (epoch, mean_loss, validation), record = history[0], run.history[0]
    assert epoch == 1 and validation == record.validation_accuracy
    assert mean_loss == pytest.approx(record.train_loss, rel=1e-12)


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


def test_training_curves_figure_draws_the_stored_history() -> None:
    for recipe in ("textbook", "fast"):
        run = stored_run(recipe)
        positions, values = training_curves.accuracy_points(run)
        assert positions[-1] == len(run["history"]) and len(values) == 10 * len(run["history"])
        for record in run["history"]:
            assert min(record["accuracy_curve"]) <= record["train_accuracy"] + 1e-3
            assert max(record["accuracy_curve"]) >= record["train_accuracy"] - 1e-3


# --- checkpoints ----------------------------------------------------------------------------


def test_checkpoint_round_trip(fast_run: TrainingRun, checkpoint_path: Path, test_split) -> None:
    restored = ckpt.load_checkpoint(checkpoint_path)
    assert not restored.training
    x = test_split.images[:500]
    with torch.inference_mode():  # the trained copy runs channels_last kernels: same up to rounding
        restored_logits, trained_logits = restored(x), fast_run.model.cpu()(x)
    assert torch.allclose(restored_logits, trained_logits, atol=1e-4)
    assert torch.equal(restored_logits.argmax(dim=1), trained_logits.argmax(dim=1))
    saved = ckpt.read_state_dict(checkpoint_path)
    assert all(tensor.is_contiguous() for tensor in saved.values())


@pytest.mark.parametrize(
    ("make", "complaint"),
    [
        (lambda p: None, "does not exist"),
        (lambda p: p.write_bytes(b"\x00" * 64), "not a readable PyTorch file"),
        (lambda p: p.write_bytes(CHECKPOINT_START), "not a readable PyTorch file"),  # truncated
        (lambda p: torch.save([1, 2, 3], p), "does not hold a state_dict"),
        (lambda p: torch.save(nn.Linear(4, 2).state_dict(), p), "is not a LeNet state_dict"),
        (lambda p: torch.save(LeNet(channels=(8, 16)).state_dict(), p), "conv1.weight has shape"),
        (lambda p: torch.save(LeNet(), p), "holds pickled Python objects"),  # a whole model
    ],
)  # fmt: skip
def test_bad_checkpoints_are_refused(make, complaint: str, tmp_path: Path) -> None:
    path = tmp_path / "model.pt"
    make(path)
    with pytest.raises(CnnBookError, match=complaint):
        ckpt.load_checkpoint(path)


# --- digits from image files ----------------------------------------------------------------


def snippet_preprocessing() -> dict:
    return runpy.run_path(str(CHAPTER / "digit_preprocessing.py"))  # the demo does not run


def sample_images(test_split: mnist.TensorDigits) -> list[Image.Image]:
    photo = snippet_preprocessing()["photo_of_a_seven"]()
    pixels = (test_split.images[0, 0] * mnist.MNIST_STD + mnist.MNIST_MEAN) * 255
    digit = Image.fromarray(pixels.round().clamp(0, 255).to(torch.uint8).numpy())
    transparent = Image.new("RGBA", (90, 120), (0, 0, 0, 0))
    ImageDraw.Draw(transparent).ellipse((20, 25, 70, 95), outline=(10, 10, 10, 255), width=8)
    return [photo, Image.fromarray(255 - np.asarray(photo)), digit, digit.resize((140, 140)),
            transparent, photo.convert("P")]  # fmt: skip


def test_preprocessing_snippet_equals_cnnbook(test_split) -> None:
    snippet = snippet_preprocessing()["to_mnist_digit"]
    for image in sample_images(test_split):
        assert torch.equal(snippet(image), digits.to_mnist_digit(image))


def test_an_mnist_digit_survives_preprocessing(fast_run: TrainingRun, test_split) -> None:
    """MNIST digits are already framed like this, so converting them again changes little:
    the network gives the same answer for at least 97 % of the first 300 test digits."""
    pixels = ((test_split.images[:300, 0] * mnist.MNIST_STD + mnist.MNIST_MEAN) * 255).round()
    images = [Image.fromarray(p.clamp(0, 255).to(torch.uint8).numpy()) for p in pixels]
    again = torch.stack([digits.to_mnist_digit(image) for image in images])
    model = fast_run.model.cpu().eval()
    with torch.inference_mode():
        before = model(test_split.images[:300]).argmax(dim=1)
        after = model((again.unsqueeze(1) - mnist.MNIST_MEAN) / mnist.MNIST_STD).argmax(dim=1)
    assert (before == after).float().mean() >= 0.97


@settings(max_examples=30, deadline=None, derandomize=True)
@given(
    width=st.integers(30, 400), height=st.integers(30, 400), dark_ink=st.booleans(),
    stroke=st.integers(2, 9), box=st.tuples(*[st.floats(0.1, 0.9)] * 4),
)  # fmt: skip
def test_any_drawing_is_framed_like_mnist(width, height, dark_ink, stroke, box) -> None:
    paper, ink = ((230, 225, 210), (20, 30, 90)) if dark_ink else ((15, 15, 20), (240, 240, 200))
    image = Image.new("RGB", (width, height), paper)
    x0, x1 = sorted((box[0] * width, box[1] * width))
    y0, y1 = sorted((box[2] * height, box[3] * height))
    ImageDraw.Draw(image).rectangle((x0, y0, x1 + stroke, y1 + stroke), outline=ink, width=stroke)
    digit = digits.to_mnist_digit(image)
    assert digit.shape == (28, 28) and digit.min() >= 0 and digit.max() <= 1
    assert digit[0, 0] == 0  # the background became black whatever its colour
    used = torch.nonzero(digit > digits.INK_THRESHOLD)
    extent = (used.max(dim=0).values - used.min(dim=0).values + 1).max().item()
    assert 17 <= extent <= 20  # the longer side of the ink box is about 20 pixels


def test_uniform_image_has_no_digit() -> None:
    with pytest.raises(CnnBookError, match="no visible digit"):
        digits.to_mnist_digit(Image.new("L", (50, 50), 200))


# --- the commands ---------------------------------------------------------------------------


def write_test_digits(test_split: mnist.TensorDigits, folder: Path) -> dict[Path, int]:
    """Real test digits as files: as they are, inverted and enlarged, coloured JPEG on a larger
    off-centre canvas, and dark ink on a transparent background."""
    files = {}
    for index in range(8):
        pixels = (test_split.images[index, 0] * mnist.MNIST_STD + mnist.MNIST_MEAN) * 255
        gray = pixels.round().clamp(0, 255).to(torch.uint8).numpy()
        label = int(test_split.labels[index])
        plain = Image.fromarray(gray)
        inverted = Image.fromarray(255 - gray).resize((140, 140), Image.Resampling.BICUBIC)
        alpha = gray.astype(np.float32)[..., None] / 255
        paper, pen = np.array([250, 240, 200]), np.array([20, 30, 140])
        colour = Image.fromarray((paper * (1 - alpha) + pen * alpha).astype(np.uint8))
        canvas = Image.new("RGB", (120, 90), (250, 240, 200))
        canvas.paste(colour.resize((56, 56)), (10, 20))
        transparent = np.zeros((28, 28, 4), dtype=np.uint8)
        transparent[..., 3] = gray
        variants = {"plain.png": plain, "inverted.png": inverted, "colour.jpg": canvas,
                    "transparent.png": Image.fromarray(transparent).resize((84, 84))}  # fmt: skip
        for suffix, image in variants.items():
            path = folder / f"{index}-{suffix}"
            image.save(path)
            files[path] = label
    return files


@pytest.fixture(scope="module")
def predictions(checkpoint_path: Path, test_split, tmp_path_factory) -> dict[str, tuple]:
    """One run of ``python -m cnnbook.predict`` on real test digits in four forms and on the
    page's photo of a 7 (and its inversion): {file name: (line, true digit or None)}."""
    folder = tmp_path_factory.mktemp("predict")
    files = {path.name: label for path, label in write_test_digits(test_split, folder).items()}
    photo = snippet_preprocessing()["photo_of_a_seven"]()
    photo.save(folder / "seven.png")
    Image.fromarray(255 - np.asarray(photo)).save(folder / "seven-inverted.png")
    names = ["seven.png", "seven-inverted.png", *files]
    result = command("cnnbook.predict", *names, "--checkpoint", str(checkpoint_path), cwd=folder)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(names)
    return {name: (line, files.get(name)) for name, line in zip(names, lines, strict=True)}


def test_predict_command_reads_real_digits_in_any_form(predictions: dict) -> None:
    pattern = re.compile(r"^(?P<path>.+): (?P<digit>\d) \(probability (?P<p>[01]\.\d{3})\)$")
    checked = 0
    for name, (line, label) in predictions.items():
        match = pattern.match(line)
        assert match and match["path"] == name, line
        if label is not None:
            assert int(match["digit"]) == label, line
            checked += 1
    assert checked == 32


def test_predict_command_output_shown_on_the_page(predictions: dict, update_outputs: bool):
    """The page shows the command's real output for the snippet's photo and its inversion; a
    fresh model must print the same digits, with probabilities within 0.05."""
    shown = "".join(predictions[name][0] + "\n" for name in ("seven.png", "seven-inverted.png"))
    stored_path = RUNS / "predict_command.txt"
    if update_outputs:
        stored_path.write_text(shown, encoding="utf-8")
    probability = Varies("(probability {})", abs=0.05)
    problem = mismatch(stored_path.read_text(encoding="utf-8"), shown, (probability,))
    assert problem is None, problem
    assert shown.startswith("seven.png: 7 (probability ")
    assert '--8<-- "snippets/lenet/runs/predict_command.txt"' in PAGE


def assert_one_line_error(result: subprocess.CompletedProcess, complaint: str, code: int = 1):
    assert result.returncode == code, result.stderr
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and complaint in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad")
    files = {"text": folder / "notes.png", "garbage": folder / "garbage.pt",
             "other": folder / "other.pt", "wider": folder / "wider.pt",
             "blank": folder / "blank.png", "digit": folder / "digit.png"}  # fmt: skip
    files["text"].write_text("not an image")
    files["garbage"].write_bytes(os.urandom(256))
    torch.save(nn.Linear(4, 2).state_dict(), files["other"])
    torch.save(LeNet(channels=(6, 20)).state_dict(), files["wider"])
    Image.new("L", (40, 40), 255).save(files["blank"])
    image = Image.new("L", (40, 40), 255)
    ImageDraw.Draw(image).line((20, 5, 20, 35), fill=0, width=4)
    image.save(files["digit"])
    return files


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["missing.png", "--checkpoint", "{checkpoint}"], "image missing.png does not exist"),
        (["{text}", "--checkpoint", "{checkpoint}"], "is not an image PIL can read"),
        (["{blank}", "--checkpoint", "{checkpoint}"], "no visible digit"),
        (["{digit}", "--checkpoint", "missing.pt"], "checkpoint missing.pt does not exist"),
        (["{digit}", "--checkpoint", "{garbage}"], "is not a readable PyTorch file"),
        (["{digit}", "--checkpoint", "{other}"], "is not a LeNet state_dict: missing conv1.bias"),
        (["{digit}", "--checkpoint", "{wider}"], "conv2.weight has shape (20, 6, 5, 5)"),
    ],
)
def test_predict_command_bad_input(args, complaint, bad_files, checkpoint_path) -> None:
    names = {**{k: str(v) for k, v in bad_files.items()}, "checkpoint": str(checkpoint_path)}
    assert_one_line_error(command("cnnbook.predict", *[a.format(**names) for a in args]), complaint)


def test_predict_command_lists_the_top_digits(bad_files, checkpoint_path) -> None:
    image = str(bad_files["digit"])  # a vertical stroke: a 1
    result = command("cnnbook.predict", image, "--checkpoint", str(checkpoint_path), "--top", "3")
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip()
    match = re.fullmatch(
        r".+: (\d) \(probability ([01]\.\d{3})\)  top 3: (\d): ([01]\.\d{3}), "
        r"(\d): ([01]\.\d{3}), (\d): ([01]\.\d{3})",
        line,
    )
    assert match, line
    best, p_best, *ranked = match.groups()
    assert best == ranked[0] and p_best == ranked[1] and best == "1"
    probabilities = [float(p) for p in ranked[1::2]]
    assert probabilities == sorted(probabilities, reverse=True) and len(set(ranked[::2])) == 3
    for bad in ("0", "11", "x"):
        result = command(
            "cnnbook.predict", image, "--checkpoint", str(checkpoint_path), "--top", bad
        )
        assert_one_line_error(result, "argument --top: must be an integer from 1 to 10", 2)


@pytest.mark.parametrize(
    ("args", "complaint", "code"),
    [
        (["--data", "{empty}", "--no-download"], "has no MNIST", 1),
        (["--data", "{empty}", "--mirror", "http://127.0.0.1:9/"], "could not get MNIST", 1),
        (["--data", "{file}", "--no-download"], "exists and is not a directory", 1),
        (["--checkpoint", "{empty}"], "checkpoint path", 1),
        (["--epochs", "0"], "argument --epochs: must be a positive integer", 2),
        (["--recipe", "slow"], "argument --recipe: invalid choice", 2),
    ],
)
def test_train_command_bad_input(args, complaint, code, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "file").write_text("x")
    names = {"empty": str(tmp_path / "empty"), "file": str(tmp_path / "file")}
    result = command("cnnbook.train", *[a.format(**names) for a in args])
    assert_one_line_error(result, complaint, code)


def test_train_command_lists_the_recipes() -> None:
    from cnnbook.train import RECIPE_NAMES
    from cnnbook.training import RECIPES

    assert sorted(RECIPE_NAMES) == sorted(RECIPES)


def test_train_command_saves_checkpoint_and_history(mnist_root: Path, tmp_path: Path) -> None:
    result = command(
        "cnnbook.train", "--data", str(mnist_root), "--no-download", "--epochs", "1",
        "--train-samples", "512", "--checkpoint", str(tmp_path / "m.pt"),
        "--history", str(tmp_path / "h.json"), "--quiet",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("epoch 1/1: loss ")
    assert ckpt.load_checkpoint(tmp_path / "m.pt") is not None
    history = json.loads((tmp_path / "h.json").read_text())
    assert history["train_samples"] == 512 and len(history["test_predictions"]) == 10_000


# --- figures: the numbers they draw ---------------------------------------------------------


def test_confusion_matrix_figure_counts_like_torch(test_split) -> None:
    counts = confusion_matrix.stored_confusion()
    predicted = prediction_grid.stored_predictions()
    for t in range(10):
        for p in range(10):
            expected = ((test_split.labels == t) & (predicted == p)).sum()
            assert counts[t, p] == expected
    correct = int(counts.trace())
    assert correct == round(stored_run("fast")["test_accuracy"] * 100)


def test_prediction_grid_marks_exactly_the_mistakes(test_split) -> None:
    tiles = prediction_grid.grid_tiles()
    predicted = prediction_grid.stored_predictions()
    assert [index for index, _, _ in tiles[:24]] == list(range(24))
    for index, truth, guess in tiles:
        assert truth == int(test_split.labels[index]) and guess == int(predicted[index])
    assert all(truth != guess for _, truth, guess in tiles[24:])


# --- formulas stated on the page ------------------------------------------------------------


def test_sgd_with_momentum_follows_the_stated_formula() -> None:
    """v_t = μ v_{t-1} + g_t, θ_t = θ_{t-1} - η v_t (PyTorch's form, v_1 = g_1)."""
    torch.manual_seed(0)
    theta = torch.randn(5, requires_grad=True)
    optimizer = torch.optim.SGD([theta], lr=0.01, momentum=0.5)
    expected, velocity = theta.detach().clone(), torch.zeros(5)
    for step in range(3):
        optimizer.zero_grad()
        loss = ((theta - step) ** 2).sum()
        loss.backward()
        gradient = theta.grad.clone()
        velocity = gradient if step == 0 else 0.5 * velocity + gradient
        expected = expected - 0.01 * velocity
        optimizer.step()
        assert torch.allclose(theta.detach(), expected, atol=1e-7)


def test_one_cycle_schedule_is_as_described() -> None:
    """Warm-up over 15 % of the steps from max/25 to max, then down to max/(25·10^4), with
    Adam's beta1 moving 0.95 → 0.85 → 0.95."""
    from cnnbook.training import make_optimizer, make_scheduler

    optimizer = make_optimizer(LeNet(), FAST)
    scheduler = make_scheduler(optimizer, FAST, steps_per_epoch=150)
    total = 150 * FAST.epochs
    rates, betas = [], []
    for _ in range(total):
        rates.append(optimizer.param_groups[0]["lr"])
        betas.append(optimizer.param_groups[0]["betas"][0])
        optimizer.step()
        scheduler.step()
    peak = rates.index(max(rates))
    assert rates[0] == pytest.approx(0.01 / 25) and max(rates) == pytest.approx(0.01)
    assert peak == round(0.15 * total) - 1
    assert rates[-1] == pytest.approx(0.01 / 25 / 1e4, rel=0.05)
    assert betas[0] == pytest.approx(0.95) and betas[peak] == pytest.approx(0.85)
    assert betas[-1] == pytest.approx(0.95, abs=1e-3)
    assert "0.95 → 0.85 → 0.95" in PAGE and "前 15% 的步数" in PAGE


def test_default_initialisation_and_the_sign_of_first_layer_gradients() -> None:
    """PyTorch's default weights lie in ±1/sqrt(fan_in), and ∂ℓ/∂w_i = δ·x_i, so for
    non-negative inputs one sample's gradients on a neuron's weights all share δ's sign."""
    torch.manual_seed(0)
    for layer, fan_in in ((nn.Conv2d(1, 6, 5), 25), (nn.Linear(256, 120), 256)):
        bound = 1 / math.sqrt(fan_in)
        assert layer.weight.abs().max() <= bound and layer.weight.abs().max() > 0.95 * bound
    neuron = nn.Linear(784, 1)
    x = torch.rand(1, 784)  # pixels in [0, 1], as before normalising
    a = neuron(x)
    a.retain_grad()
    ((a - 3.0) ** 2).sum().backward()
    delta = a.grad[0, 0]
    assert torch.allclose(neuron.weight.grad[0], delta * x[0])
    assert bool((torch.sign(neuron.weight.grad) == torch.sign(delta)).all())
    assert "$\\pm 1/\\sqrt{n_\\text{in}}$" in PAGE
    assert "$\\partial \\ell / \\partial w_i = \\delta\\, x_i$" in PAGE


def test_cross_entropy_is_minus_log_softmax_of_the_true_class() -> None:
    """ℓ(z, y) = -log(e^{z_y} / Σ_k e^{z_k}), averaged over the batch by nn.CrossEntropyLoss."""
    torch.manual_seed(0)
    logits, labels = torch.randn(8, 10, dtype=torch.float64), torch.randint(0, 10, (8,))
    by_hand = -torch.log(logits.exp()[torch.arange(8), labels] / logits.exp().sum(dim=1))
    assert torch.allclose(nn.CrossEntropyLoss()(logits, labels), by_hand.mean())
    assert "$\\ell(z, y) = -\\log \\bigl( e^{z_y} / \\sum_{k} e^{z_k} \\bigr)$" in PAGE


def test_label_smoothing_floor_and_target() -> None:
    stored = stored_output("label_smoothing.out")
    entropy = -(0.91 * math.log(0.91) + 9 * 0.01 * math.log(0.01))  # by hand: 0.5003
    assert f"lowest possible loss: {entropy:.4f}" in stored
    assert "$0.9 + 0.01 = 0.91$" in PAGE and "约 $0.50$" in PAGE


# --- numbers quoted in the prose ------------------------------------------------------------


def test_prose_quotes_the_stored_outputs() -> None:
    quoted = {
        "load_mnist.out": ["5421", "6742"],
        "normalization.out": ["0.130660", "0.308108", "-0.4242", "2.8215", "47,040,000"],
        "lenet_model.out": ["156", "2,416", "30,840", "10,164", "850", "44,426"],
        "data_pipelines.out": ["179.4 MiB"],
        "textbook_training.out": ["10.1%", "61.1%"],
        "fast_recipe.out": ["99.16%"],
        "mnist_geometry.out": ["99.74%", "(14.00, 14.01)", "(0.29, 0.29)"],
        "digit_preprocessing.out": ["(13.7, 14.2)"],
    }
    for output, numbers in quoted.items():
        stored = stored_output(output)
        for number in numbers:
            page_form = {
                "5421": "5,421",
                "6742": "6,742",
                "179.4 MiB": "179 MiB",
                "47,040,000": "47{,}040{,}000",
                "(0.29, 0.29)": "标准差只有 0.29 像素",
            }.get(number, number)
            assert number in stored and page_form in PAGE, (output, number)
    assert "60,000 of 60,000 digits" in stored_output("mnist_geometry.out")
    assert "每一张都在 $(14, 14)$ 的一个像素以内" in PAGE


def test_prose_arithmetic() -> None:
    fc1_share = 30_840 / 44_426  # 69.4 %
    conv_share = (156 + 2_416) / 44_426  # 5.8 %
    assert 0.69 < fc1_share < 0.70 and "70% 的参数在 fc1 里" in PAGE
    assert conv_share < 0.06 and "不到 6%" in PAGE
    assert 61_706 - 44_426 == (400 - 256) * 120 == 17_280 and "17,280" in PAGE
    assert "61,706" in (SNIPPETS / "overview" / "history_params.out").read_text(encoding="utf-8")
    assert math.ceil(55_000 / 64) == 860 and "一轮 860 批" in PAGE


def test_prose_counts_the_model_and_its_memory() -> None:
    model = LeNet()
    assert len(list(model.parameters())) == 10 and "state_dict: 10 tensors" in stored_output(
        "best_checkpoint.out"
    )
    assert PAGE.count("10 个参数张量") == 2
    assert (model.conv1.in_channels, model.conv1.out_channels, model.conv2.out_channels) == (
        1,
        6,
        16,
    )
    assert "LeNet 的通道只有 1、6、16 个" in PAGE
    assert 60_000 * 28 * 28 * 4 / 2**20 < 200 and "MNIST 只有不到 200 MiB" in PAGE  # 179.4 MiB
    baseline = re.search(r"进程（(\d+) MiB）", RESULTS.read_text(encoding="utf-8"))
    assert (
        baseline and 100 <= int(baseline[1]) < 1000 and "只导入 PyTorch 就已经占了几百 MiB" in PAGE
    )
    assert "网络对至少 97% 的图给出相同的答案" in PAGE  # test_an_mnist_digit_survives_preprocessing


def test_prose_quotes_the_stored_runs() -> None:
    fast, textbook = stored_run("fast"), stored_run("textbook")
    gap = fast["test_accuracy"] - fast["history"][fast["best_epoch"] - 1]["validation_accuracy"]
    snippet = re.findall(r"[\d.]+(?=%)", stored_output("fast_recipe.out"))  # ..., val 2, test
    assert 0 < gap < 1 and 0 < float(snippet[-1]) - float(snippet[-2]) < 1
    assert "低零点几个百分点" in PAGE
    assert math.ceil(55_000 / 128) == 430 and "（430 对 860）" in PAGE
    best = textbook["history"][textbook["best_epoch"] - 1]
    assert textbook["best_epoch"] == 4 and f"（{best['validation_accuracy']:.2f}%）" in PAGE
    assert f"测试准确率是 {textbook['test_accuracy']:.2f}%" in PAGE
    first_fast = fast["history"][0]["validation_accuracy"]
    assert first_fast > max(r["validation_accuracy"] for r in textbook["history"])
    assert "快速配方第一轮结束时就超过了教科书配方五轮的结果" in PAGE


def test_prose_quotes_the_confusion_matrix() -> None:
    counts = confusion_matrix.stored_confusion()
    mistakes = counts - torch.diag(torch.diag(counts))
    assert int(mistakes.sum()) == 85 and "错了 85 张" in PAGE
    cells = np.ndenumerate(mistakes.numpy())
    ranked = sorted(((int(n), t, p) for (t, p), n in cells), reverse=True)
    assert [n for n, _, _ in ranked[:8]] == [4] * 7 + [3]
    pairs = sorted((t, p) for _, t, p in ranked[:7])
    assert pairs == [(2, 7), (4, 9), (5, 3), (6, 1), (9, 4), (9, 7), (9, 8)]
    words = "最多的几种也只各有 4 张——把 9 认成 4、7 或 8，把 4 认成 9，"
    assert words + "把 5 认成 3，把 6 认成 1，把 2 认成 7" in PAGE


def benchmark_rows() -> dict[str, list[str]]:
    """The stored benchmark tables, row label → cells (numbers as printed)."""
    rows = {}
    for line in RESULTS.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and not cells[0].startswith("---"):
            rows.setdefault(cells[0], []).append(cells[1:])
    return rows


def test_prose_agrees_with_the_stored_benchmark() -> None:
    """What the page says about the measured tables (the tables themselves are included as
    stored). The ablation's timings depend on how busy the machine was, so the page states no
    ranking of them; only what each row changes, which is checked here."""
    rows = benchmark_rows()
    fast = rows["fast"]
    accuracies = [float(cells[4].rstrip("%")) for cells in fast]
    assert len(fast) == 3 and min(accuracies) > 99.0 and sum(accuracies) / 3 >= 99.0
    assert "三个种子各训练了一次，测试准确率都超过 99%" in PAGE and "两轮就够" in PAGE
    loader_epoch = float(rows["DataLoader，逐样本变换"][0][2])
    fast_epoch = float(rows[ABLATIONS["fast"]][0][3])
    assert loader_epoch > fast_epoch and "就比快速配方训练一整轮还久" in PAGE
    ablation = {variant: rows[label][0] for variant, label in ABLATIONS.items()}
    # batch size, threads, steps: 55,000 / 128 → 430 steps, 55,000 / 64 → 860
    assert [cells[0] for cells in ablation.values()] == ["128", "128", "64", "128"]
    assert [cells[2] for cells in ablation.values()] == ["430", "430", "860", "430"]
    assert ablation["one_thread"][1] == "1" and ablation["fast"][4] == "1.00"
    assert "每一行只改一项、其余不变" in PAGE and "大于 1 表示更慢" in PAGE
    assert "测量期间的系统负载" in RESULTS.read_text(encoding="utf-8")
    assert "表格最后一行记下的系统负载" in PAGE
    assert '--8<-- "benchmarks/results/lenet_recipes.md"' in PAGE


def test_prose_quotes_the_recipes_and_constants() -> None:
    assert (TEXTBOOK.lr, TEXTBOOK.momentum, TEXTBOOK.batch_size, TEXTBOOK.epochs) == (
        0.01,
        0.5,
        64,
        5,
    )
    assert "$\\eta = 0.01$、$\\mu = 0.5$" in PAGE and "每次从数据集里取 64 个样本" in PAGE
    assert (FAST.batch_size, FAST.epochs, FAST.lr, FAST.label_smoothing) == (128, 2, 0.01, 0.1)
    assert FAST.eval_batch_size == 2_500 and "每批 2,500 张" in PAGE and "0.1 的标签平滑" in PAGE
    assert (mnist.VALIDATION_SIZE, mnist.TRAIN_SIZE - mnist.VALIDATION_SIZE) == (5_000, 55_000)
    assert "固定地随机留出 5,000 张" in PAGE and "只用其余 55,000 张训练" in PAGE
    assert "training images: 60000  test images: 10000" in stored_output("load_mnist.out")
    assert "训练集 60,000 张、测试集 10,000 张" in PAGE
    assert (digits.BORDER_FRACTION, digits.BOX_SIZE, digits.CENTRE) == (0.04, 20, 14.0)
    assert "四周 4% 宽的边带的中位数比中灰（0.5）亮" in PAGE
    assert (prediction_grid.FIRST, prediction_grid.MISTAKES) == (24, 8)
    assert len(prediction_grid.grid_tiles()) == 32 and "前 24 张测试图和前 8 张被认错的图" in PAGE


def test_prose_quotes_the_recipe_table_and_the_figures() -> None:
    """The hand-written comparison of the two recipes, and counts named in the text."""
    assert (TEXTBOOK.batch_size, FAST.batch_size) == (64, 128) and "| 批大小 | 64 | 128 |" in PAGE
    assert (TEXTBOOK.epochs, FAST.epochs) == (5, 2) and "| 轮数 | 5 | 2 |" in PAGE
    assert (TEXTBOOK.eval_batch_size, FAST.eval_batch_size) == (64, 2_500)
    assert "| 评估 | 每批 64 张 | 每批 2,500 张" in PAGE
    assert (TEXTBOOK.optimizer, TEXTBOOK.lr, TEXTBOOK.momentum) == ("sgd", 0.01, 0.5)
    assert "| SGD，$\\eta = 0.01$，动量 0.5 |" in PAGE
    assert (FAST.optimizer, FAST.schedule, FAST.lr) == ("adam", "onecycle", 0.01)
    assert "one-cycle 学习率，峰值 0.01" in PAGE and "升到峰值 $\\eta_\\text{max} = 0.01$" in PAGE
    # the schedule's ends, checked in test_one_cycle_schedule_is_as_described
    assert "从 $\\eta_\\text{max}/25$" in PAGE and "$\\eta_\\text{max}/(25 \\times 10^4)$" in PAGE
    assert "完整地跑 5 轮、每轮 55,000 张" in PAGE and "只训练两轮就达到 99% 以上" in PAGE
    fast = stored_run("fast")
    assert fast["test_accuracy"] > 99 and len(fast["history"]) == FAST.epochs == 2
    assert "after one epoch on 12,000 images" in stored_output("textbook_training.out")
    assert "train_ids[:12_000]" in (CHAPTER / "textbook_training.py").read_text(encoding="utf-8")
    assert "在 12,000 张图上训练一轮之后" in PAGE
    assert mnist_preview.ROWS * mnist_preview.COLS == 24 and "前 24 张训练图" in PAGE
    assert "longest: 20 pixels" in stored_output("mnist_geometry.out")
    assert "长边恰好是 20 像素，没有一张超过 20" in PAGE
    assert "images: (60000, 28, 28) torch.uint8" in stored_output("load_mnist.out")
    assert "形状 $(60000, 28, 28)$" in PAGE


def test_prose_agrees_with_the_stored_pipeline_and_recipe_timings() -> None:
    """Robust claims about the measured tables: the fast recipe takes a small part of the
    textbook's time, and the per-sample pipeline is mostly Python overhead around a few
    microseconds of computation (the tensor pipeline's time per image)."""
    rows = benchmark_rows()
    textbook_total = float(rows["textbook"][0][2])
    assert all(float(cells[2]) < textbook_total / 4 for cells in rows["fast"])
    assert "耗时只是教科书写法的一小部分" in PAGE
    loader = rows["DataLoader，逐样本变换"][0]
    tensors = rows["张量，按乱序索引取批（含解码与归一化）"][0]
    loader_us = 1000 * float(loader[3]) / int(loader[0])  # per image
    tensors_us = 1000 * float(tensors[3]) / int(tensors[0])
    assert tensors_us < 10 and loader_us > 10 * tensors_us
    assert "几个微秒的计算，外面裹着多得多的 Python 开销" in PAGE
