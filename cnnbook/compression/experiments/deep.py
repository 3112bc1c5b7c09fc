"""Deep Compression end to end on the comparison's pruned LeNet: the file after each stage
(dense float32, CSR, shared weights with fixed-length codes, shared weights with Huffman codes),
and the accuracy before and after weight sharing. The encoded file is decoded again and must
give back exactly the shared weights."""

from __future__ import annotations

import time

import torch

from cnnbook.compression import deep_compression as dc
from cnnbook.compression.experiments.common import (
    Context,
    csr_state,
    file_bytes,
    float_state,
    over_seeds,
)
from cnnbook.compression.stats import paired


def check_round_trip(data: bytes, layers: dict[str, dc.SharedLayer]) -> None:
    decoded, _ = dc.decode(data)
    for name, layer in layers.items():
        if not torch.equal(decoded[name].weight(), layer.weight()):
            raise AssertionError(f"Deep Compression 文件解码出的 {name} 权重与原来的不同")


def stages(model: torch.nn.Module, bits: int) -> tuple[dict, torch.nn.Module]:
    shared, layers = dc.shared_model(model, bits)
    biases = dc.model_biases(shared)
    coded = dc.encode(layers, biases, huffman=True)
    check_round_trip(coded, layers)
    sizes = {
        "dense_float32": file_bytes(float_state(model)),
        "csr": file_bytes(csr_state(model)),
        "shared_fixed": len(dc.encode(layers, biases, huffman=False)),
        "shared_huffman": len(coded),
    }
    return sizes, shared


def run(ctx: Context) -> dict:
    pruned = ctx.kept.get("pruned")
    if not pruned:
        return {}
    began = time.perf_counter()
    rows, pruned_accuracy = {}, [ctx.test(m) for m in pruned]
    for bits in ctx.settings.share_bits:
        sizes, accuracy = {}, []
        for model in pruned:
            found, shared = stages(model, bits)
            for key, value in found.items():
                sizes.setdefault(key, []).append(value)
            accuracy.append(ctx.test(shared))
            if bits == ctx.settings.compared_share_bits:
                ctx.keep("deep_compression", shared)
                ctx.kept.setdefault("deep_compression_bytes", []).append(found["shared_huffman"])
        rows[str(bits)] = {
            "bits": bits,
            "file_bytes": {key: over_seeds(values) for key, values in sizes.items()},
            "test_accuracy": over_seeds(accuracy),
            "minus_pruned": paired(pruned_accuracy, accuracy),
        }
    ctx.log.stage("Deep Compression", "Deep Compression", began)
    return {"pruned_accuracy": over_seeds(pruned_accuracy), "rows": rows}
