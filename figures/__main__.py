"""Regenerate every figure of the book: ``python -m figures`` (what ``make figures`` runs)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from types import ModuleType

import figures
from figures.common import OneLineParser

NOT_GENERATORS = {"common", "vendor_font"}


def generators() -> list[ModuleType]:
    names = sorted(
        info.name
        for info in pkgutil.iter_modules(figures.__path__)
        if not info.name.startswith("_") and info.name not in NOT_GENERATORS
    )
    return [importlib.import_module(f"figures.{name}") for name in names]


def main() -> int:
    OneLineParser(prog="figures", description=__doc__).parse_args()  # rejects stray arguments
    for module in generators():
        for path in module.build(module.OUTPUT_DIR, ["light", "dark"]):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
