"""Where things are in the repository, for every test module."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
SNIPPETS = REPO / "snippets"
EXAMPLES = REPO / "examples"
FIGURES = DOCS / "assets" / "figures"
ABBREVIATIONS = REPO / "includes" / "abbreviations.md"
SHARED = REPO.parent / "shared"  # read-only material beside the clone (tests and CI only)
