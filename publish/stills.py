"""Print stills of the book's animated GIFs: paper cannot animate, and Chromium prints frame 0.

A still is a 2 × 2 sheet of four key frames, evenly spaced from the first to the last, so that a
reader of the PDF sees how the animation starts, proceeds and ends (the last frame usually holds
the finished result). Frames are kept at full resolution; the sheet is scaled to the text width.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageSequence

STILL_SUFFIX = "-print.png"
KEY_FRAMES = 4
COLUMNS = 2
GAP_PX = 24  # between frames, in the frame's background colour


def key_frame_indices(frame_count: int, wanted: int = KEY_FRAMES) -> list[int]:
    """``wanted`` frame indices evenly spaced from the first to the last frame (all if fewer)."""
    if frame_count < 1:
        raise ValueError(f"frame_count must be at least 1, got {frame_count}")
    if frame_count <= wanted:
        return list(range(frame_count))
    return [round(k * (frame_count - 1) / (wanted - 1)) for k in range(wanted)]


def key_frames(gif: Path) -> list[Image.Image]:
    with Image.open(gif) as animation:
        frames = [frame.convert("RGB") for frame in ImageSequence.Iterator(animation)]
    return [frames[index] for index in key_frame_indices(len(frames))]


def sheet(frames: list[Image.Image], columns: int = COLUMNS) -> Image.Image:
    """The frames left to right, top to bottom, on the first frame's background colour."""
    width, height = frames[0].size
    columns = min(columns, len(frames))
    rows = -(-len(frames) // columns)
    background = frames[0].getpixel((0, 0))
    canvas = Image.new(
        "RGB",
        (columns * width + (columns - 1) * GAP_PX, rows * height + (rows - 1) * GAP_PX),
        background,
    )
    for position, frame in enumerate(frames):
        row, column = divmod(position, columns)
        canvas.paste(frame, (column * (width + GAP_PX), row * (height + GAP_PX)))
    return canvas


def write_still(gif: Path, target: Path) -> Path:
    sheet(key_frames(gif)).save(target, optimize=True)
    return target
