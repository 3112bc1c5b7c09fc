"""The exception every ``cnnbook`` function raises for bad input, and commands print in one line."""

from __future__ import annotations


class CnnBookError(ValueError):
    """Bad input from the user: a missing or unreadable file, a wrong directory, a bad argument.

    It is a ``ValueError`` whose message names the bad argument and says what to do; the
    commands print it as one line (``prog: error: …``) and exit with status 1, no traceback.
    """
