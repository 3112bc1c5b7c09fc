"""第 7 章练习的数值答案：每一个都由下面的代码算出并核对。"""

import math

import torch
from torch import nn
from torch.nn import functional as F

# 练习 1：nn.BatchNorm2d(256) 的可学习参数与缓冲区
bn = nn.BatchNorm2d(256)
parameters = sum(p.numel() for p in bn.parameters())
buffers = sum(b.numel() for b in bn.buffers())
print(f"练习 1: 可学习参数 {parameters} 个，缓冲区 {buffers} 个数")

# 练习 2：(B, C, H, W) = (8, 32, 16, 16) 时，四种归一化各有几组统计量、每组多少个数
B, C, H, W, G = 8, 32, 16, 16, 8
x = torch.randn(B, C, H, W)
group_shapes = {
    "BN": x.mean(dim=(0, 2, 3)).shape,
    "LN": x.mean(dim=(1, 2, 3)).shape,
    "IN": x.mean(dim=(2, 3)).shape,
    "GN": x.view(B, G, C // G, H, W).mean(dim=(2, 3, 4)).shape,
}
for name, shape in group_shapes.items():
    groups = math.prod(shape)
    print(f"练习 2: {name} 有 {groups} 组统计量，每组 {x.numel() // groups} 个数")

# 练习 3：p = 0.2 的 Dropout 作用在 100 个单元上
p, units = 0.2, 100
spread = math.sqrt(units * p * (1 - p))  # 二项分布的标准差
print(f"练习 3: 保留的值乘以 {1 / (1 - p):g}；置零个数的期望 {p * units:g}，标准差 {spread:g}")

# 练习 4：10 类、logits 全为 0 时的交叉熵与梯度
logits = torch.zeros(1, 10, requires_grad=True)
loss = F.cross_entropy(logits, torch.tensor([3]))
(grad,) = torch.autograd.grad(loss, logits)
assert math.isclose(loss.item(), math.log(10), rel_tol=1e-6)
print(f"练习 4: 损失 {loss.item():.4f}；梯度在正确类别上 {grad[0, 3]:.1f}，其余 {grad[0, 0]:.1f}")

# 练习 5：p_t = 0.9、γ = 2 时，焦点损失是交叉熵的几分之一
p_t, gamma = 0.9, 2.0
ce = -math.log(p_t)
focal = (1 - p_t) ** gamma * ce
print(f"练习 5: 交叉熵 {ce:.4f}，焦点损失 {focal:.6f}，比值 {focal / ce:.2f}")

# 练习 6：滑动均值从 0 出发，每批均值都等于 μ，momentum = 0.1，几步后达到 0.99μ
steps = math.ceil(math.log(0.01) / math.log(0.9))
running = nn.BatchNorm1d(1, momentum=0.1)
for step in range(1, steps + 1):
    running(torch.tensor([[4.0], [6.0]]))  # 批均值恰为 μ = 5
    if step == steps - 1:
        assert running.running_mean.item() < 0.99 * 5
assert running.running_mean.item() >= 0.99 * 5
print(f"练习 6: 至少 {steps} 步")

# 练习 7：Huber(δ = 2) 与 SmoothL1(β = 2) 在误差 e = 3 处的值
e = torch.tensor([3.0])
huber = nn.HuberLoss(delta=2.0)(e, torch.zeros(1)).item()
smooth = nn.SmoothL1Loss(beta=2.0)(e, torch.zeros(1)).item()
assert huber == 2.0 * smooth
print(f"练习 7: Huber = {huber:g}，SmoothL1 = {smooth:g}")
