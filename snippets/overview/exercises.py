"""第 1 章练习的参考答案：每个形状和个数都由 PyTorch 算出。"""

import torch
from torch import nn

torch.manual_seed(0)


def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# --8<-- [start:ex1]
conv = nn.Conv2d(3, 16, kernel_size=5)
filters, kernels = conv.weight.shape[0], conv.weight.shape[0] * conv.weight.shape[1]
print(f"练习 1：权重形状 {tuple(conv.weight.shape)}，滤波器 {filters} 个，", end="")
print(f"卷积核 {kernels} 个，参数 {count(conv):,} 个")
# --8<-- [end:ex1]

# --8<-- [start:ex2]
x = torch.randn(8, 3, 32, 32, requires_grad=True)
y = conv(x)
y[0, 0, 10, 10].backward()  # 一个输出元素依赖多少个输入数？
print(f"练习 2：输出形状 {tuple(y.shape)}，一个输出元素依赖 {int((x.grad != 0).sum())} 个输入数")
# --8<-- [end:ex2]

# --8<-- [start:ex3]
with torch.device("meta"):  # 只数参数，不分配内存
    dense = nn.Linear(3 * 32 * 32, 16 * 28 * 28)
print(f"练习 3：全连接层参数 {count(dense):,} 个，是卷积层的 {count(dense) / count(conv):,.0f} 倍")
# --8<-- [end:ex3]

# --8<-- [start:ex4]
audio = torch.randn(1, 1, 16_000)  # 1 秒、16 kHz 的单声道音频
frames = nn.Conv1d(1, 32, kernel_size=400, stride=160)  # 25 ms 的窗口，每次移动 10 ms
print(f"练习 4：输出形状 {tuple(frames(audio).shape)}")
# --8<-- [end:ex4]

# --8<-- [start:ex5]
image = torch.rand(1, 1, 12, 12)
strided = nn.Conv2d(1, 1, kernel_size=3, stride=2, padding=1, padding_mode="circular")


def shifted(t: torch.Tensor, dx: int) -> torch.Tensor:
    return torch.roll(t, shifts=dx, dims=3)


out = strided(image)
by_two = torch.allclose(strided(shifted(image, 2)), shifted(out, 1), atol=1e-6)
moved = strided(shifted(image, 1))
by_one = any(torch.allclose(moved, shifted(out, k), atol=1e-6) for k in range(6))
print(f"练习 5：平移 2 像素 -> 输出平移 1 格: {by_two}；平移 1 像素 -> 输出是某种平移: {by_one}")
# --8<-- [end:ex5]


# --8<-- [start:ex7]
def field(layers: list[tuple[int, int]]) -> int:
    """(核, 步长) 的列表 -> 最后一层的感受野边长。"""
    size, jump = 1, 1
    for kernel, stride in layers:
        size, jump = size + (kernel - 1) * jump, jump * stride
    return size


with_pooling = field([(5, 1), (2, 2), (3, 1), (2, 2), (3, 1)])
without_pooling = field([(5, 1), (3, 1), (3, 1)])
print(f"练习 7：第 3 层的感受野 有池化 {with_pooling}，去掉两个池化 {without_pooling}")
# --8<-- [end:ex7]

assert (filters, kernels, count(conv)) == (16, 48, 16 * 3 * 25 + 16)
assert y.shape == (8, 16, 28, 28) and int((x.grad != 0).sum()) == 3 * 5 * 5
assert count(dense) == 3072 * 12544 + 12544
assert frames(audio).shape == (1, 32, (16_000 - 400) // 160 + 1)
assert by_two and not by_one
assert (with_pooling, without_pooling) == (20, 9)
