"""“hard sigmoid”有不止一种定义：torch 用的是哪一种？hard-swish 又用哪一种？"""

import torch
from torch import nn
from torch.nn import functional as F

torch.set_default_dtype(torch.float64)
x = torch.arange(-8 * 256, 8 * 256 + 1) / 256  # [-8, 8]，步长 1/256，含 ±1、±2.5、±3

definitions = {
    "clip((x+1)/2, 0, 1)": torch.clamp((x + 1) / 2, 0, 1),  # BinaryConnect（Courbariaux 等）
    "clip(0.2x+0.5, 0, 1)": torch.clamp(0.2 * x + 0.5, 0, 1),  # 旧版 Keras
    "ReLU6(x+3)/6": F.relu6(x + 3) / 6,  # MobileNetV3
}
torch_hardsigmoid = nn.Hardsigmoid()(x)
print("定义" + " " * 18 + "== nn.Hardsigmoid 0 处斜率  饱和于  与 sigmoid 的最大差")
for name, values in definitions.items():
    matches = torch.allclose(values, torch_hardsigmoid, rtol=0, atol=1e-15)
    slope = ((values[x == 0.5] - values[x == -0.5]) / 1.0).item()  # 中段是直线，差商即斜率
    saturates = x[values >= 1].min().item()
    error = (values - torch.sigmoid(x)).abs().max().item()
    print(f"{name:<22}{matches!s:<18}{slope:<10.4g}±{saturates:<7g}{error:.4f}")
    assert matches == (name == "ReLU6(x+3)/6")

# hard-swish 用的是 ReLU6(x+3)/6 这个版本
hardswish = nn.Hardswish()(x)
uses_relu6 = torch.allclose(hardswish, x * F.relu6(x + 3) / 6, rtol=0, atol=1e-15)
uses_clip = torch.allclose(hardswish, x * torch.clamp((x + 1) / 2, 0, 1), rtol=0, atol=1e-15)
assert uses_relu6 and not uses_clip
print("nn.Hardswish == x*ReLU6(x+3)/6:", uses_relu6, "  == x*clip((x+1)/2, 0, 1):", uses_clip)
swish_gap = (hardswish - F.silu(x)).abs().max().item()
print(f"hard-swish 与 SiLU 的最大差: {swish_gap:.4f}")
