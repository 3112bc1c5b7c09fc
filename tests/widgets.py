"""Shared by the widget tests, tests/test_widgets_calculator.py and tests/test_widgets_lenet.py:
the widget scripts, V8 coverage of them, visits that keep it, and calling a script's functions.

The test modules import the fixtures ``coverage``, ``open_page`` and ``torch_on_one_thread`` from
here by their function names (``coverage_fixture`` …). Each fixture then belongs to the module that
imports it: every module has its own coverage collector and asserts, in its last test, that its own
two scripts ran completely (so a module passes or fails on its own, whatever ran before it).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from urllib.parse import urlparse

import numpy as np
import pytest
from playwright.sync_api import Browser, Page

from tests.browser import Visit
from tests.helpers import one_thread
from tests.paths import DOCS

SCRIPTS = "/assets/javascripts/"
CALCULATOR_SCRIPTS = ["conv-arithmetic.js", "conv-calculator.js"]
LENET_SCRIPTS = ["lenet.js", "lenet-widget.js"]
WIDGET_SCRIPTS = CALCULATOR_SCRIPTS + LENET_SCRIPTS
MODEL_FILE = DOCS / "assets" / "models" / "lenet.bin"
PHONE = {"width": 390, "height": 844}


# ---------------------------------------------------------------- coverage


class ScriptCoverage:
    """V8 precise coverage of the widget scripts, merged over every visit of one test module."""

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
    """A page (see tests/browser.py) whose script coverage is kept."""

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


# ---------------------------------------------------------------- fixtures and visits


@pytest.fixture(name="torch_on_one_thread", autouse=True, scope="module")
def torch_on_one_thread_fixture() -> Iterator[None]:
    """Tiny tensors: thread start-up would dominate, and the machine's cores are shared."""
    with one_thread():
        yield


@pytest.fixture(name="coverage", scope="module")
def coverage_fixture() -> ScriptCoverage:
    return ScriptCoverage()


@contextlib.contextmanager
def batch_visit(
    browser: Browser, base_url: str, coverage: ScriptCoverage, path: str
) -> Iterator[Page]:
    """One visit of a widget page, shared by the tests that only call the scripts' functions
    (through ``call``); it must end clean."""
    visit = CoveredVisit(browser, base_url, coverage)
    visit.page.goto(base_url + path, wait_until="networkidle")
    yield visit.page
    visit.close()
    visit.assert_clean()


def call(page: Page, function: str, argument: object) -> object:
    """``page.evaluate(function, argument)``, with the argument and the answer passed as JSON
    text: ten times faster than Playwright's own serialisation for thousands of items."""
    wrapper = f"async (text) => JSON.stringify(await ({function})(JSON.parse(text)))"
    return json.loads(page.evaluate(wrapper, json.dumps(argument)))


@pytest.fixture(name="open_page")
def open_page_fixture(
    browser: Browser, base_url: str, coverage: ScriptCoverage
) -> Iterator[Callable]:
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
