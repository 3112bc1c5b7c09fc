"""Every number of chapter 10, from one command: ``python -m cnnbook.compression.experiments``.

It trains chapter 9's LeNet with the fast recipe (seed 0) and then, on the real MNIST files:

1. fine-grained magnitude pruning, global and per layer, at several sparsities (no retraining),
   a sensitivity scan of each layer on the validation images, and fine-tuning recovery
   (prune once then fine-tune one epoch, or raise the sparsity gradually during that epoch);
2. channel pruning to narrower LeNets, before and after one epoch of fine-tuning;
3. weight quantisation to 8 … 2 bits (symmetric/asymmetric × per tensor/per channel), and the
   int8 network (int8 weights and activations, int32 sums), with the sizes of the saved files;
4. knowledge distillation: a wider teacher, a narrow student trained with and without the
   teacher's soft targets, three seeds each;
5. the rows of the final comparison (original, pruned, quantised, distilled, combined).

It writes ``experiments.json`` and the Markdown tables the pages include into
``snippets/compression/results/`` (``--out`` elsewhere). ``--quick`` runs the subset the tests
re-run (the same code and settings, fewer sparsities, configurations and seeds) and writes the
same files with fewer entries. Everything runs on one thread (``--threads``): another thread count
may add floating-point numbers in another order and so train a slightly different network,
and on a busy machine several threads mostly wait for each other.
Latency is not measured here: ``benchmarks/compression_latency``
times the same architectures and adds the latency columns to the comparison.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import torch
from torch import nn

from cnnbook.cli import OneLineParser, run_command
from cnnbook.compression import costs, pruning
from cnnbook.compression import quantization as quant
from cnnbook.compression.distillation import distillation_loss
from cnnbook.compression.fitting import Mnist, fit, predict_logits
from cnnbook.data import TensorDigits, batches_in_order, validation_split
from cnnbook.errors import CnnBookError
from cnnbook.mnist_files import archives_to_unpack, check_data_dir, default_data_root
from cnnbook.model import LeNet
from cnnbook.training import FAST, accuracy, predict

REPO = Path(__file__).resolve().parents[2]
RESULTS_DIR = REPO / "snippets" / "compression" / "results"
RESULTS_FILE = "experiments.json"
SCHEMES = {  # name → (symmetric, per_channel)
    "symmetric, per tensor": (True, False),
    "symmetric, per channel": (True, True),
    "asymmetric, per tensor": (False, False),
    "asymmetric, per channel": (False, True),
}


@dataclass(frozen=True)
class Settings:
    """Everything the experiments choose; ``QUICK`` keeps a subset of the same values."""

    base_seed: int = 0
    sparsities: tuple[float, ...] = (0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98)
    fine_tune_sparsities: tuple[float, ...] = (0.8, 0.9, 0.95, 0.98)
    chosen_sparsity: float = 0.9  # the pruned network of the comparison
    fine_tune_epochs: int = 1
    fine_tune_lr: float = 0.01
    gradual_until: float = 0.6  # gradual pruning reaches the target after 60 % of the steps
    prune_every: int = 20
    channel_configs: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = (
        ((4, 8), (60, 42)),
        ((3, 6), (30, 20)),
    )
    bits: tuple[int, ...] = (8, 7, 6, 5, 4, 3, 2)
    teacher: tuple[tuple[int, int], tuple[int, int]] = ((16, 32), (256, 128))
    student: tuple[tuple[int, int], tuple[int, int]] = ((3, 6), (24, 16))
    temperature: float = 8.0
    alpha: float = 0.9
    distillation_label_smoothing: float = 0.0
    # (training images the student sees, epochs): all 55,000, and a small labelled set
    regimes: tuple[tuple[int, int], ...] = ((55_000, 2), (2_000, 20))
    seeds: tuple[int, ...] = (0, 1, 2)
    quick: bool = False


FULL = Settings()
QUICK = replace(
    FULL,
    sparsities=(0.5, 0.8, 0.9, 0.95),
    fine_tune_sparsities=(0.9,),
    channel_configs=FULL.channel_configs[:1],
    bits=(8, 4, 3, 2),
    seeds=(0,),
    quick=True,
)


@dataclass
class Log:
    """Progress lines on stderr, with the seconds each stage took."""

    enabled: bool = True
    start: float = field(default_factory=time.perf_counter)
    stages: dict[str, float] = field(default_factory=dict)

    def stage(self, name: str, began: float) -> None:
        self.stages[name] = round(time.perf_counter() - began, 1)
        if self.enabled:
            total = time.perf_counter() - self.start
            print(
                f"{name}: {self.stages[name]:.1f} s ({total:.0f} s in all)",
                file=sys.stderr,
                flush=True,
            )


def score(model: nn.Module, split: TensorDigits) -> float:
    """Accuracy (%) on ``split``, on the CPU (int8 networks have no parameters to ask)."""
    return round(accuracy(*predict(model, batches_in_order(split, 2500), torch.device("cpu"))), 2)


def predictions(model: nn.Module, split: TensorDigits) -> torch.Tensor:
    return predict(model, batches_in_order(split, 2500), torch.device("cpu"))[0]


def float_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """``model.state_dict()`` (the object ``torch.save`` is usually given, with its metadata),
    every tensor on the CPU in the default memory layout."""
    state = model.state_dict()
    for name, tensor in state.items():
        state[name] = tensor.detach().cpu().contiguous()
    return state


def csr_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """The state_dict with every weight of 2 or more dimensions stored as a CSR sparse matrix
    (rows = output units; int32 indices): what a fine-grained pruned network needs on disk."""

    def sparse(tensor: torch.Tensor) -> torch.Tensor:
        if tensor.dim() < 2:
            return tensor
        with warnings.catch_warnings():  # "sparse CSR support is in beta state"
            warnings.simplefilter("ignore", UserWarning)
            csr = tensor.flatten(start_dim=1).to_sparse_csr()
            return torch.sparse_csr_tensor(
                csr.crow_indices().int(),
                csr.col_indices().int(),
                csr.values(),
                csr.shape,
                check_invariants=True,
            )

    state = float_state(model)
    for name, tensor in state.items():
        state[name] = sparse(tensor)
    return state


def file_bytes(state: dict[str, torch.Tensor]) -> int:
    """Bytes of the file ``torch.save(state, "lenet.pt")`` writes, measured on disk."""
    return costs.saved_size(state, "lenet.pt")


def describe(
    model: nn.Module,
    data: Mnist,
    *,
    state: dict | None = None,
    float_model: nn.Module | None = None,
) -> dict:
    """Accuracy, parameters (all and nonzero), MACs of one image, and the saved file's bytes.

    For an int8 network, ``float_model`` is the network it was made from: same numbers of
    weights and MACs (the weights are now 8-bit integers, the MACs integer MACs)."""
    counted = float_model or model
    return {
        "test_accuracy": score(model, data.test),
        "parameters": costs.count_parameters(counted),
        "nonzero_parameters": costs.nonzero_parameters(counted),
        "macs": costs.total_macs(counted),
        "file_bytes": file_bytes(state if state is not None else float_state(model)),
    }


# --- 1. fine-grained pruning ----------------------------------------------------------------


def prune_and_fine_tune(
    base: nn.Module, data: Mnist, settings: Settings, sparsity: float, gradual: bool
) -> nn.Module:
    """One epoch of fine-tuning with the pruned weights kept at zero."""
    steps = math.ceil(len(validation_split()[0]) / FAST.batch_size) * settings.fine_tune_epochs
    if gradual:
        hook = pruning.GradualPruning(
            sparsity, end_step=round(settings.gradual_until * steps), every=settings.prune_every
        )
        start = copy.deepcopy(base)
    else:
        masks = pruning.magnitude_masks(base, sparsity, "global")
        hook, start = pruning.keep_masks(masks), pruning.pruned_copy(base, masks)
    fitted = fit(
        lambda: start,
        data,
        epochs=settings.fine_tune_epochs,
        lr=settings.fine_tune_lr,
        seed=settings.base_seed,
        after_step=hook,
    )
    return fitted.model


def pruning_experiments(base: nn.Module, data: Mnist, settings: Settings, log: Log) -> tuple:
    began = time.perf_counter()
    curves = {
        scope: [
            score(pruning.pruned_copy(base, pruning.magnitude_masks(base, s, scope)), data.test)
            for s in settings.sparsities
        ]
        for scope in ("global", "layer")
    }
    global_layers = {
        str(s): {
            name: round(value, 4)
            for name, value in pruning.sparsity_by_layer(
                pruning.pruned_copy(base, pruning.magnitude_masks(base, s, "global"))
            ).items()
        }
        for s in settings.sparsities
    }
    validation = data.validation
    sensitivity = pruning.sensitivity_scan(
        base, settings.sparsities, lambda model: score(model, validation)
    )
    log.stage("pruning curves and sensitivity", began)

    began = time.perf_counter()
    recovery, chosen = [], None
    for sparsity in settings.fine_tune_sparsities:
        one_shot = pruning.pruned_copy(base, pruning.magnitude_masks(base, sparsity, "global"))
        tuned = prune_and_fine_tune(base, data, settings, sparsity, gradual=False)
        gradual = prune_and_fine_tune(base, data, settings, sparsity, gradual=True)
        recovery.append(
            {
                "sparsity": sparsity,
                "one_shot": score(one_shot, data.test),
                "one_shot_fine_tuned": score(tuned, data.test),
                "gradual": score(gradual, data.test),
                "gradual_sparsity": round(pruning.overall_sparsity(gradual), 4),
                "one_shot_fine_tuned_sparsity": round(pruning.overall_sparsity(tuned), 4),
            }
        )
        if sparsity == settings.chosen_sparsity:
            chosen = gradual
    log.stage("fine-tuning pruned networks", began)
    results = {
        "sparsities": list(settings.sparsities),
        "one_shot": curves,
        "global_layer_sparsity": global_layers,
        "sensitivity": sensitivity,
        "recovery": recovery,
    }
    return results, chosen


# --- 2. channel pruning ---------------------------------------------------------------------


def channel_experiments(base: LeNet, data: Mnist, settings: Settings, log: Log) -> tuple:
    began = time.perf_counter()
    rows, chosen = [], None
    for channels, hidden in settings.channel_configs:
        narrow = pruning.prune_lenet(base, channels, hidden)
        fitted = fit(
            lambda c=channels, h=hidden: pruning.prune_lenet(base, c, h),
            data,
            epochs=settings.fine_tune_epochs,
            lr=settings.fine_tune_lr,
            seed=settings.base_seed,
        )
        rows.append(
            {
                "channels": list(channels),
                "hidden": list(hidden),
                "before_fine_tuning": score(narrow, data.test),
                **describe(fitted.model, data),
            }
        )
        chosen = chosen or fitted.model
    log.stage("channel pruning", began)
    return rows, chosen


# --- 3. quantisation ------------------------------------------------------------------------


def quantization_experiments(base: nn.Module, data: Mnist, settings: Settings, log: Log) -> dict:
    began = time.perf_counter()
    schemes = {
        name: [
            score(
                quant.quantize_weights(base, bits, symmetric=symmetric, per_channel=per_channel),
                data.test,
            )
            for bits in settings.bits
        ]
        for name, (symmetric, per_channel) in SCHEMES.items()
    }
    int8 = quant.quantize_int8(base)
    same = (predictions(int8, data.test) == predictions(base, data.test)).sum().item()
    weights = sum(m.weight.numel() for m in base.modules() if isinstance(m, nn.Conv2d | nn.Linear))
    log.stage("quantisation", began)
    return {
        "bits": list(settings.bits),
        "schemes": schemes,
        "weight_only_8bit": score(quant.quantize_weights(base, 8), data.test),
        "int8": {
            **describe(int8, data, state=float_state(int8), float_model=base),
            "same_predictions": same,
            "weights": weights,
            "payload_bytes": sum(t.numel() * t.element_size() for t in int8.state_dict().values()),
        },
        "size_at_bits": {
            str(b): costs.size_at_bits(costs.count_parameters(base), b)
            for b in (32, *settings.bits)
        },
    }


# --- 4. distillation ------------------------------------------------------------------------


def spread(values: list[float]) -> dict:
    """Mean, sample standard deviation (n − 1; 0 for one value), minimum and maximum."""
    deviation = statistics.stdev(values) if len(values) > 1 else 0.0
    return {
        "mean": round(statistics.mean(values), 3),
        "std": round(deviation, 3),
        "min": min(values),
        "max": max(values),
    }


def distillation_experiments(data: Mnist, settings: Settings, log: Log) -> tuple:
    began = time.perf_counter()
    channels, hidden = settings.teacher
    teacher = fit(lambda: LeNet(channels=channels, hidden=hidden), data, seed=settings.base_seed)
    teacher_logits = predict_logits(teacher.model, data.train.images)
    log.stage("teacher", began)

    began = time.perf_counter()
    channels, hidden = settings.student
    loss = distillation_loss(
        teacher_logits,
        temperature=settings.temperature,
        alpha=settings.alpha,
        label_smoothing=settings.distillation_label_smoothing,
    )
    regimes, chosen = [], None
    for samples, epochs in settings.regimes:
        runs = []
        for seed in settings.seeds:

            def make() -> LeNet:
                return LeNet(channels=channels, hidden=hidden)

            common = {"seed": seed, "epochs": epochs, "train_samples": samples}
            plain = fit(make, data, **common)
            distilled = fit(make, data, loss=loss, **common)
            runs.append(
                {"seed": seed, "plain": plain.test_accuracy, "distilled": distilled.test_accuracy}
            )
            chosen = chosen or distilled.model
        regimes.append(
            {
                "train_samples": samples,
                "epochs": epochs,
                "runs": runs,
                "plain": spread([run["plain"] for run in runs]),
                "distilled": spread([run["distilled"] for run in runs]),
                "gain": spread([round(run["distilled"] - run["plain"], 2) for run in runs]),
            }
        )
    log.stage("students", began)
    results = {
        "teacher": {
            **describe(teacher.model, data),
            "channels": list(settings.teacher[0]),
            "hidden": list(settings.teacher[1]),
        },
        "student": {
            "channels": list(channels),
            "hidden": list(hidden),
            "parameters": costs.count_parameters(chosen),
            "macs": costs.total_macs(chosen),
        },
        "temperature": settings.temperature,
        "alpha": settings.alpha,
        "regimes": regimes,
    }
    return results, chosen


# --- everything -----------------------------------------------------------------------------


def with_ratios(rows: list[dict]) -> list[dict]:
    """Each row with its compression ratio: the first row's file size ÷ its own."""
    original = rows[0]["file_bytes"]
    return [
        {**row, "compression_ratio": round(costs.compression_ratio(original, row["file_bytes"]), 2)}
        for row in rows
    ]


def widths(model: LeNet) -> dict:
    channels, hidden = pruning.lenet_widths(model)
    return {"channels": list(channels), "hidden": list(hidden)}


def run(settings: Settings, data: Mnist, log: Log) -> dict:
    began = time.perf_counter()
    base = fit(LeNet, data, seed=settings.base_seed)
    log.stage("original LeNet", began)
    base_row = describe(base.model, data)
    prune_results, pruned = pruning_experiments(base.model, data, settings, log)
    channel_rows, narrow = channel_experiments(base.model, data, settings, log)
    quant_results = quantization_experiments(base.model, data, settings, log)
    distill_results, student = distillation_experiments(data, settings, log)

    began = time.perf_counter()
    narrow_int8 = quant.quantize_int8(narrow)
    int8 = quant_results["int8"]
    rows = [
        {"name": "original", "format": "float32", **widths(base.model), **base_row},
        {
            "name": "pruned",
            "format": "float32 CSR",
            **widths(pruned),
            "sparsity": settings.chosen_sparsity,
            **describe(pruned, data, state=csr_state(pruned)),
        },
        {"name": "channels", "format": "float32", **widths(narrow), **describe(narrow, data)},
        {
            "name": "int8",
            "format": "int8",
            **widths(base.model),
            **{
                key: int8[key]
                for key in (
                    "test_accuracy",
                    "parameters",
                    "nonzero_parameters",
                    "macs",
                    "file_bytes",
                )
            },
        },
        {"name": "distilled", "format": "float32", **widths(student), **describe(student, data)},
        {
            "name": "channels+int8",
            "format": "int8",
            **widths(narrow),
            **describe(narrow_int8, data, state=float_state(narrow_int8), float_model=narrow),
        },
    ]
    comparison = with_ratios(rows)
    log.stage("comparison", began)
    return {
        "settings": asdict(settings),
        "torch": torch.__version__.split("+")[0],
        "threads": torch.get_num_threads(),
        "base": {
            **base_row,
            "validation_accuracy": score(base.model, data.validation),
            "validation_accuracies": base.validation_accuracies,
            "best_epoch": base.best_epoch,
        },
        "pruning": prune_results,
        "channels": channel_rows,
        "quantization": quant_results,
        "distillation": distill_results,
        "comparison": comparison,
        "seconds": {**log.stages, "total": round(time.perf_counter() - log.start, 1)},
    }


# --- Markdown tables ------------------------------------------------------------------------


def percent(value: float) -> str:
    return f"{value:.2f}%"


def recovery_table(results: dict) -> str:
    lines = [
        "| 目标稀疏度 | 一次剪完，不微调 | 一次剪完 + 微调 1 轮 | 逐步剪枝（同样 1 轮） |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for row in results["pruning"]["recovery"]:
        lines.append(
            f"| {row['sparsity']:.0%} | {percent(row['one_shot'])} "
            f"| {percent(row['one_shot_fine_tuned'])} | {percent(row['gradual'])} |"
        )
    return "\n".join(lines)


def channel_table(results: dict) -> str:
    base = results["base"]
    lines = [
        "| 宽度（conv1, conv2 / fc1, fc2） | 参数 | MACs | 文件（字节） | 剪完不微调 "
        "| 微调 1 轮后 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        f"| 6, 16 / 120, 84（原网络） | {base['parameters']:,} | {base['macs']:,} "
        f"| {base['file_bytes']:,} | — | {percent(base['test_accuracy'])} |",
    ]
    for row in results["channels"]:
        c, h = row["channels"], row["hidden"]
        lines.append(
            f"| {c[0]}, {c[1]} / {h[0]}, {h[1]} | {row['parameters']:,} "
            f"| {row['macs']:,} | {row['file_bytes']:,} "
            f"| {percent(row['before_fine_tuning'])} | {percent(row['test_accuracy'])} |"
        )
    return "\n".join(lines)


def bits_table(results: dict) -> str:
    quant_results = results["quantization"]
    names = list(SCHEMES)
    lines = [
        "| 位宽 | 权重的大小（字节） | " + " | ".join(names) + " |",
        "| ---: | ---: |" + " ---: |" * len(names),
        f"| 32（原网络） | {quant_results['size_at_bits']['32']:,} |"
        + f" {percent(results['base']['test_accuracy'])} |" * len(names),
    ]
    for k, bits in enumerate(quant_results["bits"]):
        cells = " | ".join(percent(quant_results["schemes"][name][k]) for name in names)
        lines.append(f"| {bits} | {quant_results['size_at_bits'][str(bits)]:,} | {cells} |")
    return "\n".join(lines)


def int8_table(results: dict) -> str:
    base, int8 = results["base"], results["quantization"]["int8"]
    return "\n".join(
        [
            "| | float32 | int8 |",
            "| --- | ---: | ---: |",
            f"| 测试准确率 | {percent(base['test_accuracy'])} | {percent(int8['test_accuracy'])} |",
            f"| 存盘文件（字节） | {base['file_bytes']:,} | {int8['file_bytes']:,} |",
            f"| 其中张量本身（字节） | {4 * base['parameters']:,} | {int8['payload_bytes']:,} |",
            f"| 与 float32 预测相同的测试图 | — | {int8['same_predictions']:,} / 10,000 |",
        ]
    )


def distillation_table(results: dict) -> str:
    lines = [
        "| 学生见到的训练图 | 轮数 | 种子 | 学生，不蒸馏 | 学生，蒸馏 | 差 |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for regime in results["distillation"]["regimes"]:
        head = f"| {regime['train_samples']:,} | {regime['epochs']} "
        for run in regime["runs"]:
            lines.append(
                f"{head}| {run['seed']} | {percent(run['plain'])} "
                f"| {percent(run['distilled'])} "
                f"| {run['distilled'] - run['plain']:+.2f} |"
            )
        plain, distilled, gain = regime["plain"], regime["distilled"], regime["gain"]
        lines.append(
            f"{head}| 平均 ± 标准差 | {plain['mean']:.2f} ± {plain['std']:.2f} "
            f"| {distilled['mean']:.2f} ± {distilled['std']:.2f} "
            f"| {gain['mean']:+.2f} ± {gain['std']:.2f} |"
        )
    return "\n".join(lines)


TABLES: dict[str, Callable[[dict], str]] = {
    "pruning_recovery.md": recovery_table,
    "channel_pruning.md": channel_table,
    "quantization_bits.md": bits_table,
    "int8.md": int8_table,
    "distillation.md": distillation_table,
}


def write_results(results: dict, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / RESULTS_FILE]
    written[0].write_text(
        json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    for name, table in TABLES.items():
        path = out_dir / name
        path.write_text(table(results) + "\n", encoding="utf-8")
        written.append(path)
    return written


def load_results(directory: Path = RESULTS_DIR) -> dict:
    path = directory / RESULTS_FILE
    if not path.is_file():
        raise CnnBookError(
            f"no stored results {path}: run python -m cnnbook.compression."
            "experiments (make compression)"
        )
    return json.loads(path.read_text(encoding="utf-8"))


# --- the command ----------------------------------------------------------------------------


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return int(text)


def parser() -> OneLineParser:
    command = OneLineParser(
        prog="cnnbook.compression.experiments", description=__doc__.splitlines()[0]
    )
    command.add_argument("--quick", action="store_true", help="the subset the tests re-run")
    command.add_argument("--out", type=Path, default=RESULTS_DIR, help="results directory")
    command.add_argument("--data", type=Path, help="data directory ($CNN_BOOK_DATA or data)")
    command.add_argument("--no-download", action="store_true", help="never use the network")
    command.add_argument(
        "--threads",
        type=positive,
        default=1,
        help="torch.set_num_threads(N); default 1, the thread count of the stored results",
    )
    command.add_argument("--quiet", action="store_true", help="no progress lines")
    return command


def body(args: argparse.Namespace) -> int:
    if args.out.exists() and not args.out.is_dir():
        raise CnnBookError(f"--out {args.out} exists and is not a directory")
    root = args.data or default_data_root()
    check_data_dir(root)
    if args.no_download:
        archives_to_unpack(root)  # every MNIST file there (or its verified .gz), at once
    torch.set_num_threads(args.threads)  # another count may sum in another order
    data = Mnist.load(root, download=not args.no_download)  # downloads only what is missing
    results = run(QUICK if args.quick else FULL, data, Log(enabled=not args.quiet))
    for path in write_results(results, args.out):
        print(path)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run_command("cnnbook.compression.experiments", body, parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
