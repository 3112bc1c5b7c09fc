"""Chart: what the layers of a small CNN trained on MNIST respond to (chapter 1, 特征层级).

Top row: the 16 first-layer kernels. Then, for each of the three convolutional layers, the
input patches (each unit's receptive field: 5×5, 10×10, 20×20 pixels) that excite six of its
channels most, four per channel: edges, then strokes, then most of a digit.

A trained network differs slightly between machines, but a figure must regenerate bit for bit,
so the numbers are read from one stored run, ``snippets/overview/runs/feature_hierarchy.json``.
That file is what ``snippets/overview/feature_hierarchy.py`` writes; ``--retrain`` runs the
snippet again (MNIST from ``$CNN_BOOK_DATA`` or ``data/``, nothing is downloaded) and stores
its file there (``make runs``). The tests check the stored run against the snippet's output.
"""

from __future__ import annotations

import json
import runpy
import shutil
import sys
import tempfile
from collections.abc import Sequence
from contextlib import chdir, redirect_stdout
from io import StringIO
from pathlib import Path

import matplotlib
import numpy as np

from cnnbook.cli import saved_line
from cnnbook.mnist_files import check_data_dir, default_data_root
from figures.common import FIGURES_DIR, REPO, THEMES, Theme, figure_cli, render, save_png, themed

OUTPUT_DIR = FIGURES_DIR / "overview"
STEM = "feature-hierarchy"
OUTPUTS = [f"{STEM}-{theme}.png" for theme in THEMES]
SNIPPET = REPO / "snippets" / "overview" / "feature_hierarchy.py"
RUN_FILE = REPO / "snippets" / "overview" / "runs" / "feature_hierarchy.json"
SIZE_PX = (1000, 760)
GAP = 0.35  # space between blocks, in patch widths
CHANNELS_SHOWN, PATCHES_SHOWN = 6, 4


def load_run(path: Path = RUN_FILE) -> dict:
    if not path.is_file():
        raise ValueError(f"缺少 {path}：先运行 python -m figures.feature_hierarchy --retrain")
    return json.loads(path.read_text(encoding="utf-8"))


def mosaic(blocks: Sequence[np.ndarray], columns: int, gap: int | None = None) -> np.ndarray:
    """Square blocks of one size, ``columns`` to a row, NaN (drawn as background) between."""
    side = blocks[0].shape[0]
    gap = max(1, round(GAP * side)) if gap is None else gap
    rows = -(-len(blocks) // columns)
    canvas = np.full((rows * (side + gap) - gap, columns * (side + gap) - gap), np.nan)
    for index, block in enumerate(blocks):
        top, left = divmod(index, columns)
        canvas[top * (side + gap) : top * (side + gap) + side,
               left * (side + gap) : left * (side + gap) + side] = block  # fmt: skip
    return canvas


def channel_block(patches: list) -> np.ndarray:
    """The four strongest patches of one channel as a 2×2 block (pixel values 0..255), one
    background pixel apart."""
    return mosaic([np.array(p, dtype=float) for p in patches[:PATCHES_SHOWN]], 2, gap=1)


def panels(run: dict) -> list[tuple[str, np.ndarray, str]]:
    """(title, image, colour map) of each row, top to bottom: exactly what is drawn."""
    kernels = [np.array(k) for k in run["conv1_kernels"]]
    title = f"第 1 层的 {len(kernels)} 个卷积核（红为正、蓝为负）"
    rows = [(title, mosaic(kernels, len(kernels)), "RdBu_r")]
    for layer, (side, purity, patches) in enumerate(
        zip(run["receptive_field"], run["purity"], run["patches"], strict=True), start=1
    ):
        blocks = [channel_block(p) for p in patches[:CHANNELS_SHOWN]]
        title = (
            f"第 {layer} 层：感受野 {side}×{side}；每个方块是一个通道"
            f"响应最强的 {PATCHES_SHOWN} 个输入块（类别纯度 {purity:.2f}）"
        )
        rows.append((title, mosaic(blocks, CHANNELS_SHOWN), "gray"))
    return rows


def draw(theme: Theme, run: dict) -> object:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(SIZE_PX[0] / 100, SIZE_PX[1] / 100), dpi=100)
    FigureCanvasAgg(figure)
    figure.patch.set_facecolor(theme.background)
    heights = [0.10, 0.20, 0.20, 0.20]  # fractions of the figure height
    top = 0.95
    for (title, image, cmap), height in zip(panels(run), heights, strict=True):
        figure.text(0.02, top, title, color=theme.text, fontsize=13, va="top")
        axes = figure.add_axes((0.02, top - 0.035 - height, 0.96, height))
        colours = matplotlib.colormaps[cmap].copy()
        colours.set_bad(theme.background)
        if cmap == "gray":
            limits = {"vmin": 0, "vmax": 255}
        else:
            extent = float(np.nanmax(np.abs(image)))
            limits = {"vmin": -extent, "vmax": extent}
        axes.imshow(np.ma.masked_invalid(image), cmap=colours, interpolation="nearest", **limits)
        axes.set_axis_off()
        top -= height + 0.07
    return render(figure)


def build(out_dir: Path, themes: list[str]) -> list[Path]:
    run = load_run()
    written = []
    for name in themes:
        theme = THEMES[name]
        with themed(theme), matplotlib.rc_context({"axes.grid": False}):
            written.append(save_png(draw(theme, run), out_dir / f"{STEM}-{name}.png"))
    return written


def retrain(out: Path = RUN_FILE) -> Path:
    """Run the snippet as a reader would (its MNIST("data") is the data directory) and store the
    run it writes."""
    root = default_data_root().resolve()
    check_data_dir(root)
    with tempfile.TemporaryDirectory() as workdir, chdir(workdir):
        Path("data").symlink_to(root, target_is_directory=True)
        with redirect_stdout(StringIO()):
            runpy.run_path(str(SNIPPET), run_name="__main__")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile("feature_hierarchy.json", out)
    return out


figure_main = figure_cli(
    build,
    OUTPUT_DIR,
    "第 1 章：在 MNIST 上训练的小 CNN 各层对什么有响应（特征层级）；"
    "加 --retrain 则重新训练并存档。",
)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments == ["--retrain"]:
        print(saved_line(retrain()))
        return 0
    return figure_main(arguments)


if __name__ == "__main__":
    sys.exit(main())
