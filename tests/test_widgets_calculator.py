"""The conv/pool/receptive-field calculator (issue 12) in headless Chromium:
docs/assets/javascripts/conv-arithmetic.js + conv-calculator.js give exactly what Python and
PyTorch give.

* The calculator gets, in one call, every configuration the chapter 2 property tests draw
  (``replay_properties``): same output size or same refusal as torch, the same Chinese message as
  the Python calculator, and its PyTorch code builds a layer with that shape, its parameter count
  and its MACs (``FlopCounterMode``). Then a grid of ``padding='same'`` layers and random stacks
  from the chapter 3 generators (receptive field against ``receptive_fields`` and real layers).
* The form, driven with the keyboard and the mouse, on both pages that embed it, after instant
  navigation and on a phone screen.
* Every visit must end with no console error and no request to another host, and every function
  of the two calculator scripts must have run (V8's precise coverage, collected over this module;
  tests/widgets.py has the machinery, tests/test_widgets_lenet.py the same for the LeNet).
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.sync_api import Browser, Page
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from cnnbook.model import count_parameters
from tests.browser import (
    base_url_fixture,  # noqa: F401 (a fixture: tests ask for it by its name, base_url)
    browser_fixture,  # noqa: F401 (a fixture: tests ask for it by its name, browser)
)
from tests.helpers import page_text, snippet, stored
from tests.properties import EXAMPLES, Outcome, replay_properties, torch_outcome
from tests.receptive import STACK_EXAMPLES, layer_lists, stacks
from tests.widgets import (
    CALCULATOR_SCRIPTS,
    PHONE,
    SCRIPTS,
    ScriptCoverage,
    batch_visit,
    call,
    coverage_fixture,  # noqa: F401 (a fixture: tests ask for it by its name, coverage)
    open_page_fixture,  # noqa: F401 (a fixture: tests ask for it by its name, open_page)
    torch_on_one_thread_fixture,  # noqa: F401 (an autouse fixture)
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("site")]

CONV = snippet("arithmetic/conv_output_size")
POOL = snippet("arithmetic/pool_output_size")
TRANSPOSED = snippet("variants/transposed_size")  # chapter 4's formula, the one the book teaches
COUNTER = snippet("arithmetic/cost_counter")
CALCULATOR = snippet("receptive_field/calculator")
ARITHMETIC_PAGE = page_text("conv-arithmetic.md")


@pytest.fixture(scope="module")
def arithmetic_page(browser: Browser, base_url: str, coverage: ScriptCoverage) -> Iterator[Page]:
    """One visit of the calculator's page, shared by the tests that only call the scripts."""
    with batch_visit(browser, base_url, coverage, "/conv-arithmetic/") as page:
        yield page


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
               c["dilation"], c["output_padding"], strict=True)  # fmt: skip
    return python_message(lambda: [TRANSPOSED["transposed_output_size"](*a) for a in axes])


KINDS = {  # the property's kind → (our layer, the Python calculator's message)
    "conv": (conv_layer, python_conv_message),
    "pool": (pool_layer, python_pool_message),
    "transposed": (transposed_layer, python_transposed_message),
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
    return replay_properties()


def test_calculator_equals_torch_on_the_property_configurations(
    arithmetic_page, property_cases
) -> None:
    layers, expected = [], []
    for name, (make_layer, message) in KINDS.items():
        for index, (config, theirs) in enumerate(property_cases[name]):
            layers.append(make_layer(index, config))
            expected.append((theirs, message(config) if theirs is None else None))
    answers = call(arithmetic_page, BATCH_LAYERS, layers)
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
    assert counts == EXAMPLES  # 1,500 + 1,500 + 1,000
    assert len(layers) == sum(EXAMPLES.values()) >= 4000
    refused = sum(theirs is None for theirs, _ in expected)
    assert 0.2 * len(layers) <= refused <= 0.8 * len(layers)
    assert costs_checked == len(layers) - refused


def test_conv_costs_follow_the_books_counter(arithmetic_page) -> None:
    """The book's own counter (cost_counter.py) on a few conv layers: same MACs and memory."""
    layers = [
        conv_layer(index, {"in_channels": c_in, "out_channels": c_out, "groups": groups,
                           "height": size, "width": size + 3, "kernel": (k, k),
                           "stride": (s, 1), "padding": (k // 2, 0), "dilation": (1, 2)})
        for index, (c_in, c_out, groups, size, k, s) in enumerate(
            [(3, 32, 1, 32, 3, 1), (32, 64, 2, 16, 3, 2), (8, 8, 8, 9, 5, 1), (6, 4, 2, 7, 1, 3)])
    ]  # fmt: skip
    answers = call(arithmetic_page, BATCH_LAYERS, layers)
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


def test_same_padding_equals_torch(arithmetic_page) -> None:
    layers = same_padding_layers()
    answers = call(arithmetic_page, BATCH_LAYERS, layers)
    refused = 0
    for layer, answer in zip(layers, answers, strict=True):
        theirs = torch_outcome(
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


def test_stack_equals_receptive_fields_and_torch(arithmetic_page) -> None:
    drawn_stacks = drawn(stacks(), STACK_EXAMPLES)
    lists = drawn(st.tuples(layer_lists(), st.integers(1, 12)), STACK_EXAMPLES)
    requests = [
        {"layers": stack_layers(stack), "size": size}
        for stack, height, width in drawn_stacks
        for size in (height, width)
    ]
    requests += [{"layers": stack_layers([("conv", layer) for layer in layers]), "size": size}
                 for layers, size in lists]  # fmt: skip
    answers = call(arithmetic_page, BATCH_STACKS, requests)
    for index, (stack, height, width) in enumerate(drawn_stacks):
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
    for (layers, size), answer in zip(lists, answers[2 * len(drawn_stacks) :], strict=True):
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


def test_both_pages_embed_the_calculator() -> None:
    """(The counts the two pages quote are checked by tests/test_arithmetic_prose.py and
    tests/test_receptive_field_prose.py, which run without a browser.)"""
    assert '<script type="module" src="../assets/javascripts/conv-calculator.js">' in (
        ARITHMETIC_PAGE
    )
    assert 'data-widget="conv-calculator"' in page_text("receptive-field.md")


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
    shown_labels = page.locator(".cnn-calc label, .cnn-calc dt, .cnn-field__name")
    labels = [" ".join(text.split()) for text in shown_labels.all_inner_texts()]
    book_letters = [  # 符号与约定, with PyTorch's argument name under the letter
        "批大小 B",
        "输出形状 (B, C, H, W)",
        "卷积核 K kernel_size",
        "步长 S stride",
        "每侧填充 P padding",
        "空洞率 D dilation",
        "分组数 G groups",
    ]
    assert [label for label in book_letters if label not in labels] == []
    assert not any("N" in label.split() for label in labels)
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
    parameter_out = stored("arithmetic/parameter_count.out")
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
    set_field(page, "分组数 G groups", "4")
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
    """The stack's computed columns, row by row: output side, R, J, start a, centre."""
    return page.evaluate("""() => [...document.querySelectorAll(".cnn-stack tbody tr")].map(
      (row) => ["out", "size", "jump", "start", "centre"].map(
        (key) => row.querySelector(`output[id$='-${key}']`).textContent))""")


def test_stack_shows_the_chapter_3_example(open_page) -> None:
    """The preloaded stack is the calculator snippet's network; the table matches its output."""
    visit = open_page("/receptive-field/")
    page = visit.page
    page.wait_for_selector("[data-widget='conv-calculator'][data-ready]")
    table = stored("receptive_field/calculator.out")
    rows = [line.split() for line in table.splitlines()[1:6]]  # layer (K, S, P, D) R J a centre out
    expected = [[row[-1], row[-5], row[-4], row[-3], row[-2]] for row in rows]
    assert stack_table(page) == expected
    # the book's letters (符号与约定), as the snippet's header prints them
    header = page.locator(".cnn-stack thead th").all_inner_texts()
    letters = ["K", "S", "P", "D", "ceil", "输出边长", "R", "J", "起点 a", "中心"]
    assert header == ["#", "类型", *letters, ""]
    printed = table.splitlines()[0]
    assert "(K, S, P, D)" in printed and all(label in printed for label in header[7:12])
    page.get_by_role("button", name="添加一层", exact=True).click()
    assert stack_table(page)[-1] == ["8", "26", "4", "-12", "0.5"]  # 18 + (3 - 1) · 4 = 26
    kernel_6 = page.get_by_label("第 6 层 K（卷积核边长 kernel_size）")
    kernel_6.fill("11")  # wider than the padded 8-pixel map
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
    assert page.get_by_label("第 1 层 D（空洞率 dilation）").is_disabled()
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


# ---------------------------------------------------------------- covered


def test_every_function_of_the_calculator_scripts_ran(coverage: ScriptCoverage, site: Path) -> None:
    """Runs last: the visits of this module, merged (run the whole module, not this test alone)."""
    assert set(CALCULATOR_SCRIPTS) <= set(coverage.calls), "run the whole module"
    for name in CALCULATOR_SCRIPTS:
        source = (site / "assets" / "javascripts" / name).read_text(encoding="utf-8")
        assert coverage.never_called(name, source) == [], name
        assert coverage.covered[name].mean() > 0.9, name
