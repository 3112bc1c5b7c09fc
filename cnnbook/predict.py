"""Predict digits in image files: ``python -m cnnbook.predict IMAGE [...] --checkpoint PATH``.

Each image (PNG, JPEG, … of any size and colour) is converted like MNIST (``cnnbook.digits``:
grayscale, inverted if the background is light, cropped to the digit, longer side scaled to 20
pixels, centred by centre of mass in 28×28), normalised, and classified by the LeNet in the
checkpoint. One line per image: ``IMAGE: DIGIT（概率 P）``; ``--top K`` lists the K most
likely digits. Any bad input (missing or unreadable image or checkpoint, a checkpoint of
another model) is one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from cnnbook.checkpoint import check_checkpoint_file, load_checkpoint
from cnnbook.cli import OneLineParser, run_command
from cnnbook.digits import model_input, read_image, to_mnist_array
from cnnbook.errors import CnnBookError

if TYPE_CHECKING:  # imported in body(), after the cheap checks: bad input is reported at once
    import torch
    from torch import nn


def digit_probabilities(model: nn.Module, digits: torch.Tensor) -> torch.Tensor:
    """Softmax probabilities (N, 10) for a batch of (N, 28, 28) digits in [0, 1]."""
    import torch

    model.eval()
    with torch.inference_mode():
        inputs = torch.cat([model_input(digit) for digit in digits])
        return torch.softmax(model(inputs), dim=1)


def read_digit(path: str | Path) -> np.ndarray:
    """One image file converted like MNIST: (28, 28) float32 in [0, 1]; an error names the file."""
    try:
        return to_mnist_array(read_image(path))
    except CnnBookError as error:
        message = str(error)
        raise CnnBookError(message if str(path) in message else f"图片 {path}：{message}") from None


def read_digits(paths: Sequence[str | Path]) -> np.ndarray:
    """Every image file converted like MNIST: (N, 28, 28) float32 in [0, 1]."""
    return np.stack([read_digit(path) for path in paths])


def describe(path: str, probabilities: torch.Tensor, top: int) -> str:
    values, digits = probabilities.topk(top)
    best = f"{path}: {int(digits[0])}（概率 {float(values[0]):.3f}）"
    if top == 1:
        return best
    others = "，".join(f"{int(d)}: {float(v):.3f}" for d, v in zip(digits, values, strict=True))
    return f"{best}  前 {top} 名：{others}"


def top_count(text: str) -> int:
    value = int(text) if text.isdigit() else 0
    if not 1 <= value <= 10:
        raise argparse.ArgumentTypeError(f"必须是 1 到 10 之间的整数，得到 {text!r}")
    return value


def parser() -> OneLineParser:
    command = OneLineParser(
        prog="cnnbook.predict",
        description="用训练好的 LeNet 识别图片里的数字：每张图打印一行，写出预测的数字和它的概率。",
    )
    add = command.add_argument
    add("images", nargs="+", metavar="IMAGE", help="图片文件（PNG、JPEG 等）")
    add("--checkpoint", required=True, type=Path, metavar="FILE", help="LeNet 的 state_dict 文件")
    add("--top", type=top_count, default=1, metavar="K", help="同时列出可能性最大的 K 个数字")
    return command


def body(args: argparse.Namespace) -> int:
    digits = read_digits(args.images)  # every image is checked before PyTorch is loaded
    check_checkpoint_file(args.checkpoint)
    import torch

    model = load_checkpoint(args.checkpoint)
    probabilities = digit_probabilities(model, torch.from_numpy(digits))
    for path, row in zip(args.images, probabilities, strict=True):
        print(describe(path, row, args.top))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_command("cnnbook.predict", body, parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
