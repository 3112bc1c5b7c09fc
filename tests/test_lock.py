"""Pins: constraints.txt pins the whole environment and agrees with pyproject.toml."""

from __future__ import annotations

import re
import tomllib

from tests.lock import constraints, installed
from tests.paths import REPO

PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)$")
CONSTRAINTS = (REPO / "constraints.txt").read_text(encoding="utf-8")


def pinned(text: str) -> dict[str, str]:
    return {m["name"]: m["version"] for line in text.splitlines() if (m := PIN.match(line))}


def direct_pins() -> dict[str, str]:
    groups = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    pins = {}
    for group in groups["dependency-groups"].values():
        for item in group:
            if isinstance(item, str):
                name, version = item.split("==")
                pins[name.lower().replace("_", "-")] = version
    return pins


def test_this_environment_is_the_locked_one() -> None:
    assert constraints() == CONSTRAINTS, "the environment differs from constraints.txt: make lock"


def test_every_direct_pin_is_locked_at_the_same_version() -> None:
    locked = pinned(CONSTRAINTS)
    assert {name: locked.get(name) for name in direct_pins()} == direct_pins()


def test_the_lock_covers_markdown_and_nbconvert() -> None:
    # the hooks subclass Markdown internals and parse nbconvert's HTML
    assert {"markdown", "nbconvert", "jinja2", "pymdown-extensions"} <= set(pinned(CONSTRAINTS))
    assert installed()["markdown"] == pinned(CONSTRAINTS)["markdown"]
