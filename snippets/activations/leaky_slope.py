"""torch 的 LeakyReLU 默认斜率是 0.01；YOLO 等检测网络常用 0.1；PReLU 把斜率当作参数来学。"""

import inspect

import torch
from torch import nn
from torch.nn import functional as F

default_module = nn.LeakyReLU().negative_slope
default_function = inspect.signature(F.leaky_relu).parameters["negative_slope"].default
print("nn.LeakyReLU() 的 negative_slope:", default_module)
print("F.leaky_relu 的默认 negative_slope:", default_function)
assert default_module == default_function == 0.01

x = torch.tensor([-10.0, -1.0, 0.0, 2.0])
for slope in (0.01, 0.1):
    y = nn.LeakyReLU(negative_slope=slope)(x)
    assert torch.allclose(y, torch.where(x > 0, x, slope * x))
    print(f"negative_slope={slope}: {[round(v, 4) for v in y.tolist()]}")

prelu = nn.PReLU()  # 所有通道共用一个可学习的斜率
print("nn.PReLU() 的初始斜率:", prelu.weight.item(), " 可学习参数个数:", prelu.weight.numel())
assert prelu.weight.item() == 0.25 and prelu.weight.requires_grad
