"""练习 3：ResNet-50 的最后特征图 2048×7×7：拉平后接全连接层与先做 GAP，参数各多少？"""

from torch import nn


def parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


flatten_fc = nn.Linear(2048 * 7 * 7, 1000, device="meta")  # meta：只要形状，不分配内存
gap_fc = nn.Linear(2048, 1000, device="meta")
print(f"拉平 + 全连接：{parameters(flatten_fc):,} 个参数")
print(f"GAP + 全连接：{parameters(gap_fc):,} 个参数")
print(f"之比约 {parameters(flatten_fc) / parameters(gap_fc):.1f}")
