"""int8 推理的核心：int8 × int8 的矩阵乘法，在 int32 里精确累加，再乘回两个缩放因子。

权重逐输出通道对称量化成 int8（存盘的就是它）；输入每一行在运行时对称量化（动态量化）。
torch._int_mm 是 PyTorch 的 int8 矩阵乘法（int8 × int8 → int32）。
"""

import io

import torch
from torch import nn

# --8<-- [start:layer]
INT8_MAX = 127


def quantize_rows(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """每一行对称量化：s = max|x| / 127，q = round(x / s)。"""
    scale = (x.abs().amax(dim=1, keepdim=True) / INT8_MAX).clamp(min=1e-12)
    return torch.round(x / scale).clamp(-INT8_MAX, INT8_MAX).to(torch.int8), scale


class Int8Linear(nn.Module):
    def __init__(self, linear: nn.Linear) -> None:
        super().__init__()
        weight_q, weight_scale = quantize_rows(linear.weight.detach())  # 每个输出一行、一个 s
        self.register_buffer("weight_int8", weight_q)  # (out, in)，每个元素 1 字节
        self.register_buffer("weight_scale", weight_scale.view(1, -1))  # (1, out)，float32
        self.register_buffer("bias", linear.bias.detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x_q, x_scale = quantize_rows(x)  # (batch, in) int8，(batch, 1)
        summed = torch._int_mm(x_q, self.weight_int8.t())  # int32，精确
        return summed.to(torch.float32) * x_scale * self.weight_scale + self.bias


# --8<-- [end:layer]

# --8<-- [start:check]
torch.manual_seed(0)
linear = nn.Linear(256, 120)  # LeNet 的 fc1
layer = Int8Linear(linear)
x = torch.randn(64, 256).relu()  # 像 ReLU 之后的激活
x_q, x_scale = quantize_rows(x)

summed = torch._int_mm(x_q, layer.weight_int8.t())
exact = x_q.to(torch.int64) @ layer.weight_int8.t().to(torch.int64)  # 用 int64 再算一遍
assert summed.dtype == torch.int32 and torch.equal(summed.to(torch.int64), exact)
# int32 不会溢出：每个积的绝对值 ≤ 127²，256 个相加 ≤ 256 · 16,129 = 4,129,024 < 2^31
assert 256 * INT8_MAX**2 == 4_129_024 < 2**31
print(f"int32 的和与精确的整数乘积和逐个相同: {torch.equal(summed.to(torch.int64), exact)}")

with torch.no_grad():
    reference = linear(x)
    error = (layer(x) - reference).abs().max() / reference.abs().max()
assert error < 0.01
print(f"最大误差不到最大输出的 1%: {bool(error < 0.01)}")


def file_bytes(module: nn.Module) -> int:
    buffer = io.BytesIO()
    torch.save(module.state_dict(), buffer)
    return buffer.getbuffer().nbytes


fp32_file, int8_file = file_bytes(linear), file_bytes(layer)
print(
    f"存盘文件: float32 {fp32_file:,} 字节，int8 {int8_file:,} 字节，"
    f"小 {fp32_file / int8_file:.2f} 倍"
)
print("int8 层存的张量:", {name: str(t.dtype) for name, t in layer.state_dict().items()})
# --8<-- [end:check]
