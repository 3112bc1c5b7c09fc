"""The interactive pages (issue 12), in headless Chromium: the conv/pool/receptive-field calculator
(docs/assets/javascripts/conv-arithmetic.js + conv-calculator.js) and the LeNet that runs in the
reader's browser (lenet.js + lenet-widget.js) give exactly what Python and PyTorch give.

* The calculator gets, in one call, every configuration the chapter 2 property tests draw
  (``replay_properties``): same output size or same refusal as torch, the same Chinese message as
  the Python calculator, and its PyTorch code builds a layer with that shape, its parameter count
  and its MACs (``FlopCounterMode``). Then a grid of ``padding='same'`` layers and random stacks
  from the chapter 3 generators (receptive field against ``receptive_fields`` and real layers).
* LeNet: the exported weights loaded into a torch LeNet give the page's feature maps and logits
  within 1e-4; the page's 28 × 28 input equals ``cnnbook.digits`` bit for bit; strokes drawn with
  the mouse give the prediction ``python -m cnnbook.predict`` prints for the same pixels.
* Every visit must end with no console error and no request to another host, and every function
  of the four scripts must have run (V8's precise coverage, collected over the whole module).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, sync_playwright
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from cnnbook import digits, export_web, predict
from cnnbook.checkpoint import save_checkpoint
from cnnbook.data import load_digits, mnist_dataset
from cnnbook.export_web import decode, encode, first_of_each_digit, read_export
from cnnbook.model import LeNet, count_parameters
from cnnbook.training import evaluate
from figures.common import load_snippet
from tests import test_arithmetic_properties as properties
from tests import test_receptive_field as receptive
from tests.browser import launch, serve
from tests.paths import DOCS, SNIPPETS
from tests.test_browser import Visit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("site")]

SCRIPTS = "/assets/javascripts/"
WIDGET_SCRIPTS = ["conv-arithmetic.js", "conv-calculator.js", "lenet.js", "lenet-widget.js"]
MODEL_FILE = DOCS / "assets" / "models" / "lenet.bin"
CONV = load_snippet("arithmetic/conv_output_size.py")
POOL = load_snippet("arithmetic/pool_output_size.py")
TRANSPOSED = load_snippet("arithmetic/transposed_output_size.py")
COUNTER = load_snippet("arithmetic/cost_counter.py")
CALCULATOR = load_snippet("receptive_field/calculator.py")


def page_text(name: str) -> str:
    """A page's Markdown with its line breaks (and the indentation after them) removed."""
    return re.sub(r"\s*\n\s*", "", (DOCS / name).read_text(encoding="utf-8"))


ARITHMETIC_PAGE = page_text("conv-arithmetic.md")
LENET_PAGE = page_text("lenet-mnist.md")
STACK_EXAMPLES = 300  # random stacks from tests/test_receptive_field.py's generators
RANDOM_INPUTS = 28  # LeNet inputs besides the first 100 MNIST test digits
RESIZES = 200  # random float images resized by the page and by Pillow
PHONE = {"width": 390, "height": 844}

Outcome = tuple[int, ...] | None


# ---------------------------------------------------------------- browser, coverage


class ScriptCoverage:
    """V8 precise coverage of the widget scripts, merged over every visit of this module."""

    def __init__(self) -> None:
        self.calls: dict[str, dict[int, tuple[str, int]]] = {}  # file → start → (name, calls)
        self.covered: dict[str, np.ndarray] = {}  # file → which source characters ran

    def add(self, scripts: list[dict]) -> None:
        for script in scripts:
            name = urlparse(script["url"]).path.rsplit("/", 1)[-1]
            if name not in WIDGET_SCRIPTS or not script["url"].startswith("http"):
                continue
            calls = self.calls.setdefault(name, {})
            ranges = []
            for function in script["functions"]:
                whole = function["ranges"][0]
                _, before = calls.get(whole["startOffset"], ("", 0))
                calls[whole["startOffset"]] = (function["functionName"], before + whole["count"])
                ranges += function["ranges"]
            size = max(r["endOffset"] for r in ranges)
            counts = np.zeros(size, dtype=np.int64)
            for r in sorted(ranges, key=lambda r: (r["startOffset"], -r["endOffset"])):
                counts[r["startOffset"] : r["endOffset"]] = r["count"]  # inner ranges last
            previous = self.covered.get(name, np.zeros(size, dtype=bool))
            self.covered[name] = previous | (counts > 0)

    def never_called(self, name: str, source: str) -> list[str]:
        return [
            f"{function or '(anonymous)'} at line {source.count(chr(10), 0, start) + 1}"
            for start, (function, calls) in sorted(self.calls.get(name, {}).items())
            if calls == 0
        ]


class CoveredVisit(Visit):
    """A page (see tests/test_browser.py) whose script coverage is kept."""

    def __init__(self, browser: Browser, base_url: str, coverage: ScriptCoverage, **kw) -> None:
        super().__init__(browser, base_url, **kw)
        self.coverage = coverage
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.send("Profiler.enable")
        self.cdp.send("Profiler.startPreciseCoverage", {"callCount": True, "detailed": True})

    def close(self) -> None:
        self.coverage.add(self.cdp.send("Profiler.takePreciseCoverage")["result"])
        super().close()

    def assert_clean(self) -> None:
        assert self.errors == []
        assert self.foreign == []


@pytest.fixture(autouse=True, scope="module")
def one_thread() -> Iterator[None]:
    """Tiny tensors: thread start-up would dominate, and the machine's cores are shared."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def base_url(site: Path, site_port: int) -> Iterator[str]:
    with serve(site, site_port) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def coverage() -> ScriptCoverage:
    return ScriptCoverage()


@pytest.fixture(scope="module")
def batch_pages(browser: Browser, base_url: str, coverage: ScriptCoverage) -> Iterator[dict]:
    """One visit per widget page, shared by the tests that only call the scripts' functions."""
    visits = {}
    for name, path in [("arithmetic", "/conv-arithmetic/"), ("lenet", "/lenet-mnist/")]:
        visits[name] = CoveredVisit(browser, base_url, coverage)
        visits[name].page.goto(base_url + path, wait_until="networkidle")
    yield {name: visit.page for name, visit in visits.items()}
    for visit in visits.values():
        visit.close()
        visit.assert_clean()


def call(page: Page, function: str, argument: object) -> object:
    """``page.evaluate(function, argument)``, with the argument and the answer passed as JSON
    text: ten times faster than Playwright's own serialisation for thousands of items."""
    wrapper = f"async (text) => JSON.stringify(await ({function})(JSON.parse(text)))"
    return json.loads(page.evaluate(wrapper, json.dumps(argument)))


@pytest.fixture
def open_page(browser: Browser, base_url: str, coverage: ScriptCoverage) -> Iterator[Callable]:
    """``open_page(path, scheme="light")``: a clean, covered visit that must end clean."""
    visits: list[CoveredVisit] = []

    def opener(path: str, scheme: str = "light") -> CoveredVisit:
        visit = CoveredVisit(browser, base_url, coverage, scheme=scheme)
        visits.append(visit)
        visit.page.goto(base_url + path, wait_until="networkidle")
        return visit

    yield opener
    for visit in visits:
        visit.close()
        visit.assert_clean()


# ---------------------------------------------------------------- (a) calculator = torch

ARITHMETIC_SCRIPT = SCRIPTS + "conv-arithmetic.js"
BATCH_LAYERS = f"""async (layers) => {{
  const m = await import("{ARITHMETIC_SCRIPT}");
  return layers.map((layer) => {{
    const code = m.torchCode(layer);
    try {{
      const c = m.layerCost(layer);
      return {{ output: c.output, code, parameters: String(c.parameters), macs: String(c.macs),
               flops: String(c.flops), memoryBytes: String(c.memoryBytes) }};
    }} catch (error) {{
      if (!(error instanceof m.ConfigError)) throw error;
      return {{ message: error.message, code }};
    }}
  }});
}}"""


def conv_layer(index: int, config: dict) -> dict:
    return {
        "kind": "conv", "batch": 1 + index % 3, "bias": index % 2 == 0,
        "inChannels": config["in_channels"], "outChannels": config["out_channels"],
        "groups": config["groups"], "height": config["height"], "width": config["width"],
        "kernel": config["kernel"], "stride": config["stride"], "padding": config["padding"],
        "dilation": config["dilation"], "outputPadding": [0, 0], "ceilMode": False,
    }  # fmt: skip


def pool_layer(index: int, config: dict) -> dict:
    return {
        "kind": "avg" if config["average"] else "max", "batch": 1 + index % 3,
        "inChannels": 1 + index % 2, "height": config["height"], "width": config["width"],
        "kernel": config["kernel"], "stride": config["stride"], "padding": config["padding"],
        "dilation": config["dilation"], "ceilMode": config["ceil_mode"],
    }  # fmt: skip


def transposed_layer(index: int, config: dict) -> dict:
    in_channels, out_channels, groups = config["channels"]
    return {
        "kind": "transposed", "batch": 1 + index % 3, "bias": index % 2 == 1,
        "inChannels": in_channels, "outChannels": out_channels, "groups": groups,
        "height": config["height"], "width": config["width"], "kernel": config["kernel"],
        "stride": config["stride"], "padding": config["padding"],
        "outputPadding": config["output_padding"], "dilation": config["dilation"],
        "ceilMode": False,
    }  # fmt: skip


def python_message(compute: Callable[[], object]) -> str | None:
    try:
        compute()
    except ValueError as error:
        return str(error)
    return None


def python_conv_message(c: dict) -> str | None:
    arguments = {"kernel_size": c["kernel"], "stride": c["stride"], "padding": c["padding"],
                 "dilation": c["dilation"], "groups": c["groups"]}  # fmt: skip
    shape = (c["in_channels"], c["height"], c["width"])
    calculator = CONV["conv2d_output_shape"]
    return python_message(lambda: calculator(shape, c["out_channels"], **arguments))


def python_pool_message(c: dict) -> str | None:
    strides = (None, None) if c["stride"] is None else c["stride"]
    dilations = (1, 1) if c["average"] else c["dilation"]
    sizes = (c["height"], c["width"])
    axes = zip(sizes, c["kernel"], strides, c["padding"], dilations, strict=True)
    return python_message(lambda: [POOL["pool_output_size"](*a, c["ceil_mode"]) for a in axes])


def python_transposed_message(c: dict) -> str | None:
    axes = zip((c["height"], c["width"]), c["kernel"], c["stride"], c["padding"],
               c["output_padding"], c["dilation"], strict=True)  # fmt: skip
    return python_message(lambda: [TRANSPOSED["conv_transpose_output_size"](*a) for a in axes])


KINDS = {  # the property test's name → (our layer, the Python calculator's message)
    "test_conv2d_output_shape_matches_nn_conv2d": (conv_layer, python_conv_message),
    "test_pool_output_size_matches_max_and_avg_pooling": (pool_layer, python_pool_message),
    "test_conv_transpose_output_size_matches_nn_conv_transpose2d": (
        transposed_layer,
        python_transposed_message,
    ),
}


def run_code(layer: dict, code: str) -> tuple[Outcome, nn.Module | None, torch.Tensor | None]:
    """Build the page's PyTorch code and run it on zeros; torch's outcome, the module, the input."""
    dtype = torch.float64 if layer["kind"] == "transposed" else torch.float32  # see properties
    shape = (layer["batch"], layer["inChannels"], layer["height"], layer["width"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = eval(code, {"nn": nn}).to(dtype)  # the page's code, nothing else
            x = torch.zeros(shape, dtype=dtype)
            return tuple(module(x).shape[2:]), module, x
    except (RuntimeError, ValueError):
        return None, None, None


def torch_costs(module: nn.Module, x: torch.Tensor) -> dict[str, int]:
    """Parameters, MACs (FlopCounterMode / 2) and memory (input + output + parameters) × 4."""
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        y = module(x)
    parameters = sum(p.numel() for p in module.parameters())
    flops = counter.get_total_flops()
    return {
        "parameters": parameters, "macs": flops // 2, "flops": flops,
        "memoryBytes": 4 * (x.numel() + y.numel() + parameters),
    }  # fmt: skip


@pytest.fixture(scope="module")
def property_cases() -> dict[str, list[tuple[dict, Outcome]]]:
    """Every configuration of the three chapter 2 properties, replayed (same draws)."""
    return properties.replay_properties()


def test_calculator_equals_torch_on_the_property_configurations(
    batch_pages, property_cases
) -> None:
    layers, expected = [], []
    for name, (make_layer, message) in KINDS.items():
        for index, (config, theirs) in enumerate(property_cases[name]):
            layers.append(make_layer(index, config))
            expected.append((theirs, message(config) if theirs is None else None))
    answers = call(batch_pages["arithmetic"], BATCH_LAYERS, layers)
    costs_checked = 0
    for layer, (theirs, message), answer in zip(layers, expected, answers, strict=True):
        ours = tuple(answer["output"][2:]) if "output" in answer else None
        assert ours == theirs, (layer, answer)
        assert answer.get("message") == message, (layer, answer)
        from_code, module, x = run_code(layer, answer["code"])
        assert from_code == theirs, (layer, answer["code"])
        if module is not None:
            costs = torch_costs(module, x)
            assert {key: int(answer[key]) for key in costs} == costs, (layer, answer)
            costs_checked += 1
    counts = {name: len(cases) for name, cases in property_cases.items()}
    assert list(counts.values()) == list(properties.EXAMPLES.values())  # 1,500 + 1,500 + 1,000
    assert len(layers) == sum(properties.EXAMPLES.values()) >= 4000
    refused = sum(theirs is None for theirs, _ in expected)
    assert 0.2 * len(layers) <= refused <= 0.8 * len(layers)
    assert costs_checked == len(layers) - refused


def test_conv_costs_follow_the_books_counter(batch_pages) -> None:
    """The book's own counter (cost_counter.py) on a few conv layers: same MACs and memory."""
    layers = [
        conv_layer(index, {"in_channels": c_in, "out_channels": c_out, "groups": groups,
                           "height": size, "width": size + 3, "kernel": (k, k),
                           "stride": (s, 1), "padding": (k // 2, 0), "dilation": (1, 2)})
        for index, (c_in, c_out, groups, size, k, s) in enumerate(
            [(3, 32, 1, 32, 3, 1), (32, 64, 2, 16, 3, 2), (8, 8, 8, 9, 5, 1), (6, 4, 2, 7, 1, 3)])
    ]  # fmt: skip
    answers = call(batch_pages["arithmetic"], BATCH_LAYERS, layers)
    for layer, answer in zip(layers, answers, strict=True):
        _, module, x = run_code(layer, answer["code"])
        (cost,) = COUNTER["count_costs"](nn.Sequential(module), x)
        assert int(answer["macs"]) == cost.macs and int(answer["flops"]) == cost.flops
        assert int(answer["parameters"]) == cost.parameters
        assert int(answer["memoryBytes"]) == cost.memory_bytes


def same_padding_layers() -> list[dict]:
    sizes = [(1, 1), (2, 5), (7, 4), (8, 8)]
    kernels = [(1, 1), (2, 2), (3, 3), (4, 2), (5, 3), (6, 6)]
    dilations, strides = [(1, 1), (2, 1), (1, 3), (2, 2)], [(1, 1), (2, 1), (1, 2), (2, 2)]
    combos = [(s, k, d, st_) for s in sizes for k in kernels for d in dilations for st_ in strides]
    return [
        {"kind": "conv", "batch": 1, "bias": True, "inChannels": 2, "outChannels": 4, "groups": 2,
         "height": h, "width": w, "kernel": list(k), "stride": list(st_), "padding": "same",
         "dilation": list(d), "outputPadding": [0, 0], "ceilMode": False}
        for (h, w), k, d, st_ in combos
    ]  # fmt: skip


def test_same_padding_equals_torch(batch_pages) -> None:
    layers = same_padding_layers()
    answers = call(batch_pages["arithmetic"], BATCH_LAYERS, layers)
    refused = 0
    for layer, answer in zip(layers, answers, strict=True):
        theirs = properties.torch_outcome(
            lambda layer=layer: nn.Conv2d(2, 4, layer["kernel"], layer["stride"], "same",
                                          layer["dilation"], groups=2)(
                torch.zeros(1, 2, layer["height"], layer["width"])))  # fmt: skip
        ours = tuple(answer["output"][2:]) if "output" in answer else None
        assert ours == theirs, (layer, answer)
        assert run_code(layer, answer["code"])[0] == theirs
        if theirs is None:
            refused += 1
            assert "'same'" in answer["message"] and "步长" in answer["message"]
    assert len(layers) == 384 and refused == 288  # every stride but (1, 1) is refused


BATCH_STACKS = f"""async (stacks) => {{
  const m = await import("{ARITHMETIC_SCRIPT}");
  return stacks.map(({{ layers, size }}) => {{
    try {{
      return {{ fields: m.stackFields(layers, size) }};
    }} catch (error) {{
      if (!(error instanceof m.ConfigError)) throw error;
      return {{ message: error.message, layer: error.layer }};
    }}
  }});
}}"""


def drawn(strategy: st.SearchStrategy, count: int) -> list:
    """``count`` examples of a chapter 3 strategy, the same every run."""
    examples: list = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None)
    @given(strategy)
    def collect(example: object) -> None:
        examples.append(example)

    collect()
    return examples


def stack_layers(stack: list[tuple[str, tuple[int, int, int, int]]]) -> list[dict]:
    return [{"kind": kind, "kernel": k, "stride": s, "padding": p, "dilation": d, "ceilMode": False}
            for kind, (k, s, p, d) in stack]  # fmt: skip


def torch_sizes(stack: list, height: int, width: int) -> list[tuple[int, int]]:
    """(H, W) after every layer of the stack, built from real PyTorch layers."""
    modules = {"conv": lambda k, s, p, d: nn.Conv2d(1, 1, k, s, p, d),
               "max": lambda k, s, p, d: nn.MaxPool2d(k, s, p, d),
               "avg": lambda k, s, p, d: nn.AvgPool2d(k, s, p)}  # fmt: skip
    x, sizes = torch.zeros(1, 1, height, width), []
    with torch.no_grad():
        for kind, layer in stack:
            x = modules[kind](*layer)(x)
            sizes.append(tuple(x.shape[2:]))
    return sizes


def test_stack_equals_receptive_fields_and_torch(batch_pages) -> None:
    stacks = drawn(receptive.stacks(), STACK_EXAMPLES)
    lists = drawn(st.tuples(receptive.layer_lists(), st.integers(1, 12)), STACK_EXAMPLES)
    requests = [{"layers": stack_layers(stack), "size": size}
                for stack, height, width in stacks for size in (height, width)]
    requests += [{"layers": stack_layers([("conv", layer) for layer in layers]), "size": size}
                 for layers, size in lists]  # fmt: skip
    answers = call(batch_pages["arithmetic"], BATCH_STACKS, requests)
    for index, (stack, height, width) in enumerate(stacks):
        by_height, by_width = answers[2 * index]["fields"], answers[2 * index + 1]["fields"]
        layers = [layer for _, layer in stack]
        expected = CALCULATOR["receptive_fields"](layers, height)
        assert [(f["size"], f["jump"], f["start"], f["outputSize"]) for f in by_height] == [
            (f.size, f.jump, f.start, f.output_size) for f in expected
        ]
        assert [f["centre"] for f in by_height] == [f.centre for f in expected]
        pairs = zip(by_height, by_width, strict=True)
        assert [(h["outputSize"], w["outputSize"]) for h, w in pairs] == torch_sizes(
            stack, height, width
        )
    refused = 0
    for (layers, size), answer in zip(lists, answers[2 * len(stacks) :], strict=True):
        try:
            expected = CALCULATOR["receptive_fields"](layers, size)
        except ValueError as error:
            refused += 1
            layer = int(re.search(r"layers\[(\d+)\]", str(error))[1])
            assert answer["layer"] == layer and "message" in answer, (layers, size, answer)
            continue
        assert [(f["size"], f["jump"], f["start"], f["outputSize"]) for f in answer["fields"]] == [
            (f.size, f.jump, f.start, f.output_size) for f in expected
        ]
    assert 0.1 * len(lists) <= refused <= 0.9 * len(lists)


def test_page_says_what_the_calculator_tests_check() -> None:
    counts = properties.EXAMPLES
    claim = (f"卷积 {counts['conv']:,} 组、池化 {counts['pool']:,} 组、"
             f"转置卷积 {counts['transposed']:,} 组，共 {sum(counts.values()):,} 组")  # fmt: skip
    assert claim in ARITHMETIC_PAGE
    assert '<script type="module" src="../assets/javascripts/conv-calculator.js">' in (
        ARITHMETIC_PAGE
    )
    receptive_page = page_text("receptive-field.md")
    assert 'data-widget="conv-calculator"' in receptive_page
    assert f"抽取 {STACK_EXAMPLES} 个网络" in receptive_page
    assert f"再抽取 {STACK_EXAMPLES} 个只含卷积的层列表" in receptive_page


# ---------------------------------------------------------------- the calculator's form


def set_field(page, label: str, value: str) -> None:
    field = page.get_by_label(label, exact=True).first
    field.fill(value)


def results(page) -> dict[str, str]:
    """What the calculator shows: shape, parameters, macs, flops, memory, error and code."""
    return page.evaluate("""() => Object.fromEntries(
      ["shape", "parameters", "macs", "flops", "memory", "error", "code"].map(
        (key) => [key, document.querySelector(`.cnn-calc [id$='-${key}']`).textContent]))""")


def run_shown_code(code: str) -> str:
    """Run the page's code block (in this process, as a fresh module would); its stdout."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, {"__name__": "__main__"})  # the page's code, nothing else
    return printed.getvalue().strip()


def test_calculator_form_with_the_keyboard(open_page) -> None:
    visit = open_page("/conv-arithmetic/")
    page = visit.page
    page.wait_for_selector("[data-widget='conv-calculator'][data-ready]")
    shown = results(page)
    # the default is the page's animated example: 5×5, 3×3 kernel, stride 2, padding 1
    assert shown["shape"] == "(1, 1, 3, 3)" and shown["parameters"] == "10"
    assert shown["macs"] == "81" and shown["error"] == ""
    elements = 5 * 5 + 3 * 3 + 10  # input, output, weights and bias
    assert shown["memory"] == f"{elements} 个元素，{4 * elements} 字节（0.00018 MB，0.00017 MiB）"
    assert page.locator(".cnn-grids svg").count() == 3
    assert page.locator(".cnn-grids svg").first.locator(".cnn-cell--hit").count() == 9
    # keyboard: Tab into the kernel height and press the up arrow
    page.get_by_label("层的类型").focus()
    kernel_height = page.locator("[id$='-kernel-h']").first
    while page.evaluate("document.activeElement.id") != kernel_height.get_attribute("id"):
        page.keyboard.press("Tab")
    page.keyboard.press("ArrowUp")
    assert kernel_height.input_value() == "4"
    assert results(page)["shape"] == "(1, 1, 2, 3)"
    # the parameter-count example of the page: Conv2d(3, 10, 5, padding=2) on 32×32
    for label, value in [("输入通道 C_in", "3"), ("输出通道 C_out", "10")]:
        set_field(page, label, value)
    for key, value in [("size", "32"), ("kernel", "5"), ("stride", "1"), ("padding", "2")]:
        for axis in "hw":
            page.locator(f"[id$='-{key}-{axis}']").first.fill(value)
    shown = results(page)
    assert shown["shape"] == "(1, 10, 32, 32)" and shown["parameters"] == "760"
    layer = nn.Conv2d(3, 10, 5, padding=2)
    elements = 3 * 32 * 32 + layer(torch.zeros(1, 3, 32, 32)).numel() + count_parameters(layer)
    megabytes, mebibytes = 4 * elements / 1e6, 4 * elements / 2**20
    assert shown["memory"] == (
        f"{elements:,} 个元素，{4 * elements:,} 字节（{megabytes:.2f} MB，{mebibytes:.2f} MiB）"
    )
    parameter_out = (SNIPPETS / "arithmetic" / "parameter_count.out").read_text(encoding="utf-8")
    assert "Conv2d(3, 10, (5, 5), groups=1, bias=True): 760 个参数" in parameter_out
    assert run_shown_code(shown["code"]) == "(1, 10, 32, 32)"
    assert page.locator(".cnn-grids svg").first.locator("rect").count() == 36 * 36  # padding 2
    page.locator("[id$='-size-h']").first.fill("64")
    assert "输入或输出超过 40 格" in page.locator("[id$='-grids-note']").first.inner_text()
    assert not page.locator(".cnn-grids").first.is_visible()
    # a refused configuration names the axis and the argument, like the Python calculator
    page.locator("[id$='-stride-w']").first.fill("0")
    shown = results(page)
    assert shown["error"] == "PyTorch 会拒绝这个配置。宽（W）方向：stride 必须 >= 1，收到 0"
    assert not page.locator("[id$='-numbers']").first.is_visible()
    page.locator("[id$='-stride-w']").first.fill("")
    assert results(page)["error"].endswith("宽（W）方向：stride 必须是整数，收到 ''")
    page.locator("[id$='-stride-w']").first.fill("1")
    set_field(page, "分组 groups", "4")
    assert results(page)["error"].endswith("groups=4 必须同时整除 in_channels=3 与 out_channels=10")


def test_calculator_form_other_layers(open_page) -> None:
    visit = open_page("/conv-arithmetic/")
    page = visit.page
    page.wait_for_selector("[data-widget='conv-calculator'][data-ready]")
    kind = page.get_by_label("层的类型")
    # 'same' keeps the size at stride 1 and is refused at stride 2
    page.get_by_label("填充方式").select_option("same")
    page.locator("[id$='-kernel-h']").first.fill("4")
    for axis in "hw":
        page.locator(f"[id$='-stride-{axis}']").first.fill("1")
    shown = results(page)
    assert shown["shape"] == "(1, 1, 5, 5)" and "padding='same'" in shown["code"]
    assert run_shown_code(shown["code"]) == "(1, 1, 5, 5)"
    page.locator("[id$='-stride-h']").first.fill("2")
    assert "'same'" in results(page)["error"]
    page.get_by_label("填充方式").select_option("numbers")
    # transposed convolution with output_padding: 4 → 8, the decoder example of the page
    kind.select_option("transposed")
    assert page.locator("[id$='-outputPadding-h']").first.is_visible()
    for key, value in [("size", "4"), ("kernel", "3"), ("stride", "2"), ("padding", "1"),
                       ("outputPadding", "1")]:  # fmt: skip
        for axis in "hw":
            page.locator(f"[id$='-{key}-{axis}']").first.fill(value)
    shown = results(page)
    assert shown["shape"] == "(1, 1, 8, 8)" and "output_padding=1" in shown["code"]
    assert run_shown_code(shown["code"]) == "(1, 1, 8, 8)"
    assert page.locator(".cnn-grids svg").nth(2).locator(".cnn-cell--hit").count() == 4
    page.locator("[id$='-pick-row']").first.fill("3")  # the last input row writes rows 5..7
    assert page.locator(".cnn-grids svg").nth(2).locator(".cnn-cell--hit").count() == 6
    # pooling: ceil_mode and the default stride; the page's ceil-mode example 5 → 3
    kind.select_option("max")
    assert not page.locator("[id$='-outputPadding-h']").first.is_visible()
    page.get_by_label("步长缺省（等于 kernel_size）").check()
    page.get_by_label("ceil_mode（向上取整）").check()
    for key, value in [("size", "5"), ("kernel", "2"), ("padding", "1")]:
        for axis in "hw":
            page.locator(f"[id$='-{key}-{axis}']").first.fill(value)
    shown = results(page)
    assert shown["shape"] == "(1, 1, 3, 3)" and shown["macs"].startswith("0")
    assert "ceil_mode=True" in shown["code"] and "stride" not in shown["code"]
    assert run_shown_code(shown["code"]) == "(1, 1, 3, 3)"
    kind.select_option("avg")
    assert not page.locator("[id$='-dilation-h']").first.is_visible()
    copy = page.locator("[id$='-copy']").first
    copy.click()
    assert copy.inner_text() in ("已复制", "已选中，按 Ctrl+C 复制")
    page.evaluate("window.__stillHere = true")
    page.locator("[id$='-kernel-w']").first.press("Enter")  # no form submission, no reload
    page.locator("[id$='-kernel-w']").first.fill("3")
    assert copy.inner_text() == "复制代码" and page.evaluate("window.__stillHere === true")


def stack_table(page) -> list[list[str]]:
    """The stack's computed columns, row by row: output side, r, J, start a, centre c."""
    return page.evaluate("""() => [...document.querySelectorAll(".cnn-stack tbody tr")].map(
      (row) => ["out", "size", "jump", "start", "centre"].map(
        (key) => row.querySelector(`output[id$='-${key}']`).textContent))""")


def test_stack_shows_the_chapter_3_example(open_page) -> None:
    """The preloaded stack is the calculator snippet's network; the table matches its output."""
    visit = open_page("/receptive-field/")
    page = visit.page
    page.wait_for_selector("[data-widget='conv-calculator'][data-ready]")
    stored = (SNIPPETS / "receptive_field" / "calculator.out").read_text(encoding="utf-8")
    rows = [line.split() for line in stored.splitlines()[1:6]]  # layer (k, s, p, d) r J a c out
    expected = [[row[-1], row[-5], row[-4], row[-3], row[-2]] for row in rows]
    assert stack_table(page) == expected
    page.get_by_role("button", name="添加一层", exact=True).click()
    assert stack_table(page)[-1] == ["8", "26", "4", "-12", "0.5"]  # 18 + (3 - 1) · 4 = 26
    page.get_by_label("第 6 层 kernel").fill("11")  # wider than the padded 8-pixel map
    assert stack_table(page)[-1] == ["—"] * 5
    error = page.locator("[id$='-stack-error']").first.inner_text()
    assert error == "PyTorch 会拒绝这个配置。第 6 层：" + (
        "kernel_size=11（dilation=1，跨越 11 格）大于填充后的输入长度 10"
    )
    page.get_by_role("button", name="删除第 6 层", exact=True).click()
    assert stack_table(page) == expected
    page.get_by_role("button", name="清空", exact=True).click()
    assert stack_table(page) == []
    assert "至少要有一层" in page.locator("[id$='-stack-error']").first.inner_text()
    add_layer = page.get_by_role("button", name="把上面的一层加进来", exact=True)
    add_layer.click()  # the form's default layer: 3×3, stride 2, padding 1
    assert stack_table(page) == [["16", "3", "2", "-1", "0"]]
    page.get_by_label("层的类型").select_option("transposed")
    add_layer.click()
    assert "转置卷积" in page.locator("[id$='-stack-error']").first.inner_text()
    page.get_by_label("第 1 层 类型").select_option("avg")
    assert page.get_by_label("第 1 层 dilation").is_disabled()
    page.get_by_role("button", name="载入示例", exact=True).click()
    assert stack_table(page) == expected


def test_widgets_survive_instant_navigation(open_page) -> None:
    visit = open_page("/")
    page = visit.page
    page.evaluate("window.__sameDocument = true")
    for path in ["/conv-arithmetic/", "/receptive-field/", "/lenet-mnist/"]:
        page.locator(f"nav.md-nav--primary a[href$='{path.strip('/')}/']").first.click()
        page.wait_for_url(f"**{path}")
        widget = "lenet" if "lenet" in path else "conv-calculator"
        page.wait_for_selector(f"[data-widget='{widget}'][data-ready]")
        if widget == "lenet":
            page.wait_for_selector("[data-widget='lenet'][data-state='ready']")
        else:
            assert results(page)["shape"] == "(1, 1, 3, 3)"
    assert page.evaluate("window.__sameDocument === true")  # never a full page load


@pytest.mark.parametrize("path", ["/conv-arithmetic/", "/lenet-mnist/"])
def test_widgets_fit_a_phone_screen(open_page, path: str) -> None:
    visit = open_page(path)
    visit.page.set_viewport_size(PHONE)
    visit.page.wait_for_selector("[data-widget][data-ready]")
    overflow = visit.page.evaluate("""() => [...document.querySelectorAll('.cnn-widget *')]
      .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
      .map(e => e.tagName + '#' + e.id)""")  # the stack's results too: it becomes cards
    assert overflow == []
    assert visit.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


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
    assert count_parameters(model) == 44_426 and "44,426 个 float32 参数" in LENET_PAGE
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
        (lambda data: b"NOTLENET" + data[8:], "does not start with CNNLENET"),
        (lambda data: data[:12] + b"x" + data[13:], "header is not JSON"),
        (lambda data: data.replace(b'"format":1', b'"format":7', 1), "format 7, expected 1"),
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
    assert capsys.readouterr().out == f"saved {out} ({out.stat().st_size:,} bytes)\n"
    again = read_export(out)
    assert all(torch.equal(again.state[k], v) for k, v in model.state_dict().items())
    assert again.source == "checkpoint lenet.pt"
    assert export_web.main([*arguments, str(tmp_path / "missing.pt")]) == 1
    printed = capsys.readouterr()
    assert printed.out == "" and printed.err.count("\n") == 1
    assert printed.err.startswith("cnnbook.export_web: error: checkpoint ")
    assert printed.err.endswith("missing.pt does not exist\n")


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


def test_browser_lenet_equals_torch(batch_pages, exported, mnist_test_set) -> None:
    model, _ = exported
    generator = torch.Generator().manual_seed(0)
    inputs = torch.cat([mnist_test_set.data[:100].float() / 255,
                        torch.rand(RANDOM_INPUTS, 28, 28, generator=generator)])  # fmt: skip
    answers = call(batch_pages["lenet"], FORWARD, inputs.reshape(len(inputs), -1).tolist())
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


def test_browser_preprocessing_equals_cnnbook_bit_for_bit(batch_pages) -> None:
    images = drawings(60)
    payload = [
        {"width": im.width, "height": im.height,
         "rgba": base64.b64encode(im.convert("RGBA").tobytes()).decode()}
        for im in images
    ]  # fmt: skip
    answers = call(batch_pages["lenet"], PREPROCESS, payload)
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


def test_browser_resize_equals_pillow_bit_for_bit(batch_pages) -> None:
    """Pillow's bilinear resize of float images, in both pass orders Pillow 13 uses."""
    rng = np.random.default_rng(0)
    cases = []
    for _ in range(RESIZES):
        height, width = (int(v) for v in rng.integers(1, 70, size=2))
        out_height, out_width = (int(v) for v in rng.integers(1, 35, size=2))
        cases.append((rng.random((height, width), dtype=np.float32), out_width, out_height))
    payload = [{"data": a.ravel().tolist(), "width": a.shape[1], "height": a.shape[0],
                "outWidth": ow, "outHeight": oh} for a, ow, oh in cases]  # fmt: skip
    answers = call(batch_pages["lenet"], RESIZE, payload)
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
    found = [re.fullmatch(r".+: (\d) \(probability ([01]\.\d{3})\)", line) for line in lines]
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


def test_every_function_of_the_widget_scripts_ran(coverage: ScriptCoverage, site: Path) -> None:
    """Runs last: the visits of this module, merged (run the whole module, not this test alone)."""
    assert sorted(coverage.calls) == sorted(WIDGET_SCRIPTS), "run the whole module"
    for name in WIDGET_SCRIPTS:
        source = (site / "assets" / "javascripts" / name).read_text(encoding="utf-8")
        assert coverage.never_called(name, source) == [], name
        assert coverage.covered[name].mean() > 0.9, name
