"""Export a trained LeNet for the page's in-browser demo: ``python -m cnnbook.export_web``.

Without ``--checkpoint`` it first trains the chapter's fast recipe (seed 0, like
``python -m cnnbook.train``); with it, it exports that state_dict. It writes one small binary
file (``--out``, default ``docs/assets/models/lenet.bin``) that ``lenet.js`` reads in the browser:
the float32 weights and, for the page's picker, the first two MNIST test digits of each class.

Layout, little-endian::

    8 bytes   b"CNNLENET"
    uint32    n, the length of the JSON header in bytes
    n bytes   JSON: {"format", "tensors": [{"name", "shape", "offset"}], "samples":
              {"indices", "labels", "offset"}, "mean", "std", "source"}
    padding   zero bytes up to a multiple of 4
    float32   every tensor in the header's order; "offset" counts bytes from the data start
    uint8     the sample digits, 28 × 28 each, row by row, from the samples' "offset"

Bad input is one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cnnbook.checkpoint import check_checkpoint_file
from cnnbook.cli import OneLineParser, positive_int, run_command, saved_line, seed_value
from cnnbook.errors import CnnBookError
from cnnbook.mnist_files import IMAGE_SIZE, MNIST_MEAN, MNIST_STD, NUM_CLASSES, check_data_dir

if TYPE_CHECKING:  # imported in body(), after the cheap checks
    import numpy as np
    import torch

MAGIC = b"CNNLENET"
FORMAT = 1
DEFAULT_OUT = Path("docs/assets/models/lenet.bin")
SAMPLES_PER_DIGIT = 2


@dataclass(frozen=True)
class WebExport:
    """What the file holds: the state_dict, the sample digits (uint8) and where they come from."""

    state: dict[str, torch.Tensor]
    sample_indices: list[int]
    sample_labels: list[int]
    sample_pixels: np.ndarray  # (n, 28, 28) uint8
    source: str


def first_of_each_digit(labels: torch.Tensor, per_digit: int = SAMPLES_PER_DIGIT) -> list[int]:
    """Indices of the first ``per_digit`` images of every class, in class order."""
    return [
        index
        for digit in range(NUM_CLASSES)
        for index in (labels == digit).nonzero().flatten()[:per_digit].tolist()
    ]


def encode(export: WebExport) -> bytes:
    """The file's bytes (see the module docstring)."""
    import numpy as np

    tensors, blobs, offset = [], [], 0
    for name, tensor in export.state.items():
        data = tensor.detach().cpu().contiguous().numpy().astype("<f4").tobytes()
        tensors.append({"name": name, "shape": list(tensor.shape), "offset": offset})
        blobs.append(data)
        offset += len(data)
    pixels = np.ascontiguousarray(export.sample_pixels, dtype=np.uint8)
    header = {
        "format": FORMAT,
        "tensors": tensors,
        "samples": {
            "indices": export.sample_indices,
            "labels": export.sample_labels,
            "offset": offset,
        },
        "mean": MNIST_MEAN,
        "std": MNIST_STD,
        "source": export.source,
    }
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    start = len(MAGIC) + 4 + len(text)
    padding = b"\0" * (-start % 4)
    weights = b"".join(blobs)
    return MAGIC + struct.pack("<I", len(text)) + text + padding + weights + pixels.tobytes()


def decode(data: bytes) -> WebExport:
    """Read the file back; ``CnnBookError`` if it is not one."""
    import numpy as np
    import torch

    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 4:
        raise CnnBookError(f"不是 LeNet 网页导出文件（开头不是 {MAGIC.decode()}）")
    (length,) = struct.unpack_from("<I", data, len(MAGIC))
    header_end = len(MAGIC) + 4 + length
    try:
        header = json.loads(data[len(MAGIC) + 4 : header_end].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CnnBookError("LeNet 网页导出文件的文件头不是 JSON") from None
    if header.get("format") != FORMAT:
        found = header.get("format")
        raise CnnBookError(f"LeNet 网页导出文件的格式版本是 {found!r}，应为 {FORMAT}")
    start = header_end + (-header_end % 4)
    state = {}
    for entry in header["tensors"]:
        count = int(np.prod(entry["shape"]))
        values = np.frombuffer(data, dtype="<f4", count=count, offset=start + entry["offset"])
        state[entry["name"]] = torch.from_numpy(values.astype(np.float32)).reshape(entry["shape"])
    samples = header["samples"]
    pixels = np.frombuffer(data, dtype=np.uint8, offset=start + samples["offset"])
    pixels = pixels.reshape(len(samples["indices"]), IMAGE_SIZE, IMAGE_SIZE).copy()
    return WebExport(state, samples["indices"], samples["labels"], pixels, header["source"])


def read_export(path: str | Path) -> WebExport:
    path = Path(path)
    if not path.is_file():
        raise CnnBookError(f"LeNet 网页导出文件 {path} 不存在")
    return decode(path.read_bytes())


def parser() -> OneLineParser:
    command = OneLineParser(
        prog="cnnbook.export_web",
        description="为页面上的浏览器演示导出 LeNet："
        f"权重与每个数字的前 {SAMPLES_PER_DIGIT} 张测试图写进一个二进制文件。",
    )
    add = command.add_argument
    add("--checkpoint", type=Path, metavar="FILE", help="导出这个 state_dict（默认现场训练）")
    add("--out", type=Path, default=DEFAULT_OUT, metavar="FILE",
        help=f"输出文件（默认 {DEFAULT_OUT}）")  # fmt: skip
    add("--data", type=Path, metavar="DIR", help="数据目录（默认 $CNN_BOOK_DATA 或 data）")
    add("--no-download", action="store_true", help="绝不联网下载")
    add("--seed", type=seed_value, default=0, help="训练的随机种子（默认 0）")
    add("--threads", type=positive_int, metavar="N", help="训练时 torch.set_num_threads(N)")
    return command


def body(args: argparse.Namespace) -> int:
    from cnnbook.mnist_files import archives_to_unpack, default_data_root

    if args.out.is_dir():
        raise CnnBookError(f"--out {args.out} 是一个目录")
    root = args.data or default_data_root()
    check_data_dir(root)
    if args.no_download:
        archives_to_unpack(root)
    if args.checkpoint is not None:
        check_checkpoint_file(args.checkpoint)
    import torch

    from cnnbook.checkpoint import load_checkpoint
    from cnnbook.data import mnist_dataset
    from cnnbook.training import FAST, train

    if args.checkpoint is not None:
        model = load_checkpoint(args.checkpoint)
        source = f"checkpoint {args.checkpoint.name}"
    else:
        if args.threads:
            torch.set_num_threads(args.threads)
        run = train(FAST, root=root, seed=args.seed, download=not args.no_download)
        model = run.model.cpu()
        version = torch.__version__.split("+")[0]
        source = f"python -m cnnbook.train --recipe fast --seed {args.seed} (torch {version})"
        print(f"已按快速配方训练（种子 {args.seed}）：测试准确率 {run.test_accuracy:.2f}%")
    test_set = mnist_dataset(root, train=False, download=not args.no_download)
    indices = first_of_each_digit(test_set.targets)
    export = WebExport(
        state={name: tensor.float() for name, tensor in model.state_dict().items()},
        sample_indices=indices,
        sample_labels=[int(test_set.targets[i]) for i in indices],
        sample_pixels=test_set.data[indices].numpy(),
        source=source,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(encode(export))
    print(saved_line(args.out))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_command("cnnbook.export_web", body, parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
