"""Answers to the chapter's exercises, each computed two ways (by formula and by PyTorch)."""

import math

import torch
from torch import nn


def lenet(padding: int = 0) -> nn.Sequential:
    """The chapter's LeNet; ``padding=2`` on conv1 gives LeNet-5's 32×32 geometry."""
    side = (28 + 2 * padding - 4) // 2  # after conv1 (5×5) and pool1
    side = (side - 4) // 2  # after conv2 (5×5) and pool2
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=padding), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16 * side * side, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )  # fmt: skip


# 1. Inputs padded to 32×32: how many numbers enter fc1, how many parameters in all?
padded = lenet(padding=2)
fc1_inputs = padded[7].in_features
parameters = sum(p.numel() for p in padded.parameters())
print(f"练习 1: fc1 的输入 {fc1_inputs} 个数，参数共 {parameters:,} 个")
assert padded[:7](torch.zeros(1, 1, 28, 28)).shape == (1, fc1_inputs) == (1, 16 * 5 * 5)

# 2. LeNet-5's C3 connection table: 6 maps see 3 of S2's maps, 9 see 4, 1 sees all 6
connections = 6 * 3 + 9 * 4 + 1 * 6
table_parameters = connections * 5 * 5 + 16  # one 5×5 kernel per connection, one bias per map
full = nn.Conv2d(6, 16, 5)
print(f"练习 2: 连接表 {connections} 条连接，C3 的参数 {table_parameters:,} 个"
      f"（全连接的 conv2 是 {sum(p.numel() for p in full.parameters()):,} 个）")  # fmt: skip
mask = torch.zeros(16, 6)
for row, width in enumerate([3] * 6 + [4] * 9 + [6]):
    mask[row, torch.arange(row, row + width) % 6] = 1  # which S2 maps this C3 map reads
assert int(mask.sum()) * 25 + 16 == table_parameters

# 3. The receptive field of one pool2 output on the 28×28 input: the input pixels its gradient
# reaches when every weight is 1 and pooling averages (max pooling and ReLU would route the
# gradient to only some of them)
probe = nn.Sequential(nn.Conv2d(1, 1, 5, bias=False), nn.AvgPool2d(2),
                      nn.Conv2d(1, 1, 5, bias=False), nn.AvgPool2d(2))  # fmt: skip
for layer in probe[::2]:
    nn.init.ones_(layer.weight)
x = torch.zeros(1, 1, 28, 28, requires_grad=True)
probe(x)[0, 0, 1, 1].backward()  # one unit of pool2's 4×4 map
rows, cols = torch.nonzero(x.grad[0, 0]).unbind(1)
side = (rows.max() - rows.min() + 1).item(), (cols.max() - cols.min() + 1).item()
# R_l = R_(l-1) + (K_l - 1)·J_(l-1), with the jumps J = 1, 1, 2, 2 before the four layers
receptive = 1 + (5 - 1) * 1 + (2 - 1) * 1 + (5 - 1) * 2 + (2 - 1) * 2
print(f"练习 3: pool2 的一个单元看到输入上 {side[0]}×{side[1]} 的区域")
assert side == (receptive, receptive)

# 4. The fast recipe's schedule: steps, the step with the peak, the last learning rate
steps = 2 * math.ceil(55_000 / 128)
optimizer = torch.optim.Adam(nn.Linear(1, 1).parameters(), lr=0.01)
schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.01, total_steps=steps,
                                               pct_start=0.15)  # fmt: skip
rates = []
for _ in range(steps):
    rates.append(optimizer.param_groups[0]["lr"])
    optimizer.step()
    schedule.step()
peak = rates.index(max(rates)) + 1  # counting steps from 1
print(f"练习 4: 共 {steps} 步，第 {peak} 步学习率最大，最后一步的学习率 {rates[-1]:.1e}")
assert peak == round(0.15 * steps) and math.isclose(rates[-1], 0.01 / 25 / 1e4, rel_tol=0.05)

# 5. Label smoothing with ε = 0.2 and 10 classes: the true class's target and the lowest loss
eps, classes = 0.2, 10
true_target, other = 1 - eps + eps / classes, eps / classes
floor = -(true_target * math.log(true_target) + (classes - 1) * other * math.log(other))
target = torch.full((1, classes), other)
target[0, 3] = true_target
reached = nn.functional.cross_entropy(target.log(), torch.tensor([3]), label_smoothing=eps)
print(f"练习 5: 真实类别的目标 {true_target:.2f}，损失的下限 {floor:.4f}")
assert math.isclose(reached.item(), floor, rel_tol=1e-5)

# 6. Sampling error of an accuracy near 99 % measured on n images: √(p(1 - p)/n)
for name, n in (("测试集", 10_000), ("验证集", 5_000)):
    standard_error = 100 * math.sqrt(0.99 * 0.01 / n)
    print(f"练习 6: {name} {n:,} 张，准确率 99% 时的标准误差 {standard_error:.2f} 个百分点")
coin = torch.Generator().manual_seed(0)
draws = torch.bernoulli(torch.full((2_000, 10_000), 0.99), generator=coin)  # 2,000 test sets
simulated = 100 * draws.mean(dim=1).std().item()
assert math.isclose(simulated, 100 * math.sqrt(0.99 * 0.01 / 10_000), rel_tol=0.1)

# 7. The training set in memory: uint8 as stored, float32 after normalising
pixels = 60_000 * 28 * 28
as_uint8 = torch.zeros(60_000, 28, 28, dtype=torch.uint8)
print(f"练习 7: uint8 {pixels / 2**20:.1f} MiB，float32 {4 * pixels / 2**20:.1f} MiB")
assert as_uint8.numel() * as_uint8.element_size() == pixels

# 8. The default initialisation's weight variance for fc3 = nn.Linear(84, 10)
fc3 = nn.Linear(84, 10)
print(f"练习 8: Var(w) = 1/(3·84) = {1 / (3 * 84):.5f}，上界 1/√84 = {1 / math.sqrt(84):.4f}")
assert fc3.weight.abs().max() <= 1 / math.sqrt(84)
