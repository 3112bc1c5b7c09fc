"""练习 4：5×5 输入只有中心为 1，池化后对输出求和。三种池化下，中心像素的梯度各是多少？"""

import torch
import torch.nn.functional as F

x = torch.zeros(1, 1, 5, 5)
x[0, 0, 2, 2] = 1.0
x.requires_grad_(True)
poolings = {
    "2×2/S2 最大池化": lambda t: F.max_pool2d(t, 2, stride=2),  # 中心只属于 1 个窗口
    "3×3/S2 最大池化": lambda t: F.max_pool2d(t, 3, stride=2),  # 中心属于全部 4 个窗口
    "3×3/S2 平均池化": lambda t: F.avg_pool2d(t, 3, stride=2),  # 每个窗口把 1 平分给 9 个位置
}
for name, pool in poolings.items():
    (grad,) = torch.autograd.grad(pool(x).sum(), x)
    print(f"{name}：中心的梯度 {grad[0, 0, 2, 2].item():.3f}，梯度之和 {grad.sum().item():.3f}")
