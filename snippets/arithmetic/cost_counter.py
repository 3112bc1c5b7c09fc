"""逐层统计计算量（MACs / FLOPs）、参数量与访存量：对 Conv2d、Linear、BatchNorm2d 挂前向钩子。

本书统计成本的约定（第 2 章定义，模型压缩一章沿用）：

* 1 MAC（multiply–accumulate，乘加）= 一次乘法 + 一次加法；FLOPs = 2 × MACs。
  FLOPs 是运算次数，不是每秒运算次数（FLOPS）。
* Conv2d：MACs = N · C_out · H' · W' · (C_in / groups) · K_h · K_w，
  即每个输出元素做一次“窗口 × 滤波器”的点积。
  Linear：MACs = 输出元素个数 × in_features（输入为 (N, in) 时就是 N · in · out）。
* BatchNorm2d 按推理时计：y = a·x + b（a、b 由 γ、β、running_mean、running_var 预先算好），
  每个元素 1 MAC，共 N · C · H · W。BN 折叠进前面的卷积之后，这一项变为 0；训练时统计均值、
  方差的运算不计。
* 不计：偏置加法（每个输出元素 1 次加法）、激活函数、池化、逐元素相加与拼接。
* 参数量：module.parameters() 的元素个数。BN 的 γ、β 计入；running_mean、running_var
  是缓冲区（buffer），不计入参数量，但计入访存量。
* 访存量：假设每层把输入读一遍、把输出写一遍、把它的全部参数和浮点缓冲区读一遍，按元素个数相加；
  字节数 = 元素个数 × 每个元素的字节数（float32 为 4）。不计缓存命中、重复读取和 im2col 这类临时
  缓冲区，所以它是理想情况下的下界。
* 统计一次前向：N 个样本的计算量与激活都计入，参数只计一次。
* 单位：M = 10^6，G = 10^9；MB = 10^6 字节，MiB = 2^20 字节。
"""

from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

COUNTED = (nn.Conv2d, nn.Linear, nn.BatchNorm2d)


# --8<-- [start:counter]
@dataclass(frozen=True)
class LayerCost:
    name: str
    kind: str
    macs: int
    parameters: int
    memory_elements: int  # 输入 + 输出 + 参数与浮点缓冲区
    memory_bytes: int

    @property
    def flops(self) -> int:
        return 2 * self.macs


def layer_macs(module: nn.Module, output: torch.Tensor) -> int:
    if isinstance(module, nn.Conv2d):
        k_h, k_w = module.kernel_size
        return output.numel() * (module.in_channels // module.groups) * k_h * k_w
    if isinstance(module, nn.Linear):
        return output.numel() * module.in_features
    return output.numel()  # BatchNorm2d：每个元素一次乘加


def count_costs(model: nn.Module, example: torch.Tensor) -> list[LayerCost]:
    """对 example 做一次前向（推理模式、不求梯度），返回每个被统计的层的成本。"""
    costs: list[LayerCost] = []

    def record(name: str):
        def hook(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor):
            weights = [
                *module.parameters(),
                *(b for b in module.buffers() if b.is_floating_point()),
            ]
            tensors = [inputs[0], output, *weights]
            costs.append(
                LayerCost(
                    name=name,
                    kind=type(module).__name__,
                    macs=layer_macs(module, output),
                    parameters=sum(p.numel() for p in module.parameters()),
                    memory_elements=sum(t.numel() for t in tensors),
                    memory_bytes=sum(t.numel() * t.element_size() for t in tensors),
                )
            )

        return hook

    handles = [
        module.register_forward_hook(record(name))
        for name, module in model.named_modules()
        if isinstance(module, COUNTED)
    ]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(example)
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return costs


# --8<-- [end:counter]

# --8<-- [start:table]
torch.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(3, 32, kernel_size=3, padding=1),
    nn.BatchNorm2d(32),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(32, 64, kernel_size=3, stride=2, padding=1, groups=2, bias=False),
    nn.BatchNorm2d(64),
    nn.ReLU(),
    nn.Flatten(),
    nn.Linear(64 * 8 * 8, 10),
)
example = torch.randn(1, 3, 32, 32)
costs = count_costs(model, example)

print("层" + " " * 17 + "MACs      FLOPs    参数  访存(元素)      字节  FLOPs/字节")
for c in costs:  # 上一行的列宽按“一个汉字占两格”对齐
    print(
        f"{c.name} {c.kind:<12}{c.macs:>9,}{c.flops:>11,}{c.parameters:>8,}"
        f"{c.memory_elements:>12,}{c.memory_bytes:>10,}{c.flops / c.memory_bytes:>12.2f}"
    )
total_macs = sum(c.macs for c in costs)
total_bytes = sum(c.memory_bytes for c in costs)
print(
    f"合计 {total_macs / 1e6:.2f} M MACs = {2 * total_macs / 1e6:.2f} M FLOPs，"
    f"访存 {total_bytes / 1e6:.2f} MB（{total_bytes / 2**20:.2f} MiB）"
)
# --8<-- [end:table]

# --8<-- [start:checks]
# 1. 参数量与 PyTorch 数出来的一致（ReLU、池化、Flatten 没有参数）
assert sum(c.parameters for c in costs) == sum(p.numel() for p in model.parameters())
# 2. 卷积、全连接的 FLOPs 与 PyTorch 自带的 FlopCounterMode 逐层一致；它不统计 BN
with FlopCounterMode(display=False) as flop_counter:
    model.eval()(example)
by_module = flop_counter.get_flop_counts()
for c in costs:
    theirs = sum(by_module.get(f"Sequential.{c.name}", {}).values())
    assert theirs == (0 if c.kind == "BatchNorm2d" else c.flops), (c, theirs)
assert flop_counter.get_total_flops() == sum(c.flops for c in costs if c.kind != "BatchNorm2d")
# 3. 第一层卷积按公式手算：N·C_out·H'·W'·(C_in/groups)·K_h·K_w；访存 = 输入 + 输出 + 权重 + 偏置
first = costs[0]
assert first.macs == 1 * 32 * 32 * 32 * 3 * 3 * 3
assert first.memory_elements == 3 * 32 * 32 + 32 * 32 * 32 + (32 * 3 * 3 * 3 + 32)
assert first.memory_bytes == 4 * first.memory_elements  # float32
print("与 module.parameters() 和 FlopCounterMode 的结果一致: True")
# --8<-- [end:checks]
