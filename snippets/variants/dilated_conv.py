"""空洞卷积：dilation=D 的 K×K 卷积核，等于在相邻两个卷积核元素之间插入 D − 1 个 0 后的普通卷积。"""

# --8<-- [start:example]
import torch
import torch.nn.functional as F

image = torch.tensor(
    [
        [1, 0, 2, 1, 0, 1, 2],
        [0, 1, 1, 0, 2, 1, 0],
        [2, 1, 0, 1, 1, 0, 1],
        [1, 2, 1, 0, 0, 2, 1],
        [0, 1, 2, 1, 1, 0, 2],
        [1, 0, 1, 2, 0, 1, 1],
        [2, 1, 0, 1, 2, 1, 0],
    ],
    dtype=torch.float32,
)
kernel = torch.tensor([[1, 0, -1], [2, 1, 0], [0, -1, 1]], dtype=torch.float32)

out = F.conv2d(image.view(1, 1, 7, 7), kernel.view(1, 1, 3, 3), dilation=2)
print(out[0, 0].int().tolist())  # 7 − (2·(3 − 1) + 1) + 1 = 3，输出 3×3
# --8<-- [end:example]


# --8<-- [start:zeros]
def insert_zeros(kernel: torch.Tensor, dilation: int) -> torch.Tensor:
    """K×K 卷积核 → (D(K − 1) + 1)×(D(K − 1) + 1)，相邻两个原有元素之间隔着 D − 1 个 0。"""
    if dilation < 1:
        raise ValueError(f"dilation 必须是正整数，实际为 {dilation}")
    k = kernel.shape[-1]
    size = dilation * (k - 1) + 1
    spread = kernel.new_zeros(size, size)
    spread[::dilation, ::dilation] = kernel
    return spread


x = image.view(1, 1, 7, 7)
for d in (1, 2, 3, 4):
    spread = insert_zeros(kernel, d)
    dense = F.conv2d(x, spread.view(1, 1, *spread.shape), padding=d)  # 填充 D·(K − 1)/2 = D
    sparse = F.conv2d(x, kernel.view(1, 1, 3, 3), dilation=d, padding=d)
    assert torch.equal(dense, sparse) and sparse.shape == (1, 1, 7, 7)
    print(
        f"dilation={d}: 等效尺寸 {spread.shape[0]}×{spread.shape[1]}，仍只有 9 个参数，"
        f"与插零后的普通卷积相同: {torch.equal(dense, sparse)}"
    )
# --8<-- [end:zeros]
