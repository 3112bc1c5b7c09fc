"""Headless Chromium against a built site: shared by the browser tests and ``make screenshots``.

The browser test modules import ``Visit`` and the fixtures ``browser`` and ``base_url`` from here
(by their function names, ``browser_fixture`` and ``base_url_fixture``).

Usage: ``python -m tests.browser screenshots SITE_DIR OUT_DIR [PAGE ...]`` writes
``<page>-light.png`` and ``<page>-dark.png`` for every page of the built site (or only for the
given URL paths, such as ``/overview/``).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    raise FileNotFoundError("chromium is not installed (make test installs Debian's chromium)")


def page_paths(site: Path) -> list[str]:
    """URL paths of the site's pages (directory URLs), home first."""
    folders = [index.parent.relative_to(site).as_posix() for index in site.rglob("index.html")]
    paths = ["/" if folder == "." else f"/{folder}/" for folder in folders]
    return sorted(paths, key=lambda path: (path != "/", path))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # same name as the stdlib
        pass


@contextlib.contextmanager
def serve(site: Path, port: int = 0) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 (``port``, or a free one) for the duration of the block."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


@pytest.fixture(name="browser", scope="module")
def browser_fixture() -> Iterator[Browser]:
    """One headless Chromium per test module."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(name="base_url", scope="module")
def base_url_fixture(site: Path, site_port: int) -> Iterator[str]:
    """The built site (conftest's ``site``), served for one test module."""
    with serve(site, site_port) as url:
        yield url


class Visit:
    """A page with everything it reported: console errors, page errors, foreign requests."""

    def __init__(self, browser: Browser, base_url: str, scheme: str = "light") -> None:
        self.context = browser.new_context(viewport=VIEWPORT, color_scheme=scheme)
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.foreign: list[str] = []
        local = urlparse(base_url).netloc
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on(
            "request",
            lambda r: (
                urlparse(r.url).netloc not in ("", local)
                and not r.url.startswith(("data:", "blob:"))
                and self.foreign.append(r.url)
            ),
        )

    def close(self) -> None:
        self.context.close()


def screenshots(site: Path, out_dir: Path, only: list[str] | None = None) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = only or page_paths(site)
    written = []
    with serve(site) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        for scheme in ("light", "dark"):
            context = browser.new_context(viewport=VIEWPORT, color_scheme=scheme)
            page = context.new_page()
            for path in paths:
                page.goto(base + path, wait_until="networkidle")
                page.wait_for_timeout(300)  # let KaTeX and the GIFs settle
                name = path.strip("/").replace("/", "_") or "home"
                target = out_dir / f"{name}-{scheme}.png"
                page.screenshot(path=str(target), full_page=True)
                written.append(target)
            context.close()
        browser.close()
    return written


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[0] != "screenshots":
        usage = "usage: python -m tests.browser screenshots SITE_DIR OUT_DIR [PAGE ...]"
        print(usage, file=sys.stderr)
        return 2
    site, out_dir, only = Path(argv[1]), Path(argv[2]), argv[3:]
    if not (site / "index.html").is_file():
        print(f"tests.browser: error: {site} is not a built site (no index.html)", file=sys.stderr)
        return 2
    unknown = sorted(set(only) - set(page_paths(site)))
    if unknown:
        missing = ", ".join(unknown)
        print(f"tests.browser: error: no such page in {site}: {missing}", file=sys.stderr)
        return 2
    for path in screenshots(site, out_dir, only):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
