"""What the commands share: argparse that fails in one line, and errors printed in one line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from cnnbook.errors import CnnBookError


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad argument prints one line (no usage block) and exits with 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def run_command(
    prog: str, body: Callable[[argparse.Namespace], int], parser: argparse.ArgumentParser,
    argv: Sequence[str] | None,
) -> int:  # fmt: skip
    """Parse ``argv`` and run ``body``; ``CnnBookError`` or ``OSError`` → one line, exit 1."""
    args = parser.parse_args(argv)
    try:
        return body(args)
    except (CnnBookError, OSError) as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        print(f"{prog}: error: {message}", file=sys.stderr)
        return 1
