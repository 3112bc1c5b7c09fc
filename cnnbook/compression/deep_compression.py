"""Deep Compression (Han, Mao and Dally, 2016) on a pruned LeNet: weight sharing by k-means,
then Huffman coding, written to a real file whose bytes are counted.

1. Pruning leaves most weights at zero (``cnnbook.compression.pruning``).
2. Weight sharing: the nonzero weights of each layer are clustered into 2^b values by k-means
   (1-D Lloyd iterations from centroids spaced evenly between the smallest and largest weight,
   the initialisation the paper found best); each weight is stored as the b-bit index of its
   cluster, plus a small codebook of 2^b float32 centroids per layer.
3. Coding: the positions of the nonzero weights become gaps (zeros skipped since the previous
   nonzero), and the gaps and the cluster indices are each Huffman-coded: frequent symbols get
   short codes. (The paper also caps the gaps at 4 or 8 bits with filler entries; here the gaps
   are coded as they are, so no filler is needed.)

``encode`` writes every layer (shape, codebook, two canonical Huffman tables given by their code
lengths, two bit streams) and the float32 biases into bytes; ``decode`` reads them back to the
exact shared weights. ``huffman=False`` writes the same file with fixed-length codes, which shows
what the Huffman step itself saves.
"""

from __future__ import annotations

import copy
import heapq
import itertools
import math
import struct
from collections import Counter
from dataclasses import dataclass

import torch
from torch import nn

from cnnbook.errors import CnnBookError

MAGIC = b"DCLN"


def kmeans_1d(values: torch.Tensor, clusters: int, iterations: int = 50) -> torch.Tensor:
    """Centroids (float64, ascending) of 1-D k-means, started at ``clusters`` evenly spaced
    values between min and max; stops early once the assignment no longer changes."""
    if clusters < 1 or values.numel() == 0:
        raise CnnBookError(
            f"k-means 需要 clusters ≥ 1 且 values 不为空，得到 {clusters} 与 {values.numel()} 个值"
        )
    x = values.detach().double().flatten()
    centroids = torch.linspace(x.min().item(), x.max().item(), clusters, dtype=torch.float64)
    previous = None
    for _ in range(iterations):
        assignment = nearest(x, centroids)
        if previous is not None and torch.equal(assignment, previous):
            break
        sums = torch.zeros(clusters, dtype=torch.float64).index_add_(0, assignment, x)
        counts = torch.bincount(assignment, minlength=clusters)
        used = counts > 0
        centroids[used] = sums[used] / counts[used]
        previous = assignment
    return centroids.sort().values


def nearest(x: torch.Tensor, centroids: torch.Tensor) -> torch.Tensor:
    """Index of the nearest centroid of every value (ties: the smaller index)."""
    return (x[:, None] - centroids[None, :]).abs().argmin(dim=1)


@dataclass(frozen=True)
class SharedLayer:
    """One layer after weight sharing: shape, positions of the nonzeros (flattened, ascending),
    their cluster indices and the float32 codebook."""

    shape: tuple[int, ...]
    positions: torch.Tensor
    indices: torch.Tensor
    codebook: torch.Tensor

    def weight(self) -> torch.Tensor:
        dense = torch.zeros(math.prod(self.shape), dtype=torch.float32)
        dense[self.positions] = self.codebook[self.indices]
        return dense.view(self.shape)


def share_weights(weight: torch.Tensor, bits: int) -> SharedLayer:
    """k-means weight sharing of the nonzero entries of ``weight`` into 2^bits values."""
    if not 1 <= bits <= 8:
        raise CnnBookError(f"bits 必须在 1 到 8 之间，得到 {bits!r}")
    flat = weight.detach().contiguous().flatten()
    positions = torch.nonzero(flat).flatten()
    nonzero = flat[positions]
    clusters = min(2**bits, max(nonzero.numel(), 1))
    centroids = kmeans_1d(nonzero, clusters) if nonzero.numel() else torch.zeros(1).double()
    codebook = centroids.float()
    indices = nearest(nonzero.double(), codebook.double())
    return SharedLayer(tuple(weight.shape), positions, indices, codebook)


@torch.no_grad()
def shared_model(model: nn.Module, bits: int) -> tuple[nn.Module, dict[str, SharedLayer]]:
    """A copy of ``model`` whose Conv2d/Linear weights are their shared values, and the layers."""
    result = copy.deepcopy(model).eval()
    layers = {}
    for name, module in result.named_modules():
        if isinstance(module, nn.Conv2d | nn.Linear):
            layers[name] = share_weights(module.weight, bits)
            module.weight.copy_(layers[name].weight())
    return result, layers


# --- Huffman coding -------------------------------------------------------------------------


def huffman_lengths(counts: dict[int, int]) -> dict[int, int]:
    """Code length of every symbol of a Huffman code for these counts (one symbol: length 1)."""
    if not counts:
        return {}
    if len(counts) == 1:
        return {next(iter(counts)): 1}
    tie = itertools.count()  # equal counts: merge in a fixed order
    heap = [(count, next(tie), [symbol]) for symbol, count in sorted(counts.items())]
    heapq.heapify(heap)
    lengths = dict.fromkeys(counts, 0)
    while len(heap) > 1:
        count_a, _, group_a = heapq.heappop(heap)
        count_b, _, group_b = heapq.heappop(heap)
        for symbol in group_a + group_b:
            lengths[symbol] += 1
        heapq.heappush(heap, (count_a + count_b, next(tie), group_a + group_b))
    return lengths


def fixed_lengths(counts: dict[int, int]) -> dict[int, int]:
    """Every symbol the same length: ceil(log2(number of symbols)), at least 1."""
    width = max(1, math.ceil(math.log2(max(len(counts), 1))))
    return dict.fromkeys(counts, width)


def canonical_codes(lengths: dict[int, int]) -> dict[int, str]:
    """Canonical prefix codes for the lengths: symbols sorted by (length, symbol), each code the
    previous one plus 1, shifted left when the length grows. The lengths alone define them."""
    codes, code, previous = {}, 0, 0
    for symbol, length in sorted(lengths.items(), key=lambda item: (item[1], item[0])):
        code <<= length - previous
        codes[symbol] = format(code, f"0{length}b")
        code, previous = code + 1, length
    return codes


def bit_string(symbols: list[int], codes: dict[int, str]) -> str:
    return "".join(codes[s] for s in symbols)


def decode_bits(bits: str, codes: dict[int, str], count: int) -> list[int]:
    """The first ``count`` symbols of a bit string written with prefix ``codes``."""
    lookup = {code: symbol for symbol, code in codes.items()}
    symbols, current = [], ""
    for bit in bits:
        current += bit
        if current in lookup:
            symbols.append(lookup[current])
            current = ""
            if len(symbols) == count:
                break
    if len(symbols) != count:
        raise CnnBookError(f"比特流只解出 {len(symbols)} 个符号，应有 {count} 个")
    return symbols


# --- the file -------------------------------------------------------------------------------


class Writer:
    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def pack(self, fmt: str, *values) -> None:
        self.parts.append(struct.pack("<" + fmt, *values))

    def table(self, lengths: dict[int, int]) -> None:
        self.pack("H", len(lengths))
        for symbol, length in sorted(lengths.items()):
            self.pack("HB", symbol, length)

    def bits(self, text: str) -> None:
        self.pack("I", len(text))
        padded = text + "0" * (-len(text) % 8)
        self.parts.append(int(padded, 2).to_bytes(len(padded) // 8, "big") if padded else b"")


def gaps(positions: torch.Tensor) -> list[int]:
    """Zeros skipped before each nonzero: p_0, then p_i − p_{i−1} − 1."""
    values = positions.tolist()
    return [p - q - 1 for p, q in zip(values, [-1, *values[:-1]], strict=True)]


def encode(layers: dict[str, SharedLayer], biases: dict[str, torch.Tensor], huffman=True) -> bytes:
    """The compressed file: magic, then per layer its name, shape, codebook, the gap and index
    tables and bit streams, then every bias as float32."""
    lengths_of = huffman_lengths if huffman else fixed_lengths
    out = Writer()
    out.parts.append(MAGIC)
    out.pack("B", len(layers))
    for name, layer in layers.items():
        label = name.encode()
        out.pack(f"B{len(label)}sB", len(label), label, len(layer.shape))
        out.pack(f"{len(layer.shape)}H", *layer.shape)
        out.pack("IH", layer.positions.numel(), layer.codebook.numel())
        out.pack(f"{layer.codebook.numel()}f", *layer.codebook.tolist())
        for symbols in (gaps(layer.positions), layer.indices.tolist()):
            lengths = lengths_of(Counter(symbols))
            out.table(lengths)
            out.bits(bit_string(symbols, canonical_codes(lengths)))
    out.pack("B", len(biases))
    for name, bias in biases.items():
        label = name.encode()
        out.pack(f"B{len(label)}sI", len(label), label, bias.numel())
        out.pack(f"{bias.numel()}f", *bias.tolist())
    return b"".join(out.parts)


class Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def unpack(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def table(self) -> dict[int, int]:
        (count,) = self.unpack("H")
        return dict(self.unpack("HB") for _ in range(count))

    def bits(self) -> str:
        (length,) = self.unpack("I")
        size = (length + 7) // 8
        chunk = self.data[self.at : self.at + size]
        self.at += size
        return format(int.from_bytes(chunk, "big"), f"0{size * 8}b")[:length] if size else ""


def decode(data: bytes) -> tuple[dict[str, SharedLayer], dict[str, torch.Tensor]]:
    """The layers and biases ``encode`` wrote."""
    if data[:4] != MAGIC:
        raise CnnBookError(f"data 不是 Deep Compression 文件（开头不是 {MAGIC.decode()}）")
    reader = Reader(data[4:])
    layers = {}
    for _ in range(reader.unpack("B")[0]):
        (size,) = reader.unpack("B")
        name = reader.unpack(f"{size}s")[0].decode()
        (dims,) = reader.unpack("B")
        shape = reader.unpack(f"{dims}H")
        count, clusters = reader.unpack("IH")
        codebook = torch.tensor(reader.unpack(f"{clusters}f"), dtype=torch.float32)
        streams = []
        for _stream in range(2):
            codes = canonical_codes(reader.table())
            streams.append(decode_bits(reader.bits(), codes, count) if count else [])
        steps = itertools.accumulate(gap + 1 for gap in streams[0])
        positions = torch.tensor(list(steps), dtype=torch.long) - 1
        layers[name] = SharedLayer(
            tuple(shape), positions, torch.tensor(streams[1], dtype=torch.long), codebook
        )
    biases = {}
    for _ in range(reader.unpack("B")[0]):
        (size,) = reader.unpack("B")
        name = reader.unpack(f"{size}s")[0].decode()
        (count,) = reader.unpack("I")
        biases[name] = torch.tensor(reader.unpack(f"{count}f"), dtype=torch.float32)
    return layers, biases


def model_biases(model: nn.Module) -> dict[str, torch.Tensor]:
    return {
        name: module.bias.detach()
        for name, module in model.named_modules()
        if isinstance(module, nn.Conv2d | nn.Linear) and module.bias is not None
    }
