"""练习 6：哪些卷积核能拆成一个 K×1 卷积接一个 1×K 卷积？看秩是不是 1。"""

import torch

candidates = {
    "M1": [[1.0, 2.0], [2.0, 4.0]],
    "M2": [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]],
    "M3": [[0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 0.0]],
}
for name, kernel in candidates.items():
    rank = int(torch.linalg.matrix_rank(torch.tensor(kernel)))
    print(f"{name}：秩 {rank}，{'能' if rank == 1 else '不能'}分离")

# M2 是 [1, 2, 1] 与自己的外积；M3 是两个秩 1 矩阵之和（一横一竖）
binomial = torch.tensor([1.0, 2, 1])
assert torch.equal(torch.outer(binomial, binomial), torch.tensor(candidates["M2"]))
