"""推理时把 BN 折叠进前面的卷积：一个卷积层就能算出“卷积 + BN”的结果。"""

import copy

import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval


# --8<-- [start:fold]
def fold_batchnorm(conv: nn.Conv2d, bn: nn.BatchNorm2d) -> nn.Conv2d:
    """返回一个新卷积层，它的输出等于推理模式下的 bn(conv(x))。"""
    if bn.num_features != conv.out_channels:
        raise ValueError(
            f"bn.num_features（{bn.num_features}）必须等于 conv.out_channels"
            f"（{conv.out_channels}）"
        )
    if bn.running_mean is None or bn.running_var is None:
        raise ValueError("bn 没有滑动统计量（track_running_stats=False）")
    if conv.training or bn.training:
        raise ValueError("conv 与 bn 必须处于推理模式（eval）：折叠用的是滑动统计量")
    gamma = bn.weight if bn.affine else torch.ones_like(bn.running_var)
    beta = bn.bias if bn.affine else torch.zeros_like(bn.running_mean)
    bias = conv.bias if conv.bias is not None else torch.zeros_like(bn.running_mean)
    scale = gamma / torch.sqrt(bn.running_var + bn.eps)  # 每个输出通道一个系数
    folded = copy.deepcopy(conv)
    with torch.no_grad():
        folded.weight.copy_(conv.weight * scale.view(-1, 1, 1, 1))  # W' = s · W
        folded.bias = nn.Parameter((bias - bn.running_mean) * scale + beta)  # b' = s(b − μ) + β
    return folded
    # --8<-- [end:fold]


# --8<-- [start:check]
torch.manual_seed(0)
conv = nn.Conv2d(3, 8, kernel_size=3, padding=1, bias=False)  # BN 前的卷积通常不带偏置
bn = nn.BatchNorm2d(8)
with torch.no_grad():
    bn.weight.uniform_(0.5, 2.0)
    bn.bias.uniform_(-1.0, 1.0)
    for _ in range(20):  # 训练模式下跑几批，让滑动均值和方差不再是 0 和 1
        bn(conv(torch.randn(16, 3, 8, 8) * 2 + 0.5))

conv.eval()
bn.eval()
folded = fold_batchnorm(conv, bn)
x = torch.randn(4, 3, 8, 8)
with torch.no_grad():
    error = (bn(conv(x)) - folded(x)).abs().max().item()
    reference = fuse_conv_bn_eval(conv, bn)  # PyTorch 自带的同一变换
print("卷积 + BN 与折叠后的卷积一致（误差 < 1e-5）:", error < 1e-5)
assert error < 1e-5
assert torch.allclose(folded.weight, reference.weight, atol=1e-6)
assert torch.allclose(folded.bias, reference.bias, atol=1e-6)
print("与 torch.nn.utils.fusion.fuse_conv_bn_eval 的权重和偏置一致: True")
print("折叠后的层:", folded)
# --8<-- [end:check]

# --8<-- [start:bias]
# 为什么 BN 前的卷积不必带偏置：训练模式下每个通道先减去批均值，常数偏置被减掉了
with_bias = nn.Conv2d(3, 8, kernel_size=3, padding=1)
without_bias = copy.deepcopy(with_bias)
without_bias.bias = None
fresh_bn = nn.BatchNorm2d(8)
batch = torch.randn(16, 3, 8, 8)
difference = (fresh_bn(with_bias(batch)) - fresh_bn(without_bias(batch))).abs().max().item()
assert difference < 1e-5
print("训练模式下卷积偏置对 BN 的输出没有影响:", difference < 1e-5)
# --8<-- [end:bias]
