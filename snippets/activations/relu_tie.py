"""同一个 max(0, x)，五种写法：x = 0 处的梯度不一定相同。"""

import torch
from torch.nn import functional as F

x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)

# 第二个参数不能是 Python 数：torch.maximum 只接受两个张量
try:
    torch.maximum(x, 0)
except TypeError as error:
    assert "must be Tensor" in str(error)
    print("torch.maximum(x, 0) 报错:", type(error).__name__)

ways = {
    "F.relu(x)": F.relu,
    "x.clamp(min=0)": lambda t: t.clamp(min=0),
    "torch.where(x > 0, x, 0.0)": lambda t: torch.where(t > 0, t, 0.0),
    "torch.maximum(x, zeros)": lambda t: torch.maximum(t, torch.zeros_like(t)),
    "torch.fmax(x, zeros)": lambda t: torch.fmax(t, torch.zeros_like(t)),
}
splits_ties = {"torch.maximum(x, zeros)", "torch.fmax(x, zeros)"}  # 平局时把梯度平分给两边
print("写法" + " " * 24 + "x = -1, 0, 2 处的梯度")
for name, relu in ways.items():
    assert torch.equal(relu(x), F.relu(x))  # 前向完全相同
    (grad,) = torch.autograd.grad(relu(x).sum(), x)
    print(f"{name:<28}{grad.tolist()}")
    assert grad[1].item() == (0.5 if name in splits_ties else 0.0)
