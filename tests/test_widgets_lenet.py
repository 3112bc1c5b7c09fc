"""The LeNet that runs in the reader's browser (issue 12), in headless Chromium:
docs/assets/javascripts/lenet.js + lenet-widget.js give exactly what PyTorch and cnnbook give.

* The exported weights loaded into a torch LeNet give the page's feature maps and logits within
  1e-4; the page's 28 × 28 input equals ``cnnbook.digits`` bit for bit (and its resize equals
  Pillow's); strokes drawn with the mouse give the prediction ``python -m cnnbook.predict`` prints
  for the same pixels.
* Every visit must end with no console error and no request to another host (no script of the
  book names another host), and every function of the two LeNet scripts must have run (V8's
  precise coverage, collected over this module; tests/widgets.py has the machinery,
  tests/test_widgets_calculator.py the same for the calculator).
"""

from __future__ import annotations

import base64
import contextlib
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page

from cnnbook import digits, export_web, predict
from cnnbook.checkpoint import save_checkpoint
from cnnbook.data import load_digits, mnist_dataset
from cnnbook.export_web import decode, encode, first_of_each_digit, read_export
from cnnbook.model import LeNet, count_parameters
from cnnbook.training import evaluate
from tests.browser import (
    base_url_fixture,  # noqa: F401 (a fixture: tests ask for it by its name, base_url)
    browser_fixture,  # noqa: F401 (a fixture: tests ask for it by its name, browser)
)
from tests.helpers import page_text, stored
from tests.paths import DOCS
from tests.widgets import (
    LENET_SCRIPTS,
    MODEL_FILE,
    PHONE,
    SCRIPTS,
    WIDGET_SCRIPTS,
    ScriptCoverage,
    batch_visit,
    call,
    coverage_fixture,  # noqa: F401 (a fixture: tests ask for it by its name, coverage)
    open_page_fixture,  # noqa: F401 (a fixture: tests ask for it by its name, open_page)
    torch_on_one_thread_fixture,  # noqa: F401 (an autouse fixture)
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("site")]

LENET_PAGE = page_text("lenet-mnist.md")
RANDOM_INPUTS = 28  # LeNet inputs besides the first 100 MNIST test digits
RESIZES = 200  # random float images resized by the page and by Pillow


@pytest.fixture(scope="module")
def lenet_page(browser: Browser, base_url: str, coverage: ScriptCoverage) -> Iterator[Page]:
    """One visit of the LeNet page, shared by the tests that only call the scripts' functions."""
    with batch_visit(browser, base_url, coverage, "/lenet-mnist/") as page:
        yield page


# ---------------------------------------------------------------- LeNet in the browser


@pytest.fixture(scope="module")
def exported() -> tuple[LeNet, object]:
    """The committed weights file, loaded into a torch LeNet."""
    export = read_export(MODEL_FILE)
    model = LeNet()
    model.load_state_dict(export.state)
    return model.eval(), export


@pytest.fixture(scope="module")
def mnist_test_set(mnist_root: Path):
    """torchvision's MNIST test split (uint8 ``data``, ``targets``)."""
    return mnist_dataset(mnist_root, train=False, download=False)


def test_exported_file_is_small_and_holds_a_trained_lenet(
    exported, mnist_test_set, mnist_root: Path
) -> None:
    model, export = exported
    data = MODEL_FILE.read_bytes()
    assert len(data) < 200_000 and "不到 200 kB" in LENET_PAGE
    assert encode(decode(data)) == data
    total = re.search(r"参数总数: ([\d,]+)", stored("lenet/lenet_model.out"))[1]
    assert f"{count_parameters(model):,}" == total
    assert '{{ out("lenet/lenet_model", "参数总数:") }} 个 float32 参数' in LENET_PAGE
    assert export.sample_indices == first_of_each_digit(mnist_test_set.targets)
    assert len(export.sample_indices) == 20 and "20 张测试图" in LENET_PAGE
    assert export.sample_labels == [int(mnist_test_set.targets[i]) for i in export.sample_indices]
    assert np.array_equal(export.sample_pixels, mnist_test_set.data[export.sample_indices].numpy())
    assert export.source.startswith("python -m cnnbook.train --recipe fast --seed 0")
    split = load_digits(mnist_root, train=False, download=False)
    assert evaluate(model, split) >= 99.0 and "准确率超过 99%" in LENET_PAGE


@pytest.mark.parametrize(
    ("damage", "complaint"),
    [
        (lambda data: b"NOTLENET" + data[8:], "开头不是 CNNLENET"),
        (lambda data: data[:12] + b"x" + data[13:], "文件头不是 JSON"),
        (lambda data: data.replace(b'"format":1', b'"format":7', 1), "格式版本是 7，应为 1"),
    ],
)
def test_a_damaged_export_is_refused(damage: Callable[[bytes], bytes], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        decode(damage(MODEL_FILE.read_bytes()))


def test_export_command_writes_a_checkpoint_and_refuses_bad_input(
    exported, mnist_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """``python -m cnnbook.export_web --checkpoint …`` (its main(), in this process)."""
    model, _ = exported
    checkpoint = save_checkpoint(model, tmp_path / "lenet.pt")
    out = tmp_path / "web" / "lenet.bin"
    arguments = ["--data", str(mnist_root), "--no-download", "--out", str(out), "--checkpoint"]
    assert export_web.main([*arguments, str(checkpoint)]) == 0
    assert capsys.readouterr().out == f"已保存 {out}（{out.stat().st_size:,} 字节）\n"
    again = read_export(out)
    assert all(torch.equal(again.state[k], v) for k, v in model.state_dict().items())
    assert again.source == "checkpoint lenet.pt"
    assert export_web.main([*arguments, str(tmp_path / "missing.pt")]) == 1
    printed = capsys.readouterr()
    assert printed.out == "" and printed.err.count("\n") == 1
    assert printed.err.startswith("cnnbook.export_web: error: 检查点 ")
    assert printed.err.endswith("missing.pt 不存在\n")


LENET_SCRIPT = SCRIPTS + "lenet.js"
FORWARD = f"""async (inputs) => {{
  const m = await import("{LENET_SCRIPT}");
  const model = m.parseModel(await (await fetch("/assets/models/lenet.bin")).arrayBuffer());
  return inputs.map((x) => {{
    const r = m.forward(model, Float32Array.from(x));
    return {{ conv1: Array.from(r.conv1), conv2: Array.from(r.conv2),
             logits: Array.from(r.logits), probabilities: r.probabilities }};
  }});
}}"""


def torch_forward(model: LeNet, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """conv1 and conv2 outputs (before ReLU), logits and probabilities for (N, 28, 28) in [0, 1]."""
    with torch.no_grad():
        normalised = (x - digits.MNIST_MEAN) / digits.MNIST_STD
        conv1 = model.conv1(normalised.unsqueeze(1))
        conv2 = model.conv2(model.pool1(model.relu1(conv1)))
        logits = model(normalised.unsqueeze(1))
    return {"conv1": conv1, "conv2": conv2, "logits": logits, "probabilities": logits.softmax(1)}


def test_browser_lenet_equals_torch(lenet_page, exported, mnist_test_set) -> None:
    model, _ = exported
    generator = torch.Generator().manual_seed(0)
    inputs = torch.cat([mnist_test_set.data[:100].float() / 255,
                        torch.rand(RANDOM_INPUTS, 28, 28, generator=generator)])  # fmt: skip
    answers = call(lenet_page, FORWARD, inputs.reshape(len(inputs), -1).tolist())
    theirs = torch_forward(model, inputs)
    for key in ["conv1", "conv2", "logits", "probabilities"]:
        ours = torch.tensor([answer[key] for answer in answers]).reshape(theirs[key].shape)
        assert (ours - theirs[key]).abs().max() < 1e-4, key
    assert len(answers) == 128 and "128 个输入（100 张 MNIST 测试图和 28 张随机图）" in LENET_PAGE


PREPROCESS = f"""async (images) => {{
  const m = await import("{LENET_SCRIPT}");
  return images.map(({{ width, height, rgba }}) => {{
    const bytes = Uint8Array.from(atob(rgba), (c) => c.charCodeAt(0));
    try {{
      return Array.from(m.toMnistArray(bytes, width, height));
    }} catch (error) {{
      if (!(error instanceof m.NoDigitError)) throw error;
      return null;
    }}
  }});
}}"""


def drawings(count: int) -> list[Image.Image]:
    """Opaque RGB pictures of strokes and blobs: any size and shape, either polarity."""
    rng = np.random.default_rng(0)
    images = []
    for index in range(count):
        width, height = (int(v) for v in rng.integers(12, 300, size=2))
        dark_ink = index % 2 == 0
        paper, ink = (245, 240, 225), (20, 20, 60)
        if not dark_ink:
            paper, ink = (10, 10, 10), (250, 250, 250)
        image = Image.new("RGB", (width, height), paper)
        draw = ImageDraw.Draw(image)
        points = [(float(rng.uniform(0.1, 0.9) * width), float(rng.uniform(0.1, 0.9) * height))
                  for _ in range(int(rng.integers(2, 6)))]  # fmt: skip
        draw.line(points, fill=ink, width=int(rng.integers(1, 12)), joint="curve")
        images.append(image)
    images += [Image.new("RGB", (40, 30), (200, 200, 200))]  # no digit at all
    images += [Image.new("RGB", (20, 20), (0, 0, 0))]
    ImageDraw.Draw(images[-1]).rectangle((3, 2, 9, 19), fill=(255, 255, 255))  # 20 high: kept
    return images


def test_browser_preprocessing_equals_cnnbook_bit_for_bit(lenet_page) -> None:
    images = drawings(60)
    payload = [
        {"width": im.width, "height": im.height,
         "rgba": base64.b64encode(im.convert("RGBA").tobytes()).decode()}
        for im in images
    ]  # fmt: skip
    answers = call(lenet_page, PREPROCESS, payload)
    for image, answer in zip(images, answers, strict=True):
        try:
            expected = digits.to_mnist_array(image)
        except ValueError:
            assert answer is None
            continue
        ours = np.array(answer, dtype=np.float32).reshape(28, 28)
        assert np.array_equal(ours, expected)
    assert sum(answer is None for answer in answers) == 1


RESIZE = f"""async (cases) => {{
  const m = await import("{LENET_SCRIPT}");
  return cases.map(({{ data, width, height, outWidth, outHeight }}) => {{
    const image = {{ data: Float32Array.from(data), width, height }};
    return Array.from(m.resizeBilinear(image, outWidth, outHeight).data);
  }});
}}"""


def test_browser_resize_equals_pillow_bit_for_bit(lenet_page) -> None:
    """Pillow's bilinear resize of float images, in both pass orders Pillow 13 uses."""
    rng = np.random.default_rng(0)
    cases = []
    for _ in range(RESIZES):
        height, width = (int(v) for v in rng.integers(1, 70, size=2))
        out_height, out_width = (int(v) for v in rng.integers(1, 35, size=2))
        cases.append((rng.random((height, width), dtype=np.float32), out_width, out_height))
    payload = [{"data": a.ravel().tolist(), "width": a.shape[1], "height": a.shape[0],
                "outWidth": ow, "outHeight": oh} for a, ow, oh in cases]  # fmt: skip
    answers = call(lenet_page, RESIZE, payload)
    columns_first = 0
    for (image, out_width, out_height), answer in zip(cases, answers, strict=True):
        theirs = Image.fromarray(image, mode="F").resize((out_width, out_height),
                                                          Image.Resampling.BILINEAR)  # fmt: skip
        ours = np.array(answer, dtype=np.float32).reshape(out_height, out_width)
        assert np.array_equal(ours, np.asarray(theirs, dtype=np.float32)), image.shape
        lost_rows, lost_columns = image.shape[0] - out_height, image.shape[1] - out_width
        columns_first += max(lost_rows, 0) > 2 * max(lost_columns, 0)
    assert 0.1 * RESIZES < columns_first < 0.9 * RESIZES  # both orders were exercised


# ---------------------------------------------------------------- drawing on the page

STROKES = {  # on the 280 × 280 pad: one list of points per stroke
    "seven": [[(60, 60), (220, 60), (120, 240)]],
    "one": [[(150, 40), (140, 240)]],
    "zero": [[(140, 50), (80, 90), (70, 160), (100, 230), (170, 230), (210, 160), (200, 80)]],
    "four": [[(180, 240), (180, 40), (60, 170), (230, 170)]],
}


def draw(page, strokes: list[list[tuple[int, int]]]) -> None:
    pad = page.locator("[data-widget='lenet'] canvas").first
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    scale = box["width"] / 280
    for stroke in strokes:
        page.mouse.move(box["x"] + stroke[0][0] * scale, box["y"] + stroke[0][1] * scale)
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x * scale, box["y"] + y * scale, steps=4)
        page.mouse.up()


def runs(page) -> int:
    return int(page.get_attribute("[data-widget='lenet']", "data-runs") or 0)


def wait_for_runs(page, before: int) -> None:
    """Until the widget has recognised the pad more than ``before`` times."""
    widget = "document.querySelector(\"[data-widget='lenet']\")"
    page.wait_for_function(f"Number({widget}.dataset.runs) > {before}")


def pad_state(page) -> tuple[Image.Image, str, list[float], list[float]]:
    """The pad's pixels, the headline, the shown probabilities and the page's 28×28 input."""
    state = page.evaluate("""async (script) => {
      const m = await import(script);
      const pad = document.querySelector("[data-widget='lenet'] canvas");
      const { data } = pad.getContext('2d').getImageData(0, 0, pad.width, pad.height);
      return { png: pad.toDataURL('image/png'),
               digit: Array.from(m.toMnistArray(data, pad.width, pad.height)),
               headline: document.querySelector("[data-widget='lenet'] strong").textContent,
               shown: [...document.querySelectorAll("[data-widget='lenet'] .cnn-bars output")]
                 .map((o) => Number(o.textContent)) };
    }""", LENET_SCRIPT)  # fmt: skip
    png = base64.b64decode(state["png"].split(",", 1)[1])
    return Image.open(io.BytesIO(png)), state["headline"], state["shown"], state["digit"]


def predict_files(paths: list[Path], checkpoint: Path) -> list[tuple[int, str]]:
    """``python -m cnnbook.predict`` (its main(), in this process) on the files: (digit,
    probability text) for each."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert predict.main([*map(str, paths), "--checkpoint", str(checkpoint)]) == 0
    lines = printed.getvalue().splitlines()
    found = [re.fullmatch(r".+: (\d)（概率 ([01]\.\d{3})）", line) for line in lines]
    return [(int(match[1]), match[2]) for match in found]


def close(a: str, b: str) -> bool:
    """Two probabilities printed with 3 decimals: equal, or one unit apart (rounding a tie)."""
    return abs(float(a) - float(b)) <= 0.0011


@pytest.mark.parametrize(
    ("scheme", "strokes", "samples"),
    [("light", ["seven", "one", "zero", "four"], ["0", "7"]), ("dark", ["seven", "zero"], ["19"])],
)
def test_drawing_with_the_mouse_gives_cnnbooks_prediction(
    open_page, exported, tmp_path: Path, scheme: str, strokes: list[str], samples: list[str]
) -> None:
    """Draw digits with the mouse, then pick test digits (light: black ink on white; dark: white
    on black): ``python -m cnnbook.predict`` on the pad's pixels prints what the page shows."""
    model, _ = exported
    checkpoint = save_checkpoint(model, tmp_path / "lenet.pt")
    visit = open_page("/lenet-mnist/", scheme)
    page = visit.page
    page.wait_for_selector("[data-widget='lenet'][data-state='ready']")
    assert page.locator("[data-widget='lenet'] strong").inner_text() == "预测：—"  # empty pad
    shots: list[tuple[Path, str, list[float], list[float]]] = []
    for name in strokes:
        page.get_by_role("button", name="清除", exact=True).click()
        before = runs(page)
        draw(page, STROKES[name])
        wait_for_runs(page, before)
        image, headline, shown, digit = pad_state(page)
        path = tmp_path / f"{name}.png"
        image.save(path)
        shots.append((path, headline, shown, digit))
    select = page.get_by_label("或者选一张 MNIST 测试图")
    for option in samples:
        select.select_option(option)
        image, headline, shown, digit = pad_state(page)
        path = tmp_path / f"sample{option}.png"
        image.save(path)
        shots.append((path, headline, shown, digit))
    predicted = predict_files([path for path, *_ in shots], checkpoint)
    for (path, headline, shown, digit), (best, probability) in zip(shots, predicted, strict=True):
        match = re.fullmatch(r"预测：(\d)（概率 ([01]\.\d{3})）", headline)
        assert match and int(match[1]) == best and close(match[2], probability), (path, headline)
        assert np.array_equal(np.array(digit, dtype=np.float32).reshape(28, 28),
                              digits.to_mnist_array(digits.read_image(path)))  # fmt: skip
        with torch.no_grad():
            x = torch.from_numpy(digits.to_mnist_array(digits.read_image(path)))
            torch_shown = model(digits.model_input(x)).softmax(1)[0].tolist()
        assert all(close(f"{a:.3f}", f"{b:.3f}") for a, b in zip(shown, torch_shown, strict=True))


def test_a_finger_tap_draws_on_the_pad(browser: Browser, base_url: str) -> None:
    """Touch goes through the same pointer events: a tap leaves a dot and is recognised."""
    context = browser.new_context(has_touch=True, is_mobile=True, viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    try:
        page.goto(base_url + "/lenet-mnist/", wait_until="networkidle")
        page.wait_for_selector("[data-widget='lenet'][data-state='ready']")
        pad = page.locator("[data-widget='lenet'] canvas").first
        pad.scroll_into_view_if_needed()
        box = pad.bounding_box()
        before = runs(page)
        page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        wait_for_runs(page, before)
        image, headline, _, _ = pad_state(page)
        assert image.getpixel((140, 140))[:3] == (0, 0, 0)  # black ink at the tap
        assert re.fullmatch(r"预测：\d（概率 [01]\.\d{3}）", headline)
        assert errors == []
    finally:
        context.close()


def test_pad_keeps_the_drawing_when_the_scheme_changes(open_page) -> None:
    visit = open_page("/lenet-mnist/")
    page = visit.page
    page.wait_for_selector("[data-widget='lenet'][data-state='ready']")
    draw(page, STROKES["seven"])
    _, headline, _, digit = pad_state(page)
    before = runs(page)
    page.get_by_title("切换到深色模式").click()  # Material's palette toggle
    wait_for_runs(page, before)
    image, headline_dark, _, digit_dark = pad_state(page)
    assert image.getpixel((0, 0))[:3] == (0, 0, 0)  # the paper turned black, the ink white
    assert headline_dark.split("（")[0] == headline.split("（")[0]
    assert np.allclose(digit, digit_dark, atol=1e-6)


# ---------------------------------------------------------------- offline, and covered


def test_the_books_scripts_reach_no_other_host(site: Path) -> None:
    """The book's own scripts as built (Material's bundle is checked by its maintainers)."""
    own = sorted(path.name for path in (DOCS / "assets" / "javascripts").glob("*.js"))
    assert set(WIDGET_SCRIPTS) <= set(own)
    for name in own:
        source = (site / "assets" / "javascripts" / name).read_text(encoding="utf-8")
        assert re.findall(r"\b[a-z][a-z0-9+.-]*://", source) == [], name
    assert (site / "assets" / "models" / "lenet.bin").read_bytes() == MODEL_FILE.read_bytes()


def test_every_function_of_the_lenet_scripts_ran(coverage: ScriptCoverage, site: Path) -> None:
    """Runs last: the visits of this module, merged (run the whole module, not this test alone)."""
    assert set(LENET_SCRIPTS) <= set(coverage.calls), "run the whole module"
    for name in LENET_SCRIPTS:
        source = (site / "assets" / "javascripts" / name).read_text(encoding="utf-8")
        assert coverage.never_called(name, source) == [], name
        assert coverage.covered[name].mean() > 0.9, name
