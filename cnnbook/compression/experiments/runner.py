"""Run every experiment of chapter 10 in order, and write the results and the tables."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

import torch

from cnnbook.compression import costs
from cnnbook.compression.experiments import (
    channels,
    comparison,
    deep,
    distill,
    fine_grained,
    lottery,
    low_bit,
    lowrank,
    quantize,
)
from cnnbook.compression.experiments.common import (
    Context,
    Log,
    Settings,
    file_bytes,
    float_state,
    over_seeds,
    score,
    train_bases,
)
from cnnbook.compression.experiments.tables import TABLES
from cnnbook.compression.fitting import Mnist
from cnnbook.errors import CnnBookError

RESULTS_FILE = "experiments.json"


def base_results(ctx: Context) -> dict:
    model = ctx.bases[0].model
    return {
        "seeds": [b.seed for b in ctx.bases],
        "test_accuracy": over_seeds([b.test_accuracy for b in ctx.bases]),
        "validation_accuracy": over_seeds([score(b.model, ctx.data.validation) for b in ctx.bases]),
        "best_epochs": [b.fitted.best_epoch for b in ctx.bases],
        "parameters": costs.count_parameters(model),
        "macs": costs.total_macs(model),
        "file_bytes": file_bytes(float_state(model)),
    }


def run(settings: Settings, data: Mnist, log: Log) -> dict:
    ctx = Context(data, settings, log)
    train_bases(ctx)
    results = {
        "settings": asdict(settings),
        "torch": torch.__version__.split("+")[0],
        "isa": torch.backends.cpu.get_cpu_capability(),
        "threads": torch.get_num_threads(),
        "base": base_results(ctx),
        "pruning": fine_grained.run(ctx),
    }
    results["channels"] = channels.run(ctx)
    results["quantization"] = quantize.run(ctx)
    results["low_bit"] = low_bit.run(ctx)
    results["low_rank"] = lowrank.run(ctx)
    results["lottery"] = lottery.run(ctx)
    results["deep_compression"] = deep.run(ctx)
    results["distillation"] = distill.run(ctx)
    results["comparison"] = comparison.run(ctx)
    results["seconds"] = {**log.stages, "total": round(time.perf_counter() - log.start, 1)}
    return results


def write_results(results: dict, out_dir: Path) -> list[Path]:
    """``experiments.json`` and every table whose part of the results is there."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / RESULTS_FILE]
    written[0].write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", "utf-8")
    for name, (part, table) in TABLES.items():
        if results.get(part):
            path = out_dir / name
            path.write_text(table(results) + "\n", encoding="utf-8")
            written.append(path)
    return written


def load_results(directory: Path) -> dict:
    path = Path(directory) / RESULTS_FILE
    if not path.is_file():
        raise CnnBookError(
            f"没有存档的结果 {path}：先运行 python -m cnnbook.compression.experiments "
            f"--out {directory}（make compression）"
        )
    return json.loads(path.read_text(encoding="utf-8"))
