"""1×1 卷积：在每个像素上做同一个全连接层，只混合通道；瓶颈结构用它先降维再升维。"""

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

torch.manual_seed(0)

# --8<-- [start:per-pixel]
conv = nn.Conv2d(256, 64, kernel_size=1)
dense = nn.Linear(256, 64)
with torch.no_grad():  # 同一组权重：(64, 256, 1, 1) 与 (64, 256)
    dense.weight.copy_(conv.weight[:, :, 0, 0])
    dense.bias.copy_(conv.bias)

x = torch.randn(2, 256, 14, 14)
by_conv = conv(x)  # (2, 64, 14, 14)
# 把通道移到最后一维：每个像素是一个 256 维向量，nn.Linear 作用在最后一维上
by_dense = dense(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
same = torch.allclose(by_conv, by_dense, atol=1e-5)
print("1×1 卷积 == 逐像素的 nn.Linear:", same)
assert same and by_conv.shape == (2, 64, 14, 14)
# --8<-- [end:per-pixel]


# --8<-- [start:bottleneck]
def parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def macs(module: nn.Module, x: torch.Tensor) -> int:
    with FlopCounterMode(display=False) as counter:
        module(x)
    return counter.get_total_flops() // 2  # 本书约定：1 MAC = 2 FLOPs


# 只数形状、不真算：在 meta 设备上建层和输入，FlopCounterMode 照样按形状计数
with torch.device("meta"):
    plain = nn.Conv2d(256, 256, kernel_size=3, padding=1, bias=False)
    bottleneck = nn.Sequential(
        nn.Conv2d(256, 64, kernel_size=1, bias=False),  # 降维：256 -> 64 个通道
        nn.Conv2d(64, 64, kernel_size=3, padding=1, bias=False),  # 在 64 个通道上做 3×3
        nn.Conv2d(64, 256, kernel_size=1, bias=False),  # 升维：64 -> 256
    )
    feature = torch.zeros(1, 256, 56, 56)
assert plain(feature).shape == bottleneck(feature).shape == (1, 256, 56, 56)
rows = {"3×3 卷积 256->256": plain, "瓶颈 1×1 -> 3×3 -> 1×1": bottleneck}
for name, module in rows.items():
    print(f"{name:<22} 参数 {parameters(module):>9,}  MACs {macs(module, feature):>13,}")
assert parameters(plain) == 256 * 256 * 9
assert parameters(bottleneck) == 256 * 64 + 64 * 64 * 9 + 64 * 256
ratio = parameters(plain) / parameters(bottleneck)
assert macs(plain, feature) / macs(bottleneck, feature) == ratio  # 输出都是 56×56，比值相同
print(f"瓶颈结构的参数量和 MACs 都只有前者的 1/{ratio:.2f}")
# --8<-- [end:bottleneck]
