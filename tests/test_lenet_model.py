"""Chapter 9: the LeNet of cnnbook and of every snippet, and the formulas the page states."""

from __future__ import annotations

import math
import re

import jupytext
import pytest
import torch
from torch import nn

from cnnbook.model import LeNet, count_parameters, layer_output_shapes
from cnnbook.training import FAST, TEXTBOOK, make_optimizer, make_scheduler
from tests.helpers import class_from_source
from tests.lenet_common import CHAPTER, GROUP, lenet_page, stored_output
from tests.paths import EXAMPLES, SNIPPETS

pytestmark = GROUP


def parameters_by_formula(model: LeNet) -> dict[str, int]:
    """C_out·(C_in·K² + 1) for a convolution, n_out·(n_in + 1) for a linear layer."""
    counts = {}
    for name, layer in model.named_children():
        if isinstance(layer, nn.Conv2d):
            kernel = layer.kernel_size[0] * layer.kernel_size[1]
            counts[name] = layer.out_channels * (layer.in_channels * kernel + 1)
        elif isinstance(layer, nn.Linear):
            counts[name] = layer.out_features * (layer.in_features + 1)
    return counts


def test_lenet_shapes_and_parameter_count() -> None:
    model = LeNet()
    shapes = layer_output_shapes(model, torch.zeros(2, 1, 28, 28))
    side = 28
    for stage, channels in (("1", model.conv1.out_channels), ("2", model.conv2.out_channels)):
        side = side - 5 + 1  # a 5×5 convolution without padding, stride 1
        assert shapes[f"conv{stage}"] == (2, channels, side, side)
        side //= 2  # 2×2 max pooling
        assert shapes[f"pool{stage}"] == (2, channels, side, side)
    assert shapes["flatten"] == (2, model.conv2.out_channels * side * side)
    assert shapes["fc3"] == (2, 10)
    by_formula = parameters_by_formula(model)
    assert sum(by_formula.values()) == count_parameters(model)
    stored = stored_output("lenet_model.out")
    for name, count in by_formula.items():  # the snippet's table: every layer's count
        assert re.search(rf"^{name} .*参数 +{count:,}$", stored, re.MULTILINE), name
    assert f"参数总数: {count_parameters(model):,}" in stored


def test_narrower_lenet_keeps_the_layer_names() -> None:
    student = LeNet(channels=(3, 8), hidden=(32, 16))
    assert [n for n, _ in student.named_parameters()] == [n for n, _ in LeNet().named_parameters()]
    assert student(torch.zeros(1, 1, 28, 28)).shape == (1, 10)
    assert count_parameters(student) < count_parameters(LeNet())


def assert_same_lenet(other: type) -> None:
    torch.manual_seed(0)
    ours = LeNet()
    torch.manual_seed(0)
    theirs = other()
    assert [(n, p.shape) for n, p in ours.named_parameters()] == [
        (n, p.shape) for n, p in theirs.named_parameters()
    ]
    # same seed → same initial weights (the layers are created in the same order)
    assert all(
        torch.equal(a, b) for a, b in zip(ours.parameters(), theirs.parameters(), strict=True)
    )
    torch.manual_seed(1)
    reloaded = other()
    reloaded.load_state_dict(ours.state_dict())
    x = torch.randn(16, 1, 28, 28)
    assert torch.equal(ours(x), reloaded(x))


LENET_SNIPPETS = ["lenet_model.py", "textbook_training.py", "fast_recipe.py",
                  "saved_gradients.py", "best_checkpoint.py", "default_init.py"]  # fmt: skip


@pytest.mark.parametrize("snippet", LENET_SNIPPETS)
def test_every_lenet_in_the_snippets_is_cnnbooks(snippet: str) -> None:
    assert_same_lenet(class_from_source((CHAPTER / snippet).read_text(encoding="utf-8")))


def test_the_list_of_snippets_with_a_lenet_is_complete() -> None:
    defining = sorted(p.name for p in CHAPTER.glob("*.py") if "class LeNet" in p.read_text())
    assert defining == sorted(LENET_SNIPPETS)


def test_the_notebooks_lenet_is_cnnbooks() -> None:
    notebook = jupytext.read(EXAMPLES / "lenet_mnist.py")
    [cell] = [c for c in notebook.cells if c.cell_type == "code" and "class LeNet" in c.source]
    assert_same_lenet(class_from_source(cell.source))


# --- formulas stated on the page ------------------------------------------------------------


def test_sgd_with_momentum_follows_the_stated_formula() -> None:
    """m_t = β m_{t-1} + g_t, θ_t = θ_{t-1} - η m_t (PyTorch's form, m_1 = g_1)."""
    torch.manual_seed(0)
    theta = torch.randn(5, requires_grad=True)
    lr, momentum = TEXTBOOK.lr, TEXTBOOK.momentum
    optimizer = torch.optim.SGD([theta], lr=lr, momentum=momentum)
    expected, velocity = theta.detach().clone(), torch.zeros(5)
    for step in range(3):
        optimizer.zero_grad()
        loss = ((theta - step) ** 2).sum()
        loss.backward()
        gradient = theta.grad.clone()
        velocity = gradient if step == 0 else momentum * velocity + gradient
        expected = expected - lr * velocity
        optimizer.step()
        assert torch.allclose(theta.detach(), expected, atol=1e-7)
    page = lenet_page()
    assert "$m_t = \\beta\\, m_{t-1} + g_t$，$\\theta_t = \\theta_{t-1} - \\eta\\, m_t$" in page
    assert f"$\\eta = {TEXTBOOK.lr:g}$、$\\beta = {TEXTBOOK.momentum:g}$" in page


def test_one_cycle_schedule_is_as_described() -> None:
    """Warm-up over 15 % of the steps from max/25 to max, then down to max/(25·10^4), with
    Adam's beta1 moving 0.95 → 0.85 → 0.95."""
    optimizer = make_optimizer(LeNet(), FAST)
    scheduler = make_scheduler(optimizer, FAST, steps_per_epoch=150)
    total = 150 * FAST.epochs
    rates, betas = [], []
    for _ in range(total):
        rates.append(optimizer.param_groups[0]["lr"])
        betas.append(optimizer.param_groups[0]["betas"][0])
        optimizer.step()
        scheduler.step()
    peak = rates.index(max(rates))
    assert rates[0] == pytest.approx(FAST.lr / 25) and max(rates) == pytest.approx(FAST.lr)
    assert peak == round(FAST.warmup_fraction * total) - 1
    assert rates[-1] == pytest.approx(FAST.lr / 25 / 1e4, rel=0.05)
    assert betas[0] == pytest.approx(0.95) and betas[peak] == pytest.approx(0.85)
    assert betas[-1] == pytest.approx(0.95, abs=1e-3)
    page = lenet_page()
    assert "$0.95 \\to 0.85 \\to 0.95$" in page
    assert f"$\\eta_\\text{{max}} = {FAST.lr:g}$" in page
    assert "从 $\\eta_\\text{max}/25$" in page and "$\\eta_\\text{max}/(25 \\times 10^4)$" in page


def test_default_initialisation_variance_and_he_initialisation() -> None:
    """PyTorch's default: U(±1/√n_in), so Var(w) = 1/(3·n_in); one layer maps unit variance to
    about 1/3. He (kaiming_normal_, ReLU gain): Var(w) = 2/n_in."""
    torch.manual_seed(0)
    for layer, fan_in in ((nn.Conv2d(1, 6, 5), 25), (nn.Linear(256, 120), 256)):
        bound = 1 / math.sqrt(fan_in)
        assert bound * 0.95 < layer.weight.abs().max() <= bound
    wide = nn.Linear(4096, 2048, bias=False)
    assert wide.weight.var().item() == pytest.approx(1 / (3 * 4096), rel=0.01)
    x = torch.randn(4096, 4096)
    assert wide(x).var().item() == pytest.approx(1 / 3, rel=0.02)
    nn.init.kaiming_normal_(wide.weight)
    assert wide.weight.var().item() == pytest.approx(2 / 4096, rel=0.01)
    page = lenet_page()
    assert "$\\operatorname{Var}(w) = \\frac{1}{3\\,n_\\text{in}}$" in page
    assert "$n_\\text{in} \\cdot \\operatorname{Var}(w) = 1/3$" in page
    assert "$\\operatorname{Var}(w) = 2/n_\\text{in}$" in page


def test_the_sign_of_first_layer_gradients() -> None:
    """∂ℓ/∂w_i = δ·x_i, so for non-negative inputs one sample's gradients on a neuron's
    weights all share δ's sign."""
    torch.manual_seed(0)
    neuron = nn.Linear(784, 1)
    x = torch.rand(1, 784)  # pixels in [0, 1], as before normalising
    a = neuron(x)
    a.retain_grad()
    ((a - 3.0) ** 2).sum().backward()
    delta = a.grad[0, 0]
    assert torch.allclose(neuron.weight.grad[0], delta * x[0])
    assert bool((torch.sign(neuron.weight.grad) == torch.sign(delta)).all())
    assert "$\\partial \\ell / \\partial w_i = \\delta\\, x_i$" in lenet_page()


def test_cross_entropy_is_minus_ln_softmax_of_the_true_class() -> None:
    """ℓ(z, y) = -ln(e^{z_y} / Σ_k e^{z_k}), averaged over the batch by nn.CrossEntropyLoss;
    an untrained network's near-uniform softmax gives about ln 10."""
    torch.manual_seed(0)
    logits, labels = torch.randn(8, 10, dtype=torch.float64), torch.randint(0, 10, (8,))
    by_hand = -torch.log(logits.exp()[torch.arange(8), labels] / logits.exp().sum(dim=1))
    assert torch.allclose(nn.CrossEntropyLoss()(logits, labels), by_hand.mean())
    page = lenet_page()
    assert "$\\ell(z, y) = -\\ln \\bigl( e^{z_y} / \\sum_{k} e^{z_k} \\bigr)$" in page
    assert f"$\\ln 10 \\approx {math.log(10):.3f}$" in page
    stored = float(re.search(r"损失: ([\d.]+)", stored_output("saved_gradients.out"))[1])
    assert abs(stored - math.log(10)) < 0.05  # "接近 ln 10"


def test_label_smoothing_floor_and_target() -> None:
    eps, classes = FAST.label_smoothing, 10
    true_target = 1 - eps + eps / classes
    entropy = -(true_target * math.log(true_target) + 9 * (eps / classes) * math.log(eps / 10))
    assert f"损失的下限: {entropy:.4f}" in stored_output("label_smoothing.out")
    page = lenet_page()
    assert f"${1 - eps:g} + {eps / classes:g} = {true_target:g}$" in page
    assert f"$\\varepsilon = {eps:g}$" in page


def test_lenet5_scaled_tanh_maps_one_to_one() -> None:
    """LeNet-5's f(a) = 1.7159·tanh(2a/3) was chosen so that f(±1) = ±1 (LeCun et al., 1998)."""
    assert 1.7159 * math.tanh(2 / 3) == pytest.approx(1.0, abs=1e-4)
    assert "$f(a) = 1.7159 \\tanh(2a/3)$" in lenet_page()


def test_the_lenet5_geometry_the_page_states() -> None:
    """32×32 inputs: the second pooling layer gives 16×5×5 = 400 numbers, and fc1 grows by
    (400 - 256)·120 weights (exercise 1 computes the same with PyTorch)."""
    side = ((32 - 4) // 2 - 4) // 2
    flattened = 16 * side * side
    extra = (flattened - 256) * 120
    history = (SNIPPETS / "overview" / "history_params.out").read_text(encoding="utf-8")
    lenet5 = int(re.search(r"^LeNet-5 +([\d,]+)", history, re.MULTILINE)[1].replace(",", ""))
    assert extra == lenet5 - count_parameters(LeNet())
    page = lenet_page()
    assert f"$16 \\times {side} \\times {side} = {flattened}$" in page
    assert f"$({flattened} - 256) \\times 120 = {extra:,}$".replace(",", "{,}") in page
