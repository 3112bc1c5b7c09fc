"""Regenerate every figure of the book: ``python -m figures`` (what ``make figures`` runs)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from types import ModuleType

import figures
from figures.common import OneLineParser, saved_line

NOT_GENERATORS = {"common", "vendor_font"}


def generators() -> list[ModuleType]:
    names = sorted(
        info.name
        for info in pkgutil.iter_modules(figures.__path__)
        if not info.name.startswith("_") and info.name not in NOT_GENERATORS
    )
    return [importlib.import_module(f"figures.{name}") for name in names]


def main() -> int:
    description = "重新生成书中的每一幅图（make figures），浅色与深色两个版本。"
    OneLineParser(prog="figures", description=description).parse_args()  # rejects stray arguments
    for module in generators():
        for path in module.build(module.OUTPUT_DIR, ["light", "dark"]):
            print(saved_line(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
