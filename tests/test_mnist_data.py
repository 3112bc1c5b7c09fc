"""tests.mnist_data creates the MNIST folder the tests read, from files or by downloading."""

from __future__ import annotations

from pathlib import Path

from cnnbook.mnist_files import MNIST_FILES
from tests.helpers import chinese_help_problem, command, help_text
from tests.mnist_data import main
from tests.outputs import MNIST_SOURCE


def test_from_the_four_files_with_md5sums(tmp_path: Path) -> None:
    result = command("tests.mnist_data", str(tmp_path / "mnist"), "--from", str(MNIST_SOURCE))
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in (tmp_path / "mnist").iterdir())
    assert written == sorted([*MNIST_FILES, "MD5SUMS"])
    assert (tmp_path / "mnist" / "MD5SUMS").read_text() == (MNIST_SOURCE / "MD5SUMS").read_text()


def test_a_corrupted_file_is_refused_in_one_line(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in MNIST_FILES:
        (source / name).write_bytes((MNIST_SOURCE / name).read_bytes())
    (source / "t10k-labels-idx1-ubyte.gz").write_bytes(b"not mnist")
    result = command("tests.mnist_data", str(tmp_path / "mnist"), "--from", str(source))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "md5 不符" in result.stderr
    assert not (tmp_path / "mnist").exists()


def test_without_network_the_download_fails_in_one_line(tmp_path: Path) -> None:
    result = command("tests.mnist_data", str(tmp_path / "mnist"), "--download")
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("tests.mnist_data: error: ")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_the_help_is_chinese() -> None:
    text = help_text(main)
    assert chinese_help_problem(text) is None, text
