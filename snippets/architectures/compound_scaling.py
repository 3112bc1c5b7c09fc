"""EfficientNet 的复合缩放：深度 × α^φ、宽度 × β^φ、分辨率 × γ^φ，约束 α·β²·γ² ≈ 2，
目标是 φ 每加 1、MACs 约翻一倍。"""

import torch
from torch.utils.flop_counter import FlopCounterMode
from torchvision import models

# --8<-- [start:rule]
alpha, beta, gamma = 1.2, 1.1, 1.15  # 论文在 B0 上网格搜索得到的系数
print(f"α·β²·γ² = {alpha * beta**2 * gamma**2:.3f}")
# MACs 与深度成正比、与宽度的平方成正比（卷积的 C_in·C_out）、与分辨率的平方成正比（H·W）
# --8<-- [end:rule]


# --8<-- [start:measure]
def macs(name: str) -> int:
    weights = models.get_model_weights(name).DEFAULT
    side = weights.transforms().crop_size[0]
    with torch.device("meta"):
        model = models.get_model(name, weights=None).eval()
    with FlopCounterMode(display=False) as counter:
        model(torch.empty(1, 3, side, side, device="meta"))
    return counter.get_total_flops() // 2


base = previous = macs("efficientnet_b0")
print("网络              输入   MACs (G)  相对 B0  acc@1")
for index in range(5):
    name = f"efficientnet_b{index}"
    weights = models.get_model_weights(name).DEFAULT
    side = weights.transforms().crop_size[0]
    count = macs(name)
    acc = weights.meta["_metrics"]["ImageNet-1K"]["acc@1"]
    print(f"{name:<17} {side:>4} {count / 1e9:>10.3f} {count / base:>8.2f} {acc:>6.2f}")
    assert index == 0 or count > previous  # 每一档都比前一档贵
    previous = count
# --8<-- [end:measure]
