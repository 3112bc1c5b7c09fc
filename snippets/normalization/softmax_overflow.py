"""logits 很大时朴素的 softmax 会溢出；减去最大值（log-sum-exp 技巧）之后就安全了。"""

import math

import torch

# 小的 logits 按定义直接算没有问题；e^z 超过 float32 的最大值（约 3.4e38）才会溢出
small = torch.tensor([1.0, 2.0, 3.0])
assert torch.allclose(small.exp() / small.exp().sum(), torch.softmax(small, dim=0))
limit = math.log(torch.finfo(torch.float32).max)
assert torch.isfinite(torch.tensor(limit - 0.01).exp()) and torch.isinf(
    torch.tensor(limit + 0.01).exp()
)
print(f"float32 中 e^z 在 z 超过 {limit:.2f} 时溢出为 inf")

z = torch.tensor([1000.0, 1001.0, 1002.0])

naive = z.exp() / z.exp().sum()  # inf / inf
print("朴素 softmax:", naive.tolist())
assert torch.isnan(naive).all()

# softmax 对平移不变：softmax(z) = softmax(z − max z)，指数的参数都 ≤ 0，不会溢出
shifted = (z - z.max()).exp()
stable = shifted / shifted.sum()
print("减去最大值后:", ", ".join(f"{v:.4f}" for v in stable.tolist()))
assert torch.allclose(stable, torch.softmax(z, dim=0))

# ln Σ exp(z_j) = max z + ln Σ exp(z_j − max z)
log_sum_exp = z.max() + shifted.sum().log()
assert torch.allclose(log_sum_exp, torch.logsumexp(z, dim=0))
print(
    f"logsumexp(z) = {log_sum_exp.item():.4f}，类别 0 的交叉熵 = {(log_sum_exp - z[0]).item():.4f}"
)

# 下溢：e^-200 在 float32 里变成 0，先算概率再取对数得到 −inf；log_softmax 直接给出有限值
w = torch.tensor([0.0, -200.0])
print("log(softmax):", w.softmax(dim=0).log().tolist())
print("log_softmax: ", w.log_softmax(dim=0).tolist())
assert torch.isinf(w.softmax(dim=0).log()[1]) and w.log_softmax(dim=0)[1] == -200.0

# 梯度也跟着坏掉：ln 0 处的导数是无穷大，乘上 softmax 的导数得到 NaN
grads = {}
for name, log_prob in [
    ("log(softmax)", lambda t: t.softmax(0).log()),
    ("log_softmax", lambda t: t.log_softmax(0)),
]:
    v = w.clone().requires_grad_()
    (grads[name],) = torch.autograd.grad(-log_prob(v)[1], v)
    print(f"{name} 的梯度:", grads[name].tolist())
assert torch.isnan(grads["log(softmax)"]).all() and torch.isfinite(grads["log_softmax"]).all()
