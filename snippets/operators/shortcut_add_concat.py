"""两种捷径连接：逐元素相加（ResNet）与按通道拼接（DenseNet）。"""

import torch
from torch import nn


# --8<-- [start:helpers]
def add_shortcut(identity: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
    """ResNet 式：形状必须完全相同，输出形状不变。"""
    if identity.shape != residual.shape:
        raise ValueError(
            f"residual 的形状 {tuple(residual.shape)} 与 identity 的形状 {tuple(identity.shape)} "
            "不同；请先用 1×1 卷积投影 identity"
        )
    return identity + residual


def concat_shortcut(branches: list[torch.Tensor]) -> torch.Tensor:
    """DenseNet 式：B、H、W 必须相同，通道数相加。"""
    if len(branches) < 2 or any(b.dim() != 4 for b in branches):
        raise ValueError("branches 必须是至少两个形状为 (B, C, H, W) 的四维张量")
    sizes = {(b.shape[0], *b.shape[2:]) for b in branches}
    if len(sizes) > 1:
        raise ValueError(f"branches 的 B、H、W 必须相同，实际 (B, H, W) = {sorted(sizes)}")
    return torch.cat(branches, dim=1)
    # --8<-- [end:helpers]


# --8<-- [start:compare]
torch.manual_seed(0)
x = torch.randn(1, 64, 56, 56)  # 捷径带来的特征
f_x = torch.randn(1, 64, 56, 56)  # 分支算出的特征

added = add_shortcut(x, f_x)
joined = concat_shortcut([x, f_x])
print("相加:", tuple(added.shape), " 拼接:", tuple(joined.shape))
assert added.shape == (1, 64, 56, 56) and joined.shape == (1, 128, 56, 56)

# 后面接同一个 3×3 卷积（输出 64 通道、无偏置）：拼接让它的输入通道、参数和计算量都翻倍
costs = {}
for name, merged in [("相加", added), ("拼接", joined)]:
    conv = nn.Conv2d(merged.shape[1], 64, kernel_size=3, padding=1, bias=False)
    out = conv(merged)
    costs[name] = {
        "channels": merged.shape[1],
        "megabytes": merged.numel() * merged.element_size() / 1e6,  # float32，每个数 4 字节
        "params": conv.weight.numel(),
        "out_channels": conv.out_channels,
        "macs": out.numel() * conv.in_channels * 3 * 3,
    }
    cost = costs[name]
    print(
        f"{name}后: 张量 {cost['megabytes']:.2f} MB，"
        f"下一层参数 {cost['params']:,}，MACs {cost['macs']:,}"
    )
assert costs["拼接"]["params"] == 2 * costs["相加"]["params"] == 2 * 64 * 64 * 3 * 3

# 拼接总要分配一块新内存并复制两个输入；相加可以就地写回（torchvision 的 ResNet 用 out += identity）
assert joined.data_ptr() not in (x.data_ptr(), f_x.data_ptr())
storage = f_x.data_ptr()
f_x += x
assert f_x.data_ptr() == storage
print("就地相加不分配新内存:", f_x.data_ptr() == storage)
# --8<-- [end:compare]
