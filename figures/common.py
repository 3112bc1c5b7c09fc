"""Shared pieces of the figure generators: paths, themes, drawing, GIF/PNG writing, the CLI.

Every figure on the site is written by a module of this package. A module defines

* ``OUTPUT_DIR`` (where its files go under ``docs/assets/figures``) and ``OUTPUTS``, the names
  of the files it writes there (for both themes);
* ``build(out_dir: Path, themes: list[str]) -> list[Path]``;
* ``main = figure_cli(build, OUTPUT_DIR, "…")``, so ``python -m figures.<name>`` works; "…"
  says in Chinese what the figure shows (its ``--help``).

Figures are drawn with matplotlib's own DejaVu Sans for Latin text and the committed subset of
Noto Sans CJK SC in ``figures/fonts/`` for Chinese (``make vendor-font`` refreshes it), and
written with fixed palettes, so the same pinned versions reproduce every file bit for bit (the
tests check this). Labels, titles and legends are Chinese; a character the font lacks is an
error, never a silent empty box.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import runpy
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
import torch
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from PIL import Image

from cnnbook.cli import OneLineParser, saved_line

REPO = Path(__file__).resolve().parent.parent
SNIPPETS_DIR = REPO / "snippets"
FIGURES_DIR = REPO / "docs" / "assets" / "figures"

CHINESE_FONT = Path(__file__).resolve().parent / "fonts" / "CnnBookSansSC-Regular.otf"
font_manager.fontManager.addfont(str(CHINESE_FONT))
# DejaVu Sans first: Latin text, digits and math look as they always did; Chinese characters
# fall back, glyph by glyph, to the book's font.
matplotlib.rcParams.update(
    {
        "font.family": ["DejaVu Sans", "CNN Book Sans SC"],
        "font.size": 12,
        "axes.unicode_minus": True,
    }
)
# matplotlib only warns when no font has a glyph, and draws an empty box: make that an error.
warnings.filterwarnings("error", message="Glyph .* missing from font")


@dataclass(frozen=True)
class Theme:
    """Colours for one of the site's two schemes (Material's ``default`` and ``slate``)."""

    name: str
    background: str
    text: str
    muted: str
    grid: str
    input: str
    kernel: str
    output: str
    window: str
    highlight: str
    series: tuple[str, ...]  # line colours for charts, in order


THEMES: dict[str, Theme] = {
    "light": Theme(
        name="light",
        background="#ffffff",
        text="#1f2328",
        muted="#57606a",
        grid="#8c959f",
        input="#dbeafe",
        kernel="#fde2e1",
        output="#dcfce7",
        window="#fef3c7",
        highlight="#d97706",
        series=("#0969da", "#cf222e", "#1a7f37", "#8250df", "#bc4c00", "#1b7c83"),
    ),
    "dark": Theme(
        name="dark",
        background="#1e2129",
        text="#e6edf3",
        muted="#9da7b3",
        grid="#6e7681",
        input="#1e3a5f",
        kernel="#5c1f24",
        output="#14532d",
        window="#5a4512",
        highlight="#f59e0b",
        series=("#58a6ff", "#ff7b72", "#3fb950", "#d2a8ff", "#ffa657", "#39c5cf"),
    ),
}


@contextlib.contextmanager
def torch_default_dtype(dtype: torch.dtype) -> Iterator[None]:
    """``torch.set_default_dtype(dtype)`` inside the block, restored afterwards: for figures
    that call functions of snippets written to run in float64 (as scripts they set it at the
    top; ``load_snippet`` restores the caller's default)."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


def load_snippet(relative_path: str) -> dict:
    """Run ``snippets/<relative_path>`` and return its globals, so a figure draws its numbers.

    A snippet is a script: it runs in a throw-away working directory (as the tests run it, so a
    file it writes never lands in the caller's directory), and process-wide torch settings it
    changes (the activation snippets switch the default dtype to float64) are restored.
    """
    default_dtype = torch.get_default_dtype()
    try:
        with (
            tempfile.TemporaryDirectory() as workdir,
            contextlib.chdir(workdir),
            contextlib.redirect_stdout(io.StringIO()),
        ):
            return runpy.run_path(str(SNIPPETS_DIR / relative_path))
    finally:
        torch.set_default_dtype(default_dtype)


def new_canvas(theme: Theme, size_px: tuple[int, int], limits: tuple[float, ...]) -> Axes:
    """A figure of exactly ``size_px`` pixels with one borderless axes in data units."""
    dpi = 100
    figure = Figure(figsize=(size_px[0] / dpi, size_px[1] / dpi), dpi=dpi)
    FigureCanvasAgg(figure)
    figure.patch.set_facecolor(theme.background)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(limits[0], limits[1])
    axes.set_ylim(limits[2], limits[3])
    axes.set_aspect("equal")
    axes.axis("off")
    return axes


def draw_grid(
    axes: Axes,
    values: np.ndarray,
    origin: tuple[float, float],
    theme: Theme,
    fill: str,
    fmt: str = "{:g}",
) -> None:
    """Draw a matrix as labelled cells; ``origin`` is the top-left corner, rows go down."""
    x0, y0 = origin
    for (row, col), value in np.ndenumerate(values):
        cell = Rectangle(
            (x0 + col, y0 - row - 1), 1, 1, facecolor=fill, edgecolor=theme.grid, linewidth=1
        )
        axes.add_artist(cell)  # limits are fixed by new_canvas; skips per-patch autoscaling
        if not np.isnan(value):
            axes.text(
                x0 + col + 0.5, y0 - row - 0.5, fmt.format(value),
                ha="center", va="center", color=theme.text,
            )  # fmt: skip


def outline(axes: Axes, corner: tuple[float, float], size: tuple[float, float], color: str) -> None:
    """A thick rectangle outline; ``corner`` is the top-left, ``size`` is (width, height)."""
    x0, y0 = corner
    axes.add_patch(
        Rectangle((x0, y0 - size[1]), size[0], size[1], fill=False, edgecolor=color, linewidth=3)
    )


@contextlib.contextmanager
def themed(theme: Theme) -> Iterator[None]:
    """matplotlib settings for ``theme``: draw a chart's artists (legend included) inside it."""
    settings = {
        "figure.facecolor": theme.background,
        "axes.facecolor": theme.background,
        "savefig.facecolor": theme.background,
        "axes.edgecolor": theme.grid,
        "axes.labelcolor": theme.text,
        "axes.titlecolor": theme.text,
        "text.color": theme.text,
        "xtick.color": theme.text,
        "ytick.color": theme.text,
        "grid.color": theme.grid,
        "grid.alpha": 0.35,
        "axes.grid": True,
        "legend.facecolor": theme.background,
        "legend.edgecolor": theme.grid,
        "legend.labelcolor": theme.text,
        "axes.prop_cycle": matplotlib.cycler(color=list(theme.series)),
        "svg.hashsalt": "cnn-book",
    }
    with matplotlib.rc_context(settings):
        yield


def new_chart(
    theme: Theme, size_px: tuple[int, int], rows: int = 1, cols: int = 1
) -> tuple[Figure, np.ndarray]:
    """A figure of exactly ``size_px`` pixels with a ``rows`` x ``cols`` array of chart axes.

    Call it inside ``with themed(theme):`` and keep drawing there.
    """
    dpi = 100
    figure = Figure(figsize=(size_px[0] / dpi, size_px[1] / dpi), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(rows, cols, squeeze=False)
    return figure, axes


def save_charts(
    out_dir: Path,
    stem: str,
    themes: Sequence[str],
    size_px: tuple[int, int],
    draw: Callable[..., None],
    *,
    rows: int = 1,
    cols: int = 1,
    rc: dict | None = None,
) -> list[Path]:
    """One chart per theme, ``<stem>-<theme>.png``, drawn by ``draw(axes, theme)`` inside
    ``themed(theme)`` and the extra matplotlib settings ``rc``. ``axes`` is the single
    ``Axes`` of a 1 x 1 chart, else the ``rows`` x ``cols`` array (``axes.flat[0].figure`` is
    the figure)."""
    written = []
    for name in themes:
        theme = THEMES[name]
        with themed(theme), matplotlib.rc_context(rc or {}):
            figure, axes = new_chart(theme, size_px, rows, cols)
            draw(axes[0, 0] if axes.size == 1 else axes, theme)
            written.append(save_png(render(figure), out_dir / f"{stem}-{name}.png"))
    return written


def render(axes_or_figure: Axes | Figure) -> Image.Image:
    """The drawn RGB image of a figure (or of the figure an axes belongs to)."""
    figure = axes_or_figure if isinstance(axes_or_figure, Figure) else axes_or_figure.figure
    figure.canvas.draw()
    return Image.fromarray(np.asarray(figure.canvas.buffer_rgba())[..., :3].copy())


def save_gif(frames: Sequence[Image.Image], path: Path, durations_ms: Sequence[int]) -> Path:
    """Write an endlessly looping GIF whose frames share one palette (deterministic)."""
    if len(frames) != len(durations_ms):
        raise ValueError("durations_ms 必须给每一帧一个时长")
    width, height = frames[0].size
    strip = Image.new("RGB", (width, height * len(frames)))
    for index, frame in enumerate(frames):
        strip.paste(frame, (0, height * index))
    palette = strip.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    indexed = [frame.quantize(palette=palette, dither=Image.Dither.NONE) for frame in frames]
    path.parent.mkdir(parents=True, exist_ok=True)
    indexed[0].save(
        path,
        save_all=True,
        append_images=indexed[1:],
        duration=list(durations_ms),
        loop=0,
        optimize=False,
    )
    return path


def save_png(image: Image.Image, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, optimize=False)
    return path


def parse_themes(value: str) -> list[str]:
    if value == "both":
        return list(THEMES)
    if value not in THEMES:
        choices = ", ".join([*THEMES, "both"])
        raise argparse.ArgumentTypeError(f"无效的主题 {value!r}（可选：{choices}）")
    return [value]


def figure_cli(
    build: Callable[[Path, list[str]], list[Path]], default_dir: Path, description: str
) -> Callable[[Sequence[str] | None], int]:
    """The command line shared by every generator: ``[--out-dir DIR] [--theme light|dark|both]``;
    ``description`` is what ``--help`` says the figure shows, in Chinese."""

    def main(argv: Sequence[str] | None = None) -> int:
        prog = Path(sys.argv[0]).stem
        parser = OneLineParser(prog=prog, description=description)
        where = default_dir.relative_to(REPO) if default_dir.is_relative_to(REPO) else default_dir
        parser.add_argument("--out-dir", type=Path, default=default_dir, metavar="DIR",
                            help=f"输出目录（默认 {where}）")  # fmt: skip
        parser.add_argument("--theme", type=parse_themes, default="both",
                            help="light、dark 或 both（默认）")  # fmt: skip
        args = parser.parse_args(argv)
        themes = args.theme if isinstance(args.theme, list) else parse_themes(args.theme)
        if args.out_dir.exists() and not args.out_dir.is_dir():
            parser.error(f"参数 --out-dir：{args.out_dir} 已存在，但不是目录")
        try:
            for path in build(args.out_dir, themes):
                print(saved_line(path))
        except (OSError, ValueError) as error:
            parser.exit(1, f"{prog}: error: {error}\n")
        return 0

    return main


def draw_band(chart: Axes, x: Sequence[float], stats: Sequence[dict], **style) -> None:
    """A result measured over several seeds: the mean as a line (``style`` passed to ``plot``)
    and the range from the smallest to the largest seed's value shaded in the line's colour.
    ``stats``: dicts with ``mean``, ``min`` and ``max`` (``cnnbook.compression.stats.spread``)."""
    (line,) = chart.plot(x, [s["mean"] for s in stats], **style)
    lows, highs = [s["min"] for s in stats], [s["max"] for s in stats]
    chart.fill_between(x, lows, highs, color=line.get_color(), alpha=0.22, linewidth=0)
