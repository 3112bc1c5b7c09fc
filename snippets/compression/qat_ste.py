"""量化感知训练（QAT）：前向用量化后的权重，反向用直通估计器（STE）把梯度原样传给浮点权重。"""

import torch


# --8<-- [start:ste]
def fake_quantize(w: torch.Tensor, bits: int) -> torch.Tensor:
    """b 位对称、逐输出通道（每一行一个 s）：量化后立即反量化。"""
    top = 2 ** (bits - 1) - 1
    scale = w.detach().abs().amax(dim=1, keepdim=True) / top
    return torch.round(w / scale).clamp(-top, top) * scale


def ste(w: torch.Tensor, bits: int) -> torch.Tensor:
    """前向的值是 fake_quantize(w)；反向时当它是恒等映射：∂ŵ/∂w := 1。"""
    return w + (fake_quantize(w, bits) - w).detach()


# --8<-- [end:ste]

# --8<-- [start:gradient]
torch.manual_seed(0)
w = torch.randn(4, 8, requires_grad=True)
rounded_grad = torch.autograd.grad(fake_quantize(w, 2).sum(), w)[0]  # round 的导数几乎处处为 0
ste_value = ste(w, 2)
ste_grad = torch.autograd.grad(ste_value.sum(), w)[0]
assert torch.equal(ste_value, fake_quantize(w, 2))  # 前向：一模一样
assert torch.equal(ste_grad, torch.ones_like(w))  # 反向：梯度原样通过
print(f"直接对 round 求导，非零梯度的个数: {int((rounded_grad.abs() > 1e-6).sum())} / {w.numel()}")
print(f"经过 STE，梯度全为 1: {torch.equal(ste_grad, torch.ones_like(w))}")
# --8<-- [end:gradient]


# --8<-- [start:layer]
class QATLinear(torch.nn.Linear):
    """训练时前向用 b 位的权重；优化器更新的仍是浮点权重（“潜在”权重）。"""

    def __init__(self, in_features: int, out_features: int, bits: int) -> None:
        super().__init__(in_features, out_features)
        self.bits = bits

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.linear(x, ste(self.weight, self.bits), self.bias)


layer = QATLinear(8, 4, bits=2)
x = torch.randn(16, 8)
out = layer(x)
quantized = fake_quantize(layer.weight, 2).detach().requires_grad_(True)
reference = torch.nn.functional.linear(x, quantized, layer.bias)
assert torch.equal(out, reference)
out.square().sum().backward()
reference.square().sum().backward()
assert torch.allclose(layer.weight.grad, quantized.grad)  # 浮点权重收到的就是 ∂L/∂ŵ
levels = fake_quantize(layer.weight, 2).div(layer.weight.abs().amax(dim=1, keepdim=True)).unique()
print(f"2 位对称量化后每行只剩 {len(levels)} 种取值（以该行的 s 为单位）: {levels.tolist()}")
print(f"浮点权重的梯度等于对量化权重的梯度: {torch.allclose(layer.weight.grad, quantized.grad)}")
# --8<-- [end:layer]
