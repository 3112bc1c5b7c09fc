"""转置卷积是卷积的伴随（转置）：⟨conv(x), y⟩ = ⟨x, conv_transpose(y)⟩，也就是卷积对输入的梯度。"""

# --8<-- [start:adjoint]
import torch
import torch.nn.functional as F

torch.manual_seed(0)
x = torch.randn(1, 2, 7, 7, dtype=torch.float64)
w = torch.randn(3, 2, 3, 3, dtype=torch.float64)  # 卷积：2 → 3 通道
settings = dict(stride=2, padding=1)

y = torch.randn(F.conv2d(x, w, **settings).shape, dtype=torch.float64)  # (1, 3, 4, 4)
left = (F.conv2d(x, w, **settings) * y).sum()  # ⟨conv(x), y⟩
right = (x * F.conv_transpose2d(y, w, **settings)).sum()  # ⟨x, conv_transpose(y)⟩，同一个 w
assert torch.isclose(left, right, rtol=1e-12)
print("内积相等:", torch.isclose(left, right, rtol=1e-12).item())

# 反向传播时，损失对卷积输入的梯度正是 conv_transpose(上游梯度)
x.requires_grad_(True)
(grad,) = torch.autograd.grad(F.conv2d(x, w, **settings), x, grad_outputs=y)
same = torch.allclose(grad, F.conv_transpose2d(y, w, **settings), atol=1e-12)
assert same
print("autograd 的输入梯度 == conv_transpose2d:", same)
# --8<-- [end:adjoint]

# --8<-- [start:matrix]
# 把卷积写成矩阵 A：第 j 列是第 j 个单位输入的卷积结果；转置卷积的矩阵正好是 Aᵀ
with torch.no_grad():
    inputs = torch.eye(2 * 7 * 7, dtype=torch.float64).view(-1, 2, 7, 7)
    conv_matrix = F.conv2d(inputs, w, **settings).flatten(1).T  # (48, 98)
    outputs = torch.eye(3 * 4 * 4, dtype=torch.float64).view(-1, 3, 4, 4)
    transposed_matrix = F.conv_transpose2d(outputs, w, **settings).flatten(1).T  # (98, 48)
assert torch.allclose(transposed_matrix, conv_matrix.T, atol=1e-12)
print(
    f"卷积矩阵 {tuple(conv_matrix.shape)}，转置卷积矩阵 {tuple(transposed_matrix.shape)} = 它的转置"
)
# --8<-- [end:matrix]

# --8<-- [start:not_inverse]
# 转置不是逆：98 维的输入被压到 48 维，信息已经丢了，AᵀA 的秩至多 48
gram = conv_matrix.T @ conv_matrix  # (98, 98)
rank = int(torch.linalg.matrix_rank(gram))
with torch.no_grad():
    round_trip = F.conv_transpose2d(F.conv2d(x, w, **settings), w, **settings)
assert rank <= 48 and round_trip.shape == x.shape and not torch.allclose(round_trip, x)
print(f"AᵀA 的秩 = {rank} < 98；conv_transpose(conv(x)) 形状对了，数值不等于 x")
# --8<-- [end:not_inverse]
