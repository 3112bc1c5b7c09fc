"""评估指标：参数量、按位宽计算的模型大小、存盘文件的真实大小、MACs 与 FLOPs、压缩比。

LeNet（第 9 章的网络）和 torchvision 的 AlexNet（weights=None：只建结构、随机初始化，不下载权重）
各算一遍。MACs 用第 2 章的计数器（同一套公式）；1 MAC = 2 FLOPs；MB = 10^6 字节，MiB = 2^20 字节。
"""

import os

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode
from torchvision import models


class LeNet(nn.Module):
    """第 9 章的 LeNet；channels、hidden 是各层宽度，压缩一章用它构造更窄的网络。"""

    def __init__(self, channels=(6, 16), hidden=(120, 84), num_classes=10) -> None:
        super().__init__()
        # 两个“卷积 → ReLU → 2×2 最大池化”阶段，再接三个全连接层
        self.conv1 = nn.Conv2d(1, channels[0], kernel_size=5)  # 1×28×28 → c1×24×24
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(kernel_size=2)  # → c1×12×12
        self.conv2 = nn.Conv2d(channels[0], channels[1], kernel_size=5)  # → c2×8×8
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(kernel_size=2)  # → c2×4×4
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(channels[1] * 4 * 4, hidden[0])
        self.relu3 = nn.ReLU()
        self.fc2 = nn.Linear(hidden[0], hidden[1])
        self.relu4 = nn.ReLU()
        self.fc3 = nn.Linear(hidden[1], num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.pool2(self.relu2(self.conv2(x)))
        x = self.relu3(self.fc1(self.flatten(x)))
        return self.fc3(self.relu4(self.fc2(x)))


# --8<-- [start:counters]
def count_macs(model: nn.Module, example: torch.Tensor) -> int:
    """一次前向的 MACs（第 2 章的约定）：卷积 = 输出元素数 × (C_in/groups)·K_h·K_w，
    全连接 = 输出元素数 × in_features；偏置、激活、池化不计。"""
    total = 0

    def hook(module: nn.Module, _inputs, output: torch.Tensor) -> None:
        nonlocal total
        if isinstance(module, nn.Conv2d):
            k_h, k_w = module.kernel_size
            total += output.numel() * (module.in_channels // module.groups) * k_h * k_w
        else:
            total += output.numel() * module.in_features

    layers = [m for m in model.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
    handles = [layer.register_forward_hook(hook) for layer in layers]
    with torch.no_grad():
        model.eval()(example)
    for handle in handles:
        handle.remove()
    return total


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def size_at_bits(parameters: int, bits: int) -> int:
    """只存参数、每个参数 bits 位时需要的字节数。"""
    return parameters * bits // 8


def saved_file_bytes(model: nn.Module, path: str = "lenet.pt") -> int:
    """把 state_dict 用 torch.save 真正写到磁盘上，量文件有多少字节。"""
    torch.save(model.state_dict(), path)
    return os.path.getsize(path)


# --8<-- [end:counters]

# --8<-- [start:table]
torch.manual_seed(0)
networks = {
    "LeNet": (LeNet(), torch.zeros(1, 1, 28, 28)),
    "AlexNet": (models.alexnet(weights=None), torch.zeros(1, 3, 224, 224)),
}
print("网络          参数量   fp32 MB  fp32 MiB   int8 MB   MACs（一张图）           FLOPs")
facts = {}
for name, (model, example) in networks.items():
    params = parameter_count(model)
    fp32, int8 = size_at_bits(params, 32), size_at_bits(params, 8)
    macs = count_macs(model, example)
    facts[name] = (params, fp32, int8, macs)
    print(
        f"{name:8}{params:>12,}{fp32 / 1e6:>10.3f}{fp32 / 2**20:>10.3f}{int8 / 1e6:>10.3f}"
        f"{macs:>17,}{2 * macs:>16,}"
    )
# --8<-- [end:table]

# --8<-- [start:file]
lenet = networks["LeNet"][0]
on_disk = saved_file_bytes(lenet)
payload = facts["LeNet"][1]
print(
    f"LeNet 存成 lenet.pt：{on_disk:,} 字节，其中参数 {payload:,} 字节，"
    f"其余 {on_disk - payload:,} 字节是文件格式的开销（张量名、形状、zip 目录）"
)
renamed = saved_file_bytes(lenet, "a_much_longer_file_name.pt")
print(f"同样的内容存成 a_much_longer_file_name.pt：{renamed:,} 字节")
alex_params, alex_fp32, alex_int8, alex_macs = facts["AlexNet"]
print(
    f"AlexNet：{alex_params / 1e6:.1f} M 个参数 × 4 字节 = {alex_fp32 / 1e6:.1f} MB"
    f" = {alex_fp32 / 2**20:.1f} MiB；int8 的压缩比 {alex_fp32 / alex_int8:.0f}"
)
print(
    f"AlexNet 的 MACs 是 LeNet 的 {alex_macs / facts['LeNet'][3]:,.0f} 倍，"
    f"参数量是 {alex_params / facts['LeNet'][0]:,.0f} 倍"
)
# --8<-- [end:file]

# 核对：FLOPs 与 PyTorch 的 FlopCounterMode 一致（它也按 1 MAC = 2 FLOPs 计、不计偏置）
for name, (model, example) in networks.items():
    with FlopCounterMode(display=False) as counter:
        model(example)
    assert counter.get_total_flops() == 2 * facts[name][3], name
# 手算 LeNet：6·576·25 + 16·64·150 + 256·120 + 120·84 + 84·10
assert facts["LeNet"][3] == 86_400 + 153_600 + 30_720 + 10_080 + 840 == 281_640
assert facts["LeNet"][0] == 44_426 and facts["AlexNet"][0] == 61_100_840
assert on_disk > payload and renamed > on_disk  # zip 里每个条目都以文件名为前缀
print(f"FLOPs 与 FlopCounterMode 一致: {counter.get_total_flops() == 2 * facts[name][3]}")
