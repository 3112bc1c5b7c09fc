"""哪些卷积核能分离：矩阵的秩为 1 时才能写成列向量 × 行向量。"""

import torch


def split_rank_one(kernel: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """把秩为 1 的二维卷积核拆成列向量 column 与行向量 row，使 outer(column, row) == kernel。"""
    if kernel.dim() != 2:
        raise ValueError(f"kernel 必须是二维矩阵，实际形状为 {tuple(kernel.shape)}")
    rank = int(torch.linalg.matrix_rank(kernel.double()))
    if rank != 1:
        raise ValueError(f"kernel 的秩为 {rank}，只有秩为 1 的卷积核才能分离")
    u, s, vh = torch.linalg.svd(kernel.double())  # kernel = s[0] · u[:, 0] vh[0]ᵀ
    scale = s[0].sqrt()
    return u[:, 0] * scale, vh[0] * scale


binomial = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0])
kernels = {
    "Sobel 3×3": torch.tensor([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]]),
    "均值 3×3": torch.ones(3, 3) / 9,
    "高斯(二项式) 5×5": torch.outer(binomial, binomial) / 256,
    "拉普拉斯 3×3": torch.tensor([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    "随机 3×3": torch.randn(3, 3, generator=torch.Generator().manual_seed(0)),
}
for name, kernel in kernels.items():
    rank = int(torch.linalg.matrix_rank(kernel.double()))
    print(f"{name}：秩 {rank}")
    if rank == 1:
        column, row = split_rank_one(kernel)
        assert torch.allclose(torch.outer(column, row), kernel.double(), atol=1e-12)

# 拉普拉斯核不可分离，但它是两个可分离核之和：∂²/∂y² + ∂²/∂x²
second_difference = torch.tensor([1.0, -2.0, 1.0])
centre = torch.tensor([0.0, 1.0, 0.0])
laplacian = kernels["拉普拉斯 3×3"]
assert torch.equal(
    torch.outer(second_difference, centre) + torch.outer(centre, second_difference), laplacian
)
print("拉普拉斯 = outer([1,-2,1], [0,1,0]) + outer([0,1,0], [1,-2,1])")

try:
    split_rank_one(laplacian)
except ValueError as error:
    print("ValueError:", error)
