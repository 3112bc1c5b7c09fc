"""最大池化的反向传播：上游梯度只流回每个窗口里最大值的位置，其余位置的梯度为 0。"""

# --8<-- [start:routing]
import torch
import torch.nn.functional as F

x = torch.tensor(
    [[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 7.0, 1.0], [0.0, 2.0, 6.0, 8.0], [9.0, 1.0, 3.0, 2.0]]
).view(1, 1, 4, 4)
upstream = torch.tensor([[1.0, 2.0], [3.0, 4.0]]).view(1, 1, 2, 2)  # ∂L/∂y，随便取的数

# autograd 算出的 ∂L/∂x
x.requires_grad_(True)
(grad,) = torch.autograd.grad(F.max_pool2d(x, 2), x, grad_outputs=upstream)

# 手工“路由”：每个窗口的上游梯度原样送到它的最大值所在的位置
_, indices = F.max_pool2d(x.detach(), 2, return_indices=True)  # 扁平下标 = 行 × W + 列
routed = torch.zeros(16).scatter_add(0, indices.flatten(), upstream.flatten()).view(1, 1, 4, 4)
assert torch.equal(grad, routed)
print("上游梯度:", upstream[0, 0].int().tolist())
print("输入:", x[0, 0].int().tolist())
print("最大池化的输入梯度:", grad[0, 0].int().tolist())
# --8<-- [end:routing]

# --8<-- [start:contrast]
# 平均池化则把每个窗口的梯度平均分给窗口里的 K² = 4 个位置
(spread,) = torch.autograd.grad(F.avg_pool2d(x, 2), x, grad_outputs=upstream)
assert torch.equal(spread, upstream.repeat_interleave(2, 2).repeat_interleave(2, 3) / 4)
print("平均池化的输入梯度:", spread[0, 0].tolist())

# 窗口重叠（3×3、步长 2）：同一个像素是几个窗口的最大值，就收到这几个窗口梯度之和
peak = torch.zeros(1, 1, 5, 5)
peak[0, 0, 2, 2] = 1.0  # 中心像素同时属于全部 4 个窗口，并且在每个窗口里都最大
peak.requires_grad_(True)
(overlap,) = torch.autograd.grad(F.max_pool2d(peak, 3, stride=2).sum(), peak)
assert overlap[0, 0, 2, 2] == 4 and overlap.sum() == 4
print(f"3×3/S2 的 4 个窗口共享中心像素，它的梯度 = {int(overlap[0, 0, 2, 2])}")

# 并列最大时，PyTorch 只把梯度给索引记下的那一个（窗口里按行扫描遇到的第一个）
tie = torch.ones(1, 1, 2, 2, requires_grad=True)
(tied,) = torch.autograd.grad(F.max_pool2d(tie, 2).sum(), tie)
assert tied.sum() == 1 and tied[0, 0, 0, 0] == 1
print("窗口里 4 个数一样大时的梯度:", tied[0, 0].int().tolist())
# --8<-- [end:contrast]
