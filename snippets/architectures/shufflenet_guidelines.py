"""ShuffleNet V2 的准则 G1、G2、G4，用访存量算一遍
（memory access cost：论文里缩写为 MAC，与乘加次数无关）。

访存量按元素个数计：读输入、写输出、读权重，各一次（与第 2 章的约定相同）。"""

import math
from collections import Counter

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten
from torchvision import models


# --8<-- [start:g1]
def pointwise_traffic(side: int, c_in: int, c_out: int, groups: int = 1) -> int:
    """1×1 卷积（c_in → c_out，分 groups 组）在 side×side 特征图上的访存量：输入 + 输出 + 权重。"""
    return side * side * (c_in + c_out) + c_in * c_out // groups


side, macs = 56, 56 * 56 * 128 * 128  # 乘加次数固定为 H·W·C_in·C_out（C_in = C_out = 128 时）
lower_bound = 2 * math.sqrt(side * side * macs) + macs / (side * side)
print("G1  C_in:C_out  C_in  C_out  访存量 / 下界")
for ratio in [1, 4, 16, 64]:  # C_in·C_out = 128² = 2^14，比值取 4 的幂才能整除
    c_in = round(math.sqrt(macs / (side * side) / ratio))
    c_out = macs // (side * side * c_in)
    assert side * side * c_in * c_out == macs  # 乘加次数相同
    traffic = pointwise_traffic(side, c_in, c_out)
    print(f"    1:{ratio:<9} {c_in:>4} {c_out:>6} {traffic / lower_bound:>13.3f}")
    assert traffic >= lower_bound - 1e-6  # 均值不等式：C_in + C_out ≥ 2·sqrt(C_in·C_out)
assert pointwise_traffic(side, 128, 128) == lower_bound  # 等号在 C_in = C_out 时成立
# --8<-- [end:g1]

# --8<-- [start:g2]
print("G2  分组        C_in  C_out  访存量 / 不分组")
base = pointwise_traffic(side, 128, 128)
for groups in [1, 2, 4, 8]:
    c_out = 128 * groups  # 输入 128 通道、乘加次数固定：分组越多，输出通道可以越多
    assert side * side * 128 * c_out // groups == macs
    traffic = pointwise_traffic(side, 128, c_out, groups)
    print(f"    G = {groups:<8} 128 {c_out:>6} {traffic / base:>13.3f}")
# --8<-- [end:g2]


# --8<-- [start:g4]
class Traffic(TorchDispatchMode):
    """每个 ATen 运算读写了多少个元素，按运算分类累加（形状变换与建空张量不搬数据，不计）。"""

    FREE = ("view", "t.", "detach", "empty", "permute", "transpose", "_reshape_alias")

    def __init__(self):
        super().__init__()
        self.elements = Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        name = str(func)
        if not any(part in name for part in self.FREE):
            tensors = [
                t for t in tree_flatten((args, kwargs, out))[0] if isinstance(t, torch.Tensor)
            ]
            kind = (
                "卷积与全连接"
                if "convolution" in name or "addmm" in name
                else "BN、ReLU、相加、池化"
            )
            self.elements[kind] += sum(t.numel() for t in tensors)
        return out


with torch.device("meta"):
    resnet50 = models.resnet50().eval()
traffic = Traffic()
with traffic:
    resnet50(torch.empty(1, 3, 224, 224, device="meta"))
total = sum(traffic.elements.values())
for kind, elements in traffic.elements.most_common():
    print(f"G4  ResNet-50 {kind}: 访存 {elements * 4 / 1e6:.1f} MB（{elements / total:.0%}）")
assert traffic.elements["BN、ReLU、相加、池化"] > traffic.elements["卷积与全连接"] / 2
# --8<-- [end:g4]
