"""What each change of the fast recipe is worth, measured over several seeds (chapter 9).

The fast recipe differs from the textbook one in several ways (see ``cnnbook.training``). Three
of them only change *how* the same numbers are computed — the input pipeline (bit-identical
inputs), ``channels_last`` and the evaluation batch size (the order of float additions) — so
they cannot change the accuracy beyond float rounding and are timed, not trained, here
(``benchmarks/lenet_recipes.py``). Every other change is reverted one at a time, and each
variant is trained with several seeds (the seed fixes the initial weights and the batch order).
Every run chooses its best epoch on the 5,000 validation images and reads the test set once,
for that epoch only.

``python -m cnnbook.ablation`` writes every run to ``snippets/lenet/runs/ablation.json`` and the
table the page includes to ``ablation.md`` beside it (``make runs``). ``--quick`` (2 seeds, one
epoch on 2,000 images) only checks that it all works. It trains on one intra-op thread by
default, like the stored results.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from cnnbook.cli import OneLineParser, positive_int, run_command, saved_line
from cnnbook.data import VALIDATION_SIZE
from cnnbook.errors import CnnBookError
from cnnbook.mnist_files import archives_to_unpack, check_data_dir, default_data_root
from cnnbook.training import FAST, TEXTBOOK, Recipe

REPO = Path(__file__).resolve().parent.parent
RUNS_DIR = REPO / "snippets" / "lenet" / "runs"  # where make runs stores the results
RESULTS_FILE, TABLE_FILE = "ablation.json", "ablation.md"
QUICK_SAMPLES = 2_000


@dataclass(frozen=True)
class Variant:
    """One row of the ablation: a recipe, the seeds it is trained with, its label on the page."""

    key: str
    label: str
    recipe: Recipe
    seeds: tuple[int, ...]


VARIANTS = (
    Variant("fast", "快速配方", FAST, tuple(range(10))),
    Variant("no_label_smoothing", "去掉标签平滑（$\\varepsilon = 0$）",
            replace(FAST, label_smoothing=0.0), tuple(range(5))),
    Variant("constant_lr", "学习率恒为 0.01（不用 one-cycle）",
            replace(FAST, schedule="constant"), tuple(range(5))),
    Variant("sgd", "SGD、动量 0.5（代替 Adam）",
            replace(FAST, optimizer="sgd", momentum=0.5, cycle_momentum=False), tuple(range(5))),
    Variant("batch_64", "批大小 64（代替 128）", replace(FAST, batch_size=64), tuple(range(5))),
    Variant("five_epochs", "训练 5 轮（代替 2 轮）", replace(FAST, epochs=5), tuple(range(5))),
    Variant("textbook", "教科书配方", TEXTBOOK, tuple(range(5))),
)  # fmt: skip
VARIANT_KEYS = tuple(variant.key for variant in VARIANTS)


def run_variant(
    variant: Variant, root: Path, *, download: bool, quick: bool, log=print
) -> list[dict]:
    """Train ``variant`` once per seed; one record per run."""
    from cnnbook.training import train

    seeds = variant.seeds[:2] if quick else variant.seeds
    records = []
    for seed in seeds:
        run = train(variant.recipe, root=root, seed=seed, download=download,
                    epochs=1 if quick else None,
                    train_samples=QUICK_SAMPLES if quick else None)  # fmt: skip
        records.append({
            "seed": seed,
            "validation": [round(r.validation_accuracy, 2) for r in run.history],
            "best_epoch": run.best_epoch,
            "test_accuracy": round(run.test_accuracy, 2),
            "final_train_loss": round(run.history[-1].train_loss, 4),
            "final_train_accuracy": round(run.history[-1].train_accuracy, 2),
            "seconds": round(run.seconds, 1),
        })  # fmt: skip
        log(f"{variant.key} 种子 {seed}：验证 {run.best_validation_accuracy:.2f}%，"
            f"测试 {run.test_accuracy:.2f}%（{run.seconds:.0f} s）")  # fmt: skip
    return records


def best_validation(record: dict) -> float:
    return record["validation"][record["best_epoch"] - 1]


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (n - 1 in the denominator; 0 for one value)."""
    mean = statistics.fmean(values)
    return mean, statistics.stdev(values) if len(values) > 1 else 0.0


def summarize(runs: list[dict], reference: list[dict] | None) -> dict:
    """Mean ± SD of the best validation and the test accuracy, the lowest test accuracy, and
    the test difference to ``reference`` over the seeds both share (paired: same seed, same
    initial weights)."""
    validation, test = mean_sd([best_validation(r) for r in runs]), mean_sd(
        [r["test_accuracy"] for r in runs]
    )
    summary = {
        "runs": len(runs),
        "validation_mean": round(validation[0], 3),
        "validation_sd": round(validation[1], 3),
        "test_mean": round(test[0], 3),
        "test_sd": round(test[1], 3),
        "test_min": min(r["test_accuracy"] for r in runs),
        "test_max": max(r["test_accuracy"] for r in runs),
        "test_minus_validation_mean": round(
            statistics.fmean(r["test_accuracy"] - best_validation(r) for r in runs), 3
        ),
    }
    if reference is not None:
        theirs = {r["seed"]: r["test_accuracy"] for r in reference}
        gaps = [r["test_accuracy"] - theirs[r["seed"]] for r in runs if r["seed"] in theirs]
        if gaps:
            gap = mean_sd(gaps)
            summary |= {"paired_seeds": len(gaps), "test_difference_mean": round(gap[0], 3),
                        "test_difference_sd": round(gap[1], 3)}  # fmt: skip
    return summary


def summaries(results: dict) -> dict[str, dict]:
    runs = results["runs"]
    return {key: summarize(runs[key], None if key == "fast" else runs.get("fast"))
            for key in VARIANT_KEYS if key in runs}  # fmt: skip


def signed(value: float) -> str:
    """``+0.20``, ``-0.63``; a difference that rounds to zero is ``0.00``, without a sign."""
    text = f"{value:+.2f}"
    return "0.00" if text in ("+0.00", "-0.00") else text


def table(results: dict) -> str:
    """The Markdown table the page includes (mean ± sample SD over the seeds, in %; the ±
    joined by no-break spaces so that a narrow column never splits a value)."""
    plus_minus = "\u00a0±\u00a0"
    lines = [
        "| 配方 | 种子数 | 验证准确率（最好一轮，%） | 测试准确率（%） "
        "| 测试准确率之差（同种子配对） |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    labels = {variant.key: variant for variant in VARIANTS}
    for key, summary in results["summary"].items():
        difference = "—"
        if "test_difference_mean" in summary:
            difference = (f"{signed(summary['test_difference_mean'])}{plus_minus}"
                          f"{summary['test_difference_sd']:.2f}")  # fmt: skip
        lines.append(
            f"| {labels[key].label} | {summary['runs']} "
            f"| {summary['validation_mean']:.2f}{plus_minus}{summary['validation_sd']:.2f} "
            f"| {summary['test_mean']:.2f}{plus_minus}{summary['test_sd']:.2f} | {difference} |"
        )
    return "\n".join(lines) + "\n"


def machine() -> dict:
    import torch

    return {"isa": torch.backends.cpu.get_cpu_capability(), "threads": torch.get_num_threads(),
            "torch": torch.__version__.split("+")[0]}  # fmt: skip


def run(
    root: Path, keys: Sequence[str], *, download: bool, quick: bool, previous: dict | None,
    log=print,
) -> dict:  # fmt: skip
    """Train the variants named by ``keys``; results of other variants in ``previous`` (an
    earlier run of this command) are kept, so the work can be split into several calls."""
    runs = dict(previous["runs"]) if previous and not quick else {}
    for variant in VARIANTS:
        if variant.key in keys:
            runs[variant.key] = run_variant(variant, root, download=download, quick=quick,
                                            log=log)  # fmt: skip
    results = {
        "quick": quick,
        "validation_size": VALIDATION_SIZE,
        "machine": machine(),
        "recipes": {v.key: asdict(v.recipe) for v in VARIANTS if v.key in runs},
        "runs": {key: runs[key] for key in VARIANT_KEYS if key in runs},
    }
    results["summary"] = summaries(results)
    return results


def load_results(directory: Path = RUNS_DIR) -> dict:
    path = directory / RESULTS_FILE
    if not path.is_file():
        raise CnnBookError(f"没有存档的结果 {path}：先运行 python -m cnnbook.ablation（make runs）")
    return json.loads(path.read_text(encoding="utf-8"))


def write_results(results: dict, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    data, markdown = directory / RESULTS_FILE, directory / TABLE_FILE
    data.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    markdown.write_text(table(results), encoding="utf-8")
    return [data, markdown]


# --- the command ----------------------------------------------------------------------------


def parser() -> OneLineParser:
    command = OneLineParser(
        prog="cnnbook.ablation",
        description="消融实验：把快速配方的改动逐一换回，每个变体用多个种子训练（第 9 章）。",
    )
    add = command.add_argument
    add("--only", nargs="+", choices=VARIANT_KEYS, metavar="VARIANT",
        help=f"只训练这些变体（可选：{', '.join(VARIANT_KEYS)}）")  # fmt: skip
    add("--quick", action="store_true", help="2 个种子、2,000 张图、1 轮：只检查能否运行")
    where = RUNS_DIR.relative_to(REPO)
    add("--out", type=Path, required=True, metavar="DIR", help=f"结果目录（make runs 用 {where}）")
    add("--data", type=Path, metavar="DIR", help="数据目录（默认 $CNN_BOOK_DATA 或 data）")
    add("--no-download", action="store_true", help="绝不联网下载")
    add("--threads", type=positive_int, default=1, metavar="N", help="算子内线程数（默认 1）")
    add("--quiet", action="store_true", help="不打印每次运行")
    return command


def body(args: argparse.Namespace) -> int:
    if args.out.exists() and not args.out.is_dir():
        raise CnnBookError(f"--out {args.out} 已存在，但不是目录")
    root = args.data or default_data_root()
    check_data_dir(root)
    if args.no_download:
        archives_to_unpack(root)
    import torch

    torch.set_num_threads(args.threads)
    previous = load_results(args.out) if (args.out / RESULTS_FILE).is_file() else None
    keys = args.only or VARIANT_KEYS
    log = (lambda _line: None) if args.quiet else (lambda line: print(line, flush=True))
    results = run(root, keys, download=not args.no_download, quick=args.quick,
                  previous=previous, log=log)  # fmt: skip
    for path in write_results(results, args.out):
        print(saved_line(path))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_command("cnnbook.ablation", body, parser(), argv)


if __name__ == "__main__":
    sys.exit(main())

