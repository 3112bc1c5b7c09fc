"""Chapter 9: the commands readers run (``cnnbook.train``, ``cnnbook.predict``), the image
preprocessing behind ``predict``, checkpoints, and the shared Chinese parser and lines."""

from __future__ import annotations

import argparse
import inspect
import io
import os
import re
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from torch import nn

from cnnbook import ablation, digits, export_web, overfitting, predict, train
from cnnbook import checkpoint as ckpt
from cnnbook.cli import (
    OneLineParser,
    chinese_message,
    display_width,
    run_command,
    saved_line,
    stage_line,
    wrap,
)
from cnnbook.data import MNIST_MEAN, MNIST_STD
from cnnbook.errors import CnnBookError
from cnnbook.model import LeNet
from cnnbook.training import TrainingRun
from tests.helpers import chinese_help_problem, command, help_text, load_snippet
from tests.lenet_common import (
    GROUP,
    RUNS,
    as_pixels,
    lenet_page,
    mnist_test_split,
    trained_fast_run,
)
from tests.outputs import Varies, mismatch

pytestmark = GROUP


def truncated_checkpoint() -> bytes:
    """The first half of a real LeNet checkpoint file."""
    buffer = io.BytesIO()
    torch.save(LeNet().state_dict(), buffer)
    return buffer.getvalue()[: len(buffer.getvalue()) // 2]


CHECKPOINT_START = truncated_checkpoint()


@pytest.fixture(scope="module")
def fast_run(mnist_root: Path) -> TrainingRun:
    return trained_fast_run(mnist_root)


@pytest.fixture(scope="module")
def checkpoint_path(fast_run: TrainingRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ckpt.save_checkpoint(fast_run.model, tmp_path_factory.mktemp("lenet") / "lenet.pt")


@pytest.fixture(scope="module")
def test_split(mnist_root: Path):
    return mnist_test_split(mnist_root)


# --- checkpoints ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "complaint"),
    [
        (lambda p: None, "不存在"),
        (lambda p: p.write_bytes(b"\x00" * 64), "不是可读的 PyTorch 文件"),
        (lambda p: p.write_bytes(CHECKPOINT_START), "不是可读的 PyTorch 文件"),  # truncated
        (lambda p: torch.save([1, 2, 3], p), "里不是 state_dict"),
        (lambda p: torch.save(nn.Linear(4, 2).state_dict(), p), "不是 LeNet 的 state_dict"),
        (lambda p: torch.save(LeNet(channels=(8, 16)).state_dict(), p), "conv1.weight 的形状"),
        (lambda p: torch.save(LeNet(), p), "pickle 的 Python 对象"),  # a whole model
    ],
)  # fmt: skip
def test_bad_checkpoints_are_refused(make, complaint: str, tmp_path: Path) -> None:
    path = tmp_path / "model.pt"
    make(path)
    with pytest.raises(CnnBookError, match=complaint):
        ckpt.load_checkpoint(path)


# --- digits from image files ----------------------------------------------------------------


@pytest.fixture(scope="module")
def preprocessing() -> dict:
    return load_snippet("lenet/digit_preprocessing.py")  # the demo under __main__ does not run


def sample_images(test_split, photo: Image.Image) -> list[Image.Image]:
    digit = Image.fromarray(as_pixels(test_split.images[:1])[0].numpy())
    transparent = Image.new("RGBA", (90, 120), (0, 0, 0, 0))
    ImageDraw.Draw(transparent).ellipse((20, 25, 70, 95), outline=(10, 10, 10, 255), width=8)
    return [photo, Image.fromarray(255 - np.asarray(photo)), digit, digit.resize((140, 140)),
            transparent, photo.convert("P")]  # fmt: skip


def test_preprocessing_snippet_equals_cnnbook(test_split, preprocessing: dict) -> None:
    snippet = preprocessing["to_mnist_digit"]
    for image in sample_images(test_split, preprocessing["photo_of_a_seven"]()):
        assert torch.equal(snippet(image), digits.to_mnist_digit(image))
    assert digits.BORDER_FRACTION == 0.04 and "round(0.04 * min(a.shape))" in inspect.getsource(
        preprocessing["to_mnist_digit"]
    )  # the 4 % the page names


def test_an_mnist_digit_survives_preprocessing(fast_run: TrainingRun, test_split) -> None:
    """MNIST digits are already framed like this, so converting them again changes little:
    the network gives the same answer for at least 97 % of the first 300 test digits."""
    images = [Image.fromarray(p.numpy()) for p in as_pixels(test_split.images[:300])]
    again = torch.stack([digits.to_mnist_digit(image) for image in images])
    model = fast_run.model.cpu().eval()
    with torch.inference_mode():
        before = model(test_split.images[:300]).argmax(dim=1)
        after = model((again.unsqueeze(1) - MNIST_MEAN) / MNIST_STD).argmax(dim=1)
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
    assert 17 <= extent <= digits.BOX_SIZE  # the longer side of the ink box is about 20 pixels


def test_uniform_image_has_no_digit() -> None:
    with pytest.raises(CnnBookError, match="看不出数字"):
        digits.to_mnist_digit(Image.new("L", (50, 50), 200))


# --- the commands ---------------------------------------------------------------------------


def write_test_digits(test_split, folder: Path) -> dict[Path, int]:
    """Real test digits as files: as they are, inverted and enlarged, coloured JPEG on a larger
    off-centre canvas, and dark ink on a transparent background."""
    files = {}
    for index, gray in enumerate(as_pixels(test_split.images[:8]).numpy()):
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
def predictions(checkpoint_path: Path, test_split, tmp_path_factory, preprocessing) -> dict:
    """One run of ``python -m cnnbook.predict`` on real test digits in four forms and on the
    page's photo of a 7 (and its inversion): {file name: (line, true digit or None)}."""
    folder = tmp_path_factory.mktemp("predict")
    files = {path.name: label for path, label in write_test_digits(test_split, folder).items()}
    photo = preprocessing["photo_of_a_seven"]()
    photo.save(folder / "seven.png")
    Image.fromarray(255 - np.asarray(photo)).save(folder / "seven-inverted.png")
    names = ["seven.png", "seven-inverted.png", *files]
    result = command("cnnbook.predict", *names, "--checkpoint", str(checkpoint_path), cwd=folder)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(names)
    return {name: (line, files.get(name)) for name, line in zip(names, lines, strict=True)}


LINE = re.compile(r"^(?P<path>.+): (?P<digit>\d)（概率 (?P<p>[01]\.\d{3})）$")


def test_predict_command_reads_real_digits_in_any_form(predictions: dict) -> None:
    checked = 0
    for name, (line, label) in predictions.items():
        match = LINE.match(line)
        assert match and match["path"] == name, line
        if label is not None:
            assert int(match["digit"]) == label, line
            checked += 1
    assert checked == 32


# The probability of the 7 shown on the page (seed 0, one thread): 0.911 (AVX-512, stored),
# 0.937 (AVX2), 0.916 (default); seeds 1 and 2 give 0.889 and 0.923. The band is about twice the
# largest difference measured, and the digit itself must not change.
PREDICT_BAND = 0.05


def test_predict_command_output_shown_on_the_page(predictions: dict, update_outputs: bool):
    """The page shows the command's real output for the snippet's photo and its inversion; a
    fresh model must print the same digits, with probabilities within the band."""
    shown = "".join(predictions[name][0] + "\n" for name in ("seven.png", "seven-inverted.png"))
    stored_path = RUNS / "predict_command.txt"
    if update_outputs:
        stored_path.write_text(shown, encoding="utf-8")
    probability = Varies("（概率 {}）", abs=PREDICT_BAND)
    problem = mismatch(stored_path.read_text(encoding="utf-8"), shown, (probability,))
    assert problem is None, problem
    assert shown.startswith("seven.png: 7（概率 ")
    assert '--8<-- "snippets/lenet/runs/predict_command.txt"' in lenet_page()


def assert_one_line_error(result: subprocess.CompletedProcess, complaint: str, code: int = 1):
    assert result.returncode == code, result.stderr
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and complaint in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit grayscale
    data = zlib.compress(b"\x00" * 64)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad")
    files = {"text": folder / "notes.png", "garbage": folder / "garbage.pt",
             "other": folder / "other.pt", "wider": folder / "wider.pt",
             "blank": folder / "blank.png", "digit": folder / "digit.png",
             "bomb": folder / "bomb.png"}  # fmt: skip
    files["text"].write_text("not an image")
    files["garbage"].write_bytes(os.urandom(256))
    torch.save(nn.Linear(4, 2).state_dict(), files["other"])
    torch.save(LeNet(channels=(6, 20)).state_dict(), files["wider"])
    Image.new("L", (40, 40), 255).save(files["blank"])
    image = Image.new("L", (40, 40), 255)
    ImageDraw.Draw(image).line((20, 5, 20, 35), fill=0, width=4)
    image.save(files["digit"])
    files["bomb"].write_bytes(png_claiming_size(14_000, 14_000))
    return files


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["missing.png", "--checkpoint", "{checkpoint}"], "图片 missing.png 不存在"),
        (["{text}", "--checkpoint", "{checkpoint}"], "不是 PIL 能读取的图片"),
        (["{digit}", "{blank}", "--checkpoint", "{checkpoint}"], "blank.png：图里看不出数字"),
        (["{bomb}", "--checkpoint", "{checkpoint}"], "bomb.png 太大"),
        (["{digit}", "--checkpoint", "missing.pt"], "检查点 missing.pt 不存在"),
        (["{digit}", "--checkpoint", "{garbage}"], "不是可读的 PyTorch 文件"),
        (["{digit}", "--checkpoint", "{other}"], "不是 LeNet 的 state_dict：缺少 conv1.bias"),
        (["{digit}", "--checkpoint", "{wider}"], "conv2.weight 的形状是 (20, 6, 5, 5)"),
    ],
)
def test_predict_command_bad_input(args, complaint, bad_files, checkpoint_path) -> None:
    names = {**{k: str(v) for k, v in bad_files.items()}, "checkpoint": str(checkpoint_path)}
    assert_one_line_error(command("cnnbook.predict", *[a.format(**names) for a in args]), complaint)


def test_predict_command_lists_the_top_digits(bad_files, checkpoint_path) -> None:
    image = str(bad_files["digit"])  # a vertical stroke: a 1
    result = command("cnnbook.predict", image, "--checkpoint", str(checkpoint_path), "--top", "3")
    assert result.returncode == 0, result.stderr
    probability = r"([01]\.\d{3})"
    match = re.fullmatch(
        rf".+: (\d)（概率 {probability}）  前 3 名：(\d): {probability}，"
        rf"(\d): {probability}，(\d): {probability}",
        result.stdout.strip(),
    )
    assert match, result.stdout
    best, p_best, *ranked = match.groups()
    assert best == ranked[0] and p_best == ranked[1] and best == "1"
    probabilities = [float(p) for p in ranked[1::2]]
    assert probabilities == sorted(probabilities, reverse=True) and len(set(ranked[::2])) == 3
    for bad in ("0", "11", "x"):
        result = command(
            "cnnbook.predict", image, "--checkpoint", str(checkpoint_path), "--top", bad
        )
        assert_one_line_error(result, "参数 --top：必须是 1 到 10 之间的整数", 2)


@pytest.mark.parametrize(
    ("module", "args", "complaint", "code"),
    [
        ("cnnbook.train", ["--data", "{empty}", "--no-download"], "里没有 MNIST", 1),
        ("cnnbook.train", ["--data", "{empty}", "--mirror", "http://127.0.0.1:9/"],
         "无法把 MNIST 下载到数据目录", 1),
        ("cnnbook.train", ["--data", "{file}", "--no-download"], "已存在，但不是目录", 1),
        ("cnnbook.train", ["--checkpoint", "{empty}"], "检查点路径", 1),
        ("cnnbook.train", ["--epochs", "0"], "参数 --epochs：必须是正整数", 2),
        ("cnnbook.train", ["--recipe", "slow"], "参数 --recipe：无效的选项 'slow'", 2),
        ("cnnbook.train", ["--seed", str(2**64)], "参数 --seed：必须是 0 到 2^63 - 1", 2),
        ("cnnbook.train", ["--seed", "-1"], "参数 --seed：必须是 0 到 2^63 - 1", 2),
        ("cnnbook.train", ["--frames", "3"], "无法识别的参数：--frames 3", 2),
        ("cnnbook.train", ["--data"], "参数 --data：需要一个值", 2),
        ("cnnbook.predict", ["x.png"], "缺少必需的参数：--checkpoint", 2),
        ("cnnbook.predict", [], "缺少必需的参数：IMAGE, --checkpoint", 2),
    ],
)  # fmt: skip
def test_commands_fail_in_one_chinese_line(module, args, complaint, code, tmp_path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "file").write_text("x")
    names = {"empty": str(tmp_path / "empty"), "file": str(tmp_path / "file")}
    assert_one_line_error(command(module, *[a.format(**names) for a in args]), complaint, code)


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
    epoch_line = r"第 1/1 轮：损失 [\d.]+，训练准确率 [\d.]+%，验证准确率 [\d.]+%"
    assert re.match(epoch_line, result.stdout)
    files = (tmp_path / "m.pt", tmp_path / "h.json")
    saved = [f"已保存 {path}（{path.stat().st_size:,} 字节）" for path in files]
    assert result.stdout.splitlines()[-2:] == saved
    assert ckpt.load_checkpoint(tmp_path / "m.pt") is not None
    import json

    history = json.loads((tmp_path / "h.json").read_text())
    assert history["train_samples"] == 512 and len(history["test_predictions"]) == 10_000
    assert len(history["conv1"]["weight"]) == 6 and len(history["most_common_mistakes"]) == 3


# --- the shared parser and runner -----------------------------------------------------------


USER_ERRORS = ("ambiguous option", "argument %(argument_name)s", "expected", "ignored explicit",
               "invalid %(type)s", "invalid choice", "not allowed with", "one of the arguments",
               "the following arguments", "unrecognized arguments")  # fmt: skip
SAMPLES = {"%(value)r": "'x'", "%(choices)s": "'a', 'b'", "%(type)s": "int", "%s": "--a",
           "%(option)s": "--f", "%(matches)s": "--foo, --far", "%r": "'x'",
           "%(argument_name)s": "--a", "%(message)s": "invalid int value: 'x'"}  # fmt: skip


def argparse_messages() -> list[str]:
    """Every message argparse gives for a bad command line (its gettext strings that reach
    ``error()``; the others report mistakes in a program's own parser set-up), with sample
    values filled in."""
    templates = set(re.findall(r"_\('((?:[^'\\]|\\.)*)'\)", inspect.getsource(argparse)))
    messages = []
    for template in sorted(t for t in templates if t.startswith(USER_ERRORS)):
        for key, value in SAMPLES.items():
            template = template.replace(key, value)
        messages.append(template)
    return messages


def test_every_argparse_message_has_a_chinese_version() -> None:
    messages = argparse_messages()
    assert len(messages) == 12  # Python 3.11's; another version may word them differently
    for message in [*messages, "expected 2 arguments"]:
        chinese = chinese_message(message)
        assert chinese != message and not re.search(r"[a-z]{4,}", re.sub(r"'[^']*'|--\w+", "",
                                                                          chinese)), chinese
    assert chinese_message("must be a positive integer") == "must be a positive integer"


def test_the_parser_fails_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    parser = OneLineParser(prog="demo", description="演示")
    parser.add_argument("--size", type=int, required=True)
    with pytest.raises(SystemExit) as stopped:
        parser.parse_args(["--size", "x"])
    assert stopped.value.code == 2
    assert capsys.readouterr().err == "demo: error: 参数 --size：'x' 不是有效的整数值\n"


def test_run_command_turns_any_failure_into_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    parser = OneLineParser(prog="demo", description="演示")

    def body(_args) -> int:
        raise RuntimeError("Overflow when unpacking long\nsecond line")

    assert run_command("demo", body, parser, []) == 1
    assert capsys.readouterr().err == (
        "demo: error: 意外的错误（RuntimeError：Overflow when unpacking long）\n"
    )


@pytest.mark.parametrize("module", [train, predict, export_web, ablation, overfitting],
                         ids=lambda m: m.__name__)  # fmt: skip
def test_the_help_of_every_command_is_chinese(module) -> None:
    text = help_text(module.main)
    assert chinese_help_problem(text) is None, text
    assert text.startswith(f"用法： {module.__name__} [-h]")
    assert "  -h, --help " in text and "显示这段帮助并退出" in text


def test_a_parser_needs_a_chinese_description() -> None:
    with pytest.raises(ValueError, match="demo 的 description 必须是中文"):
        OneLineParser(prog="demo", description="Train the chapter's LeNet")
    with pytest.raises(TypeError):
        OneLineParser(prog="demo")  # type: ignore[call-arg]


def test_help_is_wrapped_by_terminal_columns() -> None:
    """A Chinese character takes two columns; a line never starts with a closing sign."""
    text = "消融实验：把快速配方的改动逐一换回（第 9 章），每个变体用 torch.set_num_threads(N) 训练"
    lines = wrap(text, 26)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(display_width(line) <= 26 + 2 for line in lines)
    assert display_width(lines[0]) >= 24 and any(line.endswith("torch.set_num_threads(N)")
                                                  for line in lines)  # fmt: skip
    assert not any(line.startswith(tuple("，。）")) for line in lines)


def test_saved_and_stage_lines(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_bytes(bytes(12_345))
    assert saved_line(path) == f"已保存 {path}（12,345 字节）"
    assert stage_line("训练基准 LeNet", 191.94, 1252.6) == "训练基准 LeNet：191.9 s（累计 1253 s）"
