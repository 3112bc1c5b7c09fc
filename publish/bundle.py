"""``make bundle``: every chapter's code in one zip, to run offline without the site or the repo.

Usage: ``python -m publish.bundle [OUTPUT]`` (default ``build/cnn-basics-code.zip``).

Layout (``NN`` is the chapter's number on the home page, ``folder`` its folder under snippets/)::

    cnn-basics-code/
        README.md            one line: how to run the code
        requirements.txt     the runtime pins of pyproject.toml's ``runtime`` group
        NN-folder/
            README.md        one line: the chapter's title, and the data it downloads
            *.py, *.out      the chapter's snippets and their stored outputs
            *.ipynb          the chapter's notebooks

Snippets are self-contained (the tests run each in an empty directory with ``python -I``), so a
chapter folder needs nothing else. The zip is byte-reproducible: sorted entries, fixed dates.
"""

from __future__ import annotations

import sys
import tomllib
import zipfile
from pathlib import Path

from publish.chapters import REPO, Chapter, chapters

ROOT = "cnn-basics-code"
DEFAULT_OUTPUT = REPO / "build" / f"{ROOT}.zip"
FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can store: reproducible bytes
READS_MNIST = "datasets.MNIST("  # the reader's own download=True path

README = (
    "《CNN 基础》各章的代码：先 `pip install -r requirements.txt`，再进入某一章的文件夹运行 "
    "`python 文件名.py`，打印的内容就是同名 `.out` 文件（计时与训练的数字会略有出入）；"
    "`.ipynb` 用 Jupyter 打开。\n"
)


def runtime_requirements(repo: Path = REPO) -> list[str]:
    """The pins of pyproject.toml's ``runtime`` dependency group, in its order."""
    with (repo / "pyproject.toml").open("rb") as file:
        groups = tomllib.load(file)["dependency-groups"]
    pins = [item for item in groups["runtime"] if isinstance(item, str)]
    if not pins:
        raise ValueError("pyproject.toml: the runtime dependency group has no pins")
    return pins


def chapter_files(chapter: Chapter, repo: Path = REPO) -> list[Path]:
    """The chapter's snippets with their outputs, then its notebooks."""
    folder = repo / "snippets" / chapter.snippet_folder
    snippets = sorted(path for path in folder.iterdir() if path.suffix in {".py", ".out"})
    return snippets + [repo / notebook for notebook in chapter.notebooks]


def chapter_readme(chapter: Chapter, files: list[Path]) -> str:
    line = f"第 {chapter.number} 章 {chapter.title}。"
    line += f"这里是书中 snippets/{chapter.snippet_folder}/ 的代码与输出"
    notebooks = "、".join(Path(notebook).name for notebook in chapter.notebooks)
    if notebooks:
        line += f"，以及 Notebook {notebooks}"
    if any(READS_MNIST in path.read_text(encoding="utf-8") for path in files):
        line += "；读取 MNIST 的代码第一次运行时会把数据集下载到当前目录的 data/"
    return line + "\n"


def bundle_entries(repo: Path = REPO) -> dict[str, bytes]:
    """Archive name → content of every file in the bundle."""
    requirements = "".join(f"{pin}\n" for pin in runtime_requirements(repo))
    entries = {
        f"{ROOT}/README.md": README.encode(),
        f"{ROOT}/requirements.txt": requirements.encode(),
    }
    for chapter in chapters(repo):
        files = chapter_files(chapter, repo)
        folder = f"{ROOT}/{chapter.bundle_name}"
        entries[f"{folder}/README.md"] = chapter_readme(chapter, files).encode()
        for path in files:
            entries[f"{folder}/{path.name}"] = path.read_bytes()
    return entries


def write_bundle(output: Path, repo: Path = REPO) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(bundle_entries(repo).items()):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return output


def main(argv: list[str]) -> int:
    if len(argv) > 1 or (argv and not argv[0].endswith(".zip")):
        usage = "用法：python -m publish.bundle [输出文件.zip]"
        print(f"publish.bundle: error: {usage}", file=sys.stderr)
        return 2
    try:
        print(write_bundle(Path(argv[0]) if argv else DEFAULT_OUTPUT))
    except (ValueError, OSError) as error:
        print(f"publish.bundle: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
