"""多通道卷积的完整算例：3 通道 5×5 输入，一个 3×3×3 滤波器，不填充，步长 1。"""

# --8<-- [start:inputs]
import torch
import torch.nn.functional as F

# 输入：3 个通道（可以想成 R、G、B），每个 5×5
image = [
    [[1, 0, 2, 1, 0], [0, 1, 3, 1, 1], [2, 1, 0, 0, 2], [1, 3, 1, 2, 0], [0, 2, 1, 1, 1]],
    [[0, 1, 1, 2, 2], [1, 0, 2, 0, 1], [3, 1, 1, 1, 0], [0, 2, 0, 1, 3], [1, 1, 2, 0, 1]],
    [[2, 1, 0, 1, 1], [1, 2, 1, 0, 0], [0, 1, 2, 3, 1], [1, 0, 1, 2, 2], [2, 1, 0, 1, 0]],
]
# 一个滤波器 = 3 个 3×3 卷积核，每个输入通道一个
kernels = [
    [[1, 0, -1], [1, 0, -1], [1, 0, -1]],  # 通道 0：竖直边缘
    [[0, 1, 0], [1, -4, 1], [0, 1, 0]],  # 通道 1：拉普拉斯
    [[0, 0, 0], [0, 1, 0], [0, 0, 0]],  # 通道 2：原样取中心像素
]
bias = 1
# --8<-- [end:inputs]


# --8<-- [start:loops]
def conv2d_loops(image, kernels, bias):
    """逐个输出位置、逐个通道地乘加；不填充，步长 1。"""
    channels, height, width = len(image), len(image[0]), len(image[0][0])
    k = len(kernels[0])
    out_h, out_w = height - k + 1, width - k + 1
    output = [[0] * out_w for _ in range(out_h)]
    for i in range(out_h):
        for j in range(out_w):
            total = bias
            for c in range(channels):
                for u in range(k):
                    for v in range(k):
                        total += image[c][i + u][j + v] * kernels[c][u][v]
            output[i][j] = total
    return output


by_loops = conv2d_loops(image, kernels, bias)
for row in by_loops:
    print(row)
# --8<-- [end:loops]

# --8<-- [start:torch]
x = torch.tensor(image, dtype=torch.float32).unsqueeze(0)  # (B=1, C_in=3, 5, 5)
w = torch.tensor(kernels, dtype=torch.float32).unsqueeze(0)  # (C_out=1, C_in=3, 3, 3)
b = torch.tensor([bias], dtype=torch.float32)  # (C_out=1,)
by_torch = F.conv2d(x, w, b)  # (1, 1, 3, 3)
print(by_torch)
# --8<-- [end:torch]

# --8<-- [start:check]
assert by_torch.shape == (1, 1, 3, 3)
assert by_torch[0, 0].tolist() == by_loops  # 小整数在 float32 中没有舍入误差，可以精确比较
print("循环结果与 F.conv2d 完全相同:", by_torch[0, 0].tolist() == by_loops)
# --8<-- [end:check]
