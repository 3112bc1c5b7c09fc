"""Chapter 10 (模型压缩), the methods themselves: pruning (fine-grained, gradual, channel, the
lottery rewind), low-rank factorisation, quantisation-aware training and binary weights, and
Deep Compression's weight sharing and Huffman coding — each against PyTorch, a formula, or the
snippet the page shows."""

from __future__ import annotations

import copy
import itertools
import math
from collections import Counter

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import prune as torch_prune

from cnnbook.compression import costs, lowrank, pruning, qat
from cnnbook.compression import deep_compression as dc
from cnnbook.compression import quantization as quant
from cnnbook.compression.experiments.lottery import masked_start
from cnnbook.compression.fitting import Mnist, fit
from cnnbook.model import LeNet
from cnnbook.training import FAST, train
from tests.helpers import snippet


def random_lenet(seed: int = 0, **widths) -> LeNet:
    torch.manual_seed(seed)
    return LeNet(**widths).eval()


@pytest.fixture(scope="module")
def mnist(mnist_root) -> Mnist:
    return Mnist.load(mnist_root, download=False)


def test_fit_trains_exactly_like_chapter_9(mnist: Mnist, mnist_root) -> None:
    """The loop every compression method trains with is chapter 9's fast recipe, bit for bit."""
    fitted = fit(LeNet, mnist, seed=3, epochs=1, train_samples=1_500)
    run = train(FAST, root=mnist_root, seed=3, epochs=1, train_samples=1_500, download=False)
    theirs = run.model.state_dict()
    assert all(torch.equal(v, theirs[k]) for k, v in fitted.model.state_dict().items())
    assert fitted.validation_accuracies == [run.history[0].validation_accuracy]
    assert fitted.test_accuracy == run.test_accuracy


# --- fine-grained and structured pruning ----------------------------------------------------


@settings(max_examples=25, deadline=None, derandomize=True)
@given(sparsity=st.floats(0, 0.999), seed=st.integers(0, 3))
def test_magnitude_masks_match_torch_prune(sparsity: float, seed: int) -> None:
    model = random_lenet(seed)
    # cnnbook prunes the channels_last weights training leaves; torch's tool needs contiguous ones
    masks = pruning.magnitude_masks(
        copy.deepcopy(model).to(memory_format=torch.channels_last), sparsity, "global"
    )
    layers = [m for m in model.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
    theirs = copy.deepcopy(model)
    their_layers = [m for m in theirs.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
    torch_prune.global_unstructured(
        [(m, "weight") for m in their_layers], torch_prune.L1Unstructured, amount=sparsity
    )
    assert all(
        torch.equal(masks[name], m.weight_mask)
        for name, m in zip(pruning.prunable_weights(model), their_layers, strict=True)
    )
    total = sum(m.weight.numel() for m in layers)
    assert sum(int((mask == 0).sum()) for mask in masks.values()) == round(sparsity * total)
    per_layer = pruning.magnitude_masks(model, sparsity, "layer")
    for (name, mask), layer in zip(per_layer.items(), layers, strict=True):
        reference = copy.deepcopy(layer)
        torch_prune.l1_unstructured(reference, "weight", amount=sparsity)
        assert torch.equal(mask, reference.weight_mask), name


def test_the_pruning_snippet_is_cnnbooks() -> None:
    chapter = snippet("compression/magnitude_pruning")
    model = chapter["model"]
    ours = pruning.magnitude_masks(model, chapter["sparsity"], "global")
    assert all(torch.equal(ours[name], chapter["ours"]["global"][name]) for name in ours)


def test_pruned_weights_stay_zero_while_fine_tuning(mnist: Mnist) -> None:
    base = random_lenet()
    masks = pruning.magnitude_masks(base, 0.9, "global")
    fitted = fit(
        lambda: pruning.pruned_copy(base, masks),
        mnist,
        epochs=1,
        train_samples=640,
        after_step=pruning.keep_masks(masks),
    )
    assert pruning.overall_sparsity(fitted.model) == pytest.approx(0.9, abs=1e-4)
    for name, weight in pruning.prunable_weights(fitted.model).items():
        assert torch.all(weight[masks[name] == 0] == 0), name


def test_gradual_pruning_schedule() -> None:
    schedule = pruning.GradualPruning(0.9, end_step=100, every=10)
    values = [schedule.sparsity_at(step) for step in range(0, 121)]
    assert values[0] == 0 and values[100] == values[120] == pytest.approx(0.9)
    assert all(a <= b for a, b in itertools.pairwise(values))
    assert schedule.sparsity_at(50) == pytest.approx(0.9 * (1 - 0.5**3))
    model = random_lenet()
    for _ in range(100):
        schedule(model)
    assert pruning.overall_sparsity(model) == pytest.approx(0.9, abs=1e-4)


def test_channel_pruning_really_removes_units() -> None:
    model = random_lenet()
    small = pruning.prune_lenet(model, (4, 8), (60, 42))
    chapter = snippet("compression/channel_pruning")
    their_model = chapter["LeNet"]()
    their_model.load_state_dict(model.state_dict())
    theirs, keep = chapter["prune_lenet"](their_model, (4, 8), (60, 42))
    assert all(
        torch.equal(a, b)
        for a, b in zip(small.state_dict().values(), theirs.state_dict().values(), strict=True)
    )
    # the units kept are the largest-L1 ones (Li et al., 2017)
    norms = model.conv2.weight.abs().sum(dim=(1, 2, 3))
    assert norms[keep["conv2"]].min() >= norms[~torch.isin(torch.arange(16), keep["conv2"])].max()
    assert costs.count_parameters(small) == sum(p.numel() for p in chapter["small"].parameters())
    assert costs.total_macs(small) == chapter["macs"](small)


def test_lottery_ticket_starts_from_the_initial_weights() -> None:
    torch.manual_seed(3)
    initial = LeNet().state_dict()
    trained = random_lenet(7)
    masks = pruning.magnitude_masks(trained, 0.95, "global")
    ticket = masked_start(initial, masks)
    for name, weight in pruning.prunable_weights(ticket).items():
        kept = masks[name].bool()
        assert torch.equal(weight[kept], initial[f"{name}.weight"][kept])
        assert torch.all(weight[~kept] == 0)
    rewind = snippet("compression/lottery_rewind")
    assert rewind["still_zero"] and 0.09 < rewind["kept"] / rewind["total"] < 0.11


# --- low rank -------------------------------------------------------------------------------


@settings(max_examples=20, deadline=None, derandomize=True)
@given(rank=st.integers(1, 84), seed=st.integers(0, 100))
def test_truncated_svd_is_the_best_low_rank_approximation(rank: int, seed: int) -> None:
    torch.manual_seed(seed)
    linear = nn.Linear(120, 84)
    factor = lowrank.factorize(linear, rank)
    product = factor[1].weight.double() @ factor[0].weight.double()
    singular = lowrank.singular_values(linear)
    error = torch.linalg.matrix_norm(linear.weight.double() - product)
    assert error.item() == pytest.approx(
        singular[rank:].square().sum().sqrt().item(), rel=1e-4, abs=1e-5
    )
    x = torch.randn(5, 120)
    with torch.no_grad():
        assert torch.allclose(factor(x), F.linear(x, product.float(), linear.bias), atol=1e-5)
    weights = sum(m.weight.numel() for m in factor.modules() if isinstance(m, nn.Linear))
    assert weights == lowrank.factorized_parameters(120, 84, rank)


def test_low_rank_lenet_costs_and_the_snippet() -> None:
    model = lowrank.factorize_layers(random_lenet(), {"fc1": 16, "fc2": 16})
    assert costs.count_parameters(model) == costs.count_parameters(LeNet()) - (
        256 * 120 + 120 * 84
    ) + 16 * (256 + 120) + 16 * (120 + 84)
    assert costs.total_macs(model) == costs.total_macs(LeNet()) - 256 * 120 - 120 * 84 + 16 * (
        256 + 120 + 120 + 84
    )
    chapter = snippet("compression/low_rank")
    linear = chapter["fc1"]
    for rank in (4, 32):
        theirs, ours = chapter["factorize"](linear, rank), lowrank.factorize(linear, rank)
        assert torch.allclose(
            theirs[1].weight @ theirs[0].weight, ours[1].weight @ ours[0].weight, atol=1e-6
        )
    assert chapter["break_even"] == 120 * 256 / (120 + 256)
    kept = lowrank.factorize_layers(random_lenet(), {"fc1": 120, "fc2": 84})
    assert isinstance(kept.fc1, nn.Linear)  # a full rank would not save: the layer stays


# --- quantisation-aware training and binary weights ----------------------------------------


def test_straight_through_estimator() -> None:
    torch.manual_seed(0)
    model = LeNet()
    trained = qat.with_quantizer(model, qat.uniform(2))
    x = torch.randn(4, 1, 28, 28)
    ptq = qat.quantize_with(model, qat.uniform(2))
    with torch.no_grad():
        assert torch.equal(trained(x), ptq(x))  # forward: exactly the PTQ network
    trained(x).square().sum().backward()
    latent = trained.fc1.parametrizations.weight.original
    reference = copy.deepcopy(ptq).train()
    reference(x).square().sum().backward()
    assert torch.allclose(latent.grad, reference.fc1.weight.grad, atol=1e-6)  # STE: ∂ŵ/∂w = 1
    frozen = qat.freeze(trained)
    assert torch.equal(frozen.fc1.weight, ptq.fc1.weight)
    assert frozen.fc1.weight.unique().numel() <= 3 * frozen.fc1.out_features  # ternary rows
    chapter = snippet("compression/qat_ste")
    weight = torch.randn(6, 10)
    assert torch.equal(chapter["fake_quantize"](weight, 3), quant.fake_quantize(weight, 3, axis=0))


def test_binary_weights_use_the_optimal_scale() -> None:
    torch.manual_seed(0)
    weight = torch.randn(8, 3, 5, 5)
    binary = qat.binarize(weight)
    alpha = binary.abs().flatten(start_dim=1)
    assert torch.all(alpha == alpha[:, :1])  # one scale per output channel
    assert torch.equal(torch.sign(binary), torch.where(weight >= 0, 1.0, -1.0))
    best = ((weight - binary) ** 2).sum()
    for factor in (0.9, 1.1):  # any other scale is worse
        assert ((weight - factor * binary) ** 2).sum() > best
    chapter = snippet("compression/binary_weights")
    assert torch.equal(chapter["binarize"](weight.flatten(1)), binary.flatten(1))
    assert min(chapter["errors"], key=chapter["errors"].get) == "mean|w|"


# --- Deep Compression -------------------------------------------------------------------------


@settings(max_examples=30, deadline=None, derandomize=True)
@given(counts=st.lists(st.integers(1, 500), min_size=1, max_size=20))
def test_huffman_codes_are_optimal_prefix_codes(counts: list[int]) -> None:
    frequencies = dict(enumerate(counts))
    lengths = dc.huffman_lengths(frequencies)
    codes = dc.canonical_codes(lengths)
    words = list(codes.values())
    assert not any(a != b and b.startswith(a) for a in words for b in words)  # prefix-free
    total = sum(counts)
    average = sum(frequencies[s] * lengths[s] for s in frequencies) / total
    entropy = -sum(n / total * math.log2(n / total) for n in counts)
    assert entropy - 1e-9 <= average < entropy + 1 or len(counts) == 1
    symbols = [s for s, n in frequencies.items() for _ in range(min(n, 3))]
    bits = dc.bit_string(symbols, codes)
    assert dc.decode_bits(bits, codes, len(symbols)) == symbols
    if len(counts) > 1:  # (one symbol: the snippet's code is empty, cnnbook's has one bit)
        theirs = snippet("compression/weight_sharing")["huffman_lengths"](Counter(frequencies))
        assert sorted(theirs.values()) == sorted(lengths.values())


def test_kmeans_matches_the_snippet_and_moves_toward_the_data() -> None:
    chapter = snippet("compression/weight_sharing")
    weights = chapter["weights"]
    ours = dc.kmeans_1d(weights, 16)
    theirs = chapter["kmeans_1d"](weights, 16)
    assert torch.allclose(ours, theirs.sort().values, atol=1e-9)
    evenly = torch.linspace(weights.min().item(), weights.max().item(), 16, dtype=torch.float64)

    def squared_error(centroids: torch.Tensor) -> float:
        return (weights[:, None] - centroids[None, :]).abs().min(dim=1).values.square().sum().item()

    assert squared_error(ours) < squared_error(evenly)


def test_the_deep_compression_file_round_trips() -> None:
    model = random_lenet()
    pruned = pruning.pruned_copy(model, pruning.magnitude_masks(model, 0.9, "global"))
    shared, layers = dc.shared_model(pruned, 4)
    biases = dc.model_biases(shared)
    for huffman in (True, False):
        data = dc.encode(layers, biases, huffman=huffman)
        decoded, decoded_biases = dc.decode(data)
        assert all(torch.equal(decoded[n].weight(), layers[n].weight()) for n in layers)
        assert all(torch.equal(decoded_biases[n], biases[n]) for n in biases)
    for name, module in shared.named_modules():
        if name in layers:
            assert module.weight.unique().numel() <= 16 + 1  # 16 shared values and the zeros
            assert torch.equal(module.weight == 0, pruning.prunable_weights(pruned)[name] == 0)
    with pytest.raises(ValueError, match="data 不是 Deep Compression 文件"):
        dc.decode(b"XXXX")
    assert len(dc.encode(layers, biases, huffman=True)) <= len(dc.encode(layers, biases, False))


@pytest.mark.parametrize(
    ("call", "complaint"),
    [
        (lambda: pruning.magnitude_masks(LeNet(), 1.0), "sparsity 必须在"),
        (lambda: pruning.magnitude_masks(LeNet(), "0.5"), "sparsity 必须在"),
        (lambda: pruning.magnitude_masks(LeNet(), 0.5, "row"), "scope 必须是"),
        (lambda: pruning.magnitude_masks(LeNet(), 0.5, layers=["relu1"]), "layers 里的"),
        (lambda: pruning.GradualPruning(1.2, 10), "sparsity 必须在"),
        (lambda: pruning.prune_lenet(LeNet(), (7, 16), (120, 84)), "channels 必须是"),
        (lambda: pruning.prune_lenet(LeNet(), (6, 16), (0, 84)), "hidden 必须是"),
        (lambda: pruning.prune_lenet(nn.Linear(2, 2), (1, 1), (1, 1)), "model 必须是"),
        (lambda: lowrank.factorize(nn.Linear(4, 3), 4), "rank 必须在 1 到"),
        (lambda: lowrank.factorize(nn.Linear(4, 3), 1.5), "rank 必须是整数"),
        (lambda: lowrank.factorize_layers(LeNet(), {"relu1": 2}), "不是模型的 Linear 层"),
        (lambda: qat.uniform(9), "bits 必须是 2 到 8 之间的整数"),
        (lambda: dc.share_weights(torch.ones(3, 3), 0), "bits 必须在 1 到 8 之间"),
        (lambda: dc.kmeans_1d(torch.ones(0), 4), "k-means 需要"),
    ],
)
def test_bad_arguments_name_themselves(call, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        call()
