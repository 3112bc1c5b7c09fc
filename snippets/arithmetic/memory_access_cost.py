"""访存量（ShuffleNet V2 论文里叫 MAC，memory access cost）：乘加次数相同的 1×1 卷积，
输入、输出通道数相等时访存最少。"""

import math

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

side = 56  # 特征图 56×56，批大小 1
area = side * side


def macs_and_memory(c_in: int, c_out: int) -> tuple[int, int]:
    """一个不带偏置的 1×1 卷积：(乘加次数, 访存量)，访存量 = 输入 + 输出 + 权重的元素个数。"""
    with torch.device("meta"):  # 只看形状，不做计算
        conv = nn.Conv2d(c_in, c_out, kernel_size=1, bias=False)
        x = torch.empty(1, c_in, side, side)
        with FlopCounterMode(display=False) as counter:
            y = conv(x)
    macs = counter.get_total_flops() // 2  # 1 MAC = 2 FLOPs
    return macs, x.numel() + y.numel() + conv.weight.numel()


print(" C_in  C_out          MACs    访存量（元素）  是最少时的")
results = {}
for c_in, c_out in [(128, 128), (64, 256), (32, 512), (16, 1024)]:
    results[(c_in, c_out)] = macs_and_memory(c_in, c_out)
fewest = results[(128, 128)][1]
for (c_in, c_out), (macs, memory) in results.items():
    print(f"{c_in:>5}  {c_out:>5}  {macs:>12,}  {memory:>14,}  {memory / fewest:>9.2f} 倍")
assert len({macs for macs, _ in results.values()}) == 1  # 四种形状的乘加次数完全相同

# MACs = H·W·C_in·C_out；访存量 = H·W·(C_in + C_out) + C_in·C_out。
# 由均值不等式 C_in + C_out >= 2·sqrt(C_in·C_out)：乘积固定时，两者相等访存最少。
macs = results[(128, 128)][0]
least = 2 * math.sqrt(area * macs) + macs / area
print(f"下界 2·sqrt(H·W·MACs) + MACs/(H·W) = {least:,.0f}，C_in = C_out 时取到")
assert all(memory >= least for _, memory in results.values())
assert results[(128, 128)][1] == least
assert min(memory for _, memory in results.values()) == fewest
