"""The Markdown tables the chapter's pages include, written from ``experiments.json``.

An accuracy over seeds is shown as mean ± standard deviation (n − 1); a paired comparison as the
mean difference in percentage points, its 95 % confidence interval and the two-sided p-value of
the paired t-test."""

from __future__ import annotations

from collections.abc import Callable


def pm(stat: dict, digits: int = 2) -> str:
    """``mean ± sd`` (the sd is left out for a single seed)."""
    if len(stat["values"]) == 1:
        return f"{stat['mean']:,.{digits}f}"
    return f"{stat['mean']:,.{digits}f} ± {stat['std']:,.{digits}f}"


def p_value(test: dict) -> str:
    if test["p"] is None:
        return "—"
    return "< 0.001" if test["p"] < 0.001 else f"{test['p']:.3f}"


def difference(test: dict) -> str:
    """``+0.41 [−0.25, +1.07]``: mean difference and its 95 % interval, in points."""
    if test["ci95"] is None:
        return f"{test['mean']:+.2f}"
    low, high = test["ci95"]
    return f"{test['mean']:+.2f} [{low:+.2f}, {high:+.2f}]"


def seeds_note(results: dict) -> str:
    return f"n = {len(results['settings']['seeds'])} 个种子"


def recovery_table(results: dict) -> str:
    lines = [
        "| 目标稀疏度 | 一次剪完，不微调 (%) | 一次剪完 + 微调 1 轮 (%) | 逐步剪枝，同样 1 轮 (%) "
        "| 逐步 − 一次剪完（个百分点，95% 区间） | p |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results["pruning"]["recovery"].values():
        test = row["gradual_minus_one_shot"]
        lines.append(
            f"| {row['sparsity']:.0%} | {pm(row['one_shot'])} | {pm(row['one_shot_fine_tuned'])} "
            f"| {pm(row['gradual'])} | {difference(test)} | {p_value(test)} |"
        )
    return "\n".join(lines)


def channel_table(results: dict) -> str:
    base = results["base"]
    lines = [
        "| 宽度（conv1, conv2 / fc1, fc2） | 参数 | MACs | 文件（字节） | 剪完不微调 (%) "
        "| 微调 1 轮后 (%) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        f"| 6, 16 / 120, 84（原网络） | {base['parameters']:,} | {base['macs']:,} "
        f"| {base['file_bytes']:,} | — | {pm(base['test_accuracy'])} |",
    ]
    for row in results["channels"]["rows"].values():
        c, h = row["channels"], row["hidden"]
        lines.append(
            f"| {c[0]}, {c[1]} / {h[0]}, {h[1]} | {row['parameters']:,} | {row['macs']:,} "
            f"| {row['file_bytes']:,} | {pm(row['before_fine_tuning'])} "
            f"| {pm(row['test_accuracy'])} |"
        )
    return "\n".join(lines)


SCHEME_NAMES = {
    "symmetric, per tensor": "对称，逐张量",
    "symmetric, per channel": "对称，逐通道",
    "asymmetric, per tensor": "非对称，逐张量",
    "asymmetric, per channel": "非对称，逐通道",
}


def bits_table(results: dict) -> str:
    quant = results["quantization"]
    names = list(quant["schemes"])
    lines = [
        "| 位宽 | 权重的大小（字节） | "
        + " | ".join(f"{SCHEME_NAMES[n]} (%)" for n in names)
        + " |",
        "| ---: | ---: |" + " ---: |" * len(names),
        f"| 32（原网络） | {quant['size_at_bits']['32']:,} |"
        + f" {pm(results['base']['test_accuracy'])} |" * len(names),
    ]
    for bits in quant["bits"]:
        cells = " | ".join(pm(quant["schemes"][name][str(bits)]) for name in names)
        lines.append(f"| {bits} | {quant['size_at_bits'][str(bits)]:,} | {cells} |")
    return "\n".join(lines)


def int8_table(results: dict) -> str:
    base, int8 = results["base"], results["quantization"]["int8"]
    dynamic, static = int8["dynamic"], int8["static"]
    tests = 10_000
    return "\n".join(
        [
            "| | float32 | int8，动态量化激活 | int8，静态量化激活（校准） |",
            "| --- | ---: | ---: | ---: |",
            f"| 测试准确率 | {pm(base['test_accuracy'])}% | {pm(dynamic['test_accuracy'])}% "
            f"| {pm(static['test_accuracy'])}% |",
            f"| 与 float32 之差（个百分点，95% 区间） | — | {difference(dynamic['minus_float'])} "
            f"| {difference(static['minus_float'])} |",
            f"| 与 float32 预测相同的测试图（最少的种子） | — "
            f"| {dynamic['same_predictions']['min']:,} / {tests:,} "
            f"| {static['same_predictions']['min']:,} / {tests:,} |",
            f"| 存盘文件（字节） | {base['file_bytes']:,} | {dynamic['file_bytes']:,} "
            f"| {static['file_bytes']:,} |",
            f"| 其中张量本身（字节） | {4 * base['parameters']:,} | {dynamic['payload_bytes']:,} "
            f"| {static['payload_bytes']:,} |",
        ]
    )


def low_bit_table(results: dict) -> str:
    low = results["low_bit"]
    lines = [
        "| 权重 | 训练后直接量化，PTQ (%) | 量化感知训练 1 轮，QAT (%) "
        "| QAT − PTQ（个百分点，95% 区间） | p |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for row in low["qat"].values():
        test = row["qat_minus_ptq"]
        lines.append(
            f"| {row['bits']} 位，对称，逐通道 | {pm(row['ptq'])} | {pm(row['qat'])} "
            f"| {difference(test)} | {p_value(test)} |"
        )
    binary = low["binary"]
    lines.append(
        f"| 1 位（二值：符号 × 每通道缩放） | {pm(binary['after_training'])} "
        f"| {pm(binary['trained'])} | — | — |"
    )
    return "\n".join(lines)


def lowrank_table(results: dict) -> str:
    low, base = results["low_rank"], results["base"]
    lines = [
        "| fc1、fc2 的秩 $r$ | 参数 | MACs | fc1 保留的能量 | 测试准确率，不微调 (%) |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in low["rows"].values():
        energy = row["fc1_energy"]
        lines.append(
            f"| {row['rank']} | {row['parameters']:,} | {row['macs']:,} "
            f"| {energy['mean']:.1%} | {pm(row['test_accuracy'])} |"
        )
    lines.append(
        f"| 不分解（原网络） | {base['parameters']:,} | {base['macs']:,} | 100% "
        f"| {pm(base['test_accuracy'])} |"
    )
    return "\n".join(lines)


def lowrank_tuning_table(results: dict) -> str:
    lines = [
        "| 秩 $r$ | 文件（字节） | 不微调 (%) | 微调 1 轮 (%) "
        "| 微调带来的提升（个百分点，95% 区间） |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results["low_rank"]["fine_tuned"].values():
        lines.append(
            f"| {row['rank']} | {row['file_bytes']:,} | {pm(row['before'])} | {pm(row['after'])} "
            f"| {difference(row['gain'])} |"
        )
    return "\n".join(lines)


def lottery_table(results: dict) -> str:
    lottery = results["lottery"]
    test = lottery["ticket_minus_random"]
    return "\n".join(
        [
            "| 稀疏度 | 回到初始权重，中奖彩票 (%) | 同一掩码、另一组随机初值 (%) "
            "| 差（个百分点，95% 区间） | p |",
            "| ---: | ---: | ---: | ---: | ---: |",
            f"| {lottery['sparsity']:.0%} | {pm(lottery['ticket'])} | {pm(lottery['random_init'])} "
            f"| {difference(test)} | {p_value(test)} |",
        ]
    )


STAGE_NAMES = {
    "dense_float32": "稠密 float32（`torch.save`）",
    "csr": "剪枝后，CSR 稀疏格式（`torch.save`）",
    "shared_fixed": "+ 权重共享（k-means），定长编码",
    "shared_huffman": "+ 霍夫曼编码",
}


def deep_compression_table(results: dict) -> str:
    deep = results["deep_compression"]
    row = deep["rows"][str(results["settings"]["compared_share_bits"])]
    original = row["file_bytes"]["dense_float32"]["mean"]
    lines = ["| 阶段 | 文件（字节） | 压缩比 |", "| --- | ---: | ---: |"]
    for key, label in STAGE_NAMES.items():
        size = row["file_bytes"][key]
        lines.append(f"| {label} | {pm(size, 0)} | {original / size['mean']:.1f} |")
    return "\n".join(lines)


def deep_bits_table(results: dict) -> str:
    deep = results["deep_compression"]
    lines = [
        "| 每层的共享值个数 | 索引位数 | 霍夫曼编码后的文件（字节） | 测试准确率 (%) "
        "| 与剪枝后之差（个百分点，95% 区间） |",
        "| ---: | ---: | ---: | ---: | ---: |",
        f"| 不共享（剪枝后） | 32 | — | {pm(deep['pruned_accuracy'])} | — |",
    ]
    for row in deep["rows"].values():
        lines.append(
            f"| {2 ** row['bits']} | {row['bits']} | {pm(row['file_bytes']['shared_huffman'], 0)} "
            f"| {pm(row['test_accuracy'])} | {difference(row['minus_pruned'])} |"
        )
    return "\n".join(lines)


def distillation_table(results: dict) -> str:
    lines = [
        "| 学生见到的训练图 | 轮数 | 学生，不蒸馏 (%) | 学生，蒸馏 (%) "
        "| 蒸馏 − 不蒸馏（个百分点，95% 区间） | $t$ | p |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for regime in results["distillation"]["regimes"].values():
        gain = regime["gain"]
        t = "—" if gain["t"] is None else f"{gain['t']:.2f}"
        lines.append(
            f"| {regime['train_samples']:,} | {regime['epochs']} | {pm(regime['plain'])} "
            f"| {pm(regime['distilled'])} | {difference(gain)} | {t} | {p_value(gain)} |"
        )
    return "\n".join(lines)


TABLES: dict[str, tuple[str, Callable[[dict], str]]] = {
    # file name → (the part of the results it needs, the table)
    "pruning_recovery.md": ("pruning", recovery_table),
    "channel_pruning.md": ("channels", channel_table),
    "quantization_bits.md": ("quantization", bits_table),
    "int8.md": ("quantization", int8_table),
    "low_bit.md": ("low_bit", low_bit_table),
    "low_rank.md": ("low_rank", lowrank_table),
    "low_rank_tuning.md": ("low_rank", lowrank_tuning_table),
    "lottery.md": ("lottery", lottery_table),
    "deep_compression.md": ("deep_compression", deep_compression_table),
    "deep_compression_bits.md": ("deep_compression", deep_bits_table),
    "distillation.md": ("distillation", distillation_table),
}
