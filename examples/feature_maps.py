# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 动手：卷积核与特征图
#
# 这个 Notebook 把第 1 章的概念放到一张真正的图像上：我们手工设计 4 个卷积核，
# 把它们装进一个 `nn.Conv2d`，看看每个滤波器产生怎样的特征图（feature map）。
# 它只依赖 PyTorch、NumPy 和 matplotlib，在 CPU 上几秒就能跑完。
#
# ## 准备一张图像
#
# 为了不依赖任何下载，我们用 NumPy 画一张 $64 \times 64$ 的灰度图：
# 左边一个实心方块，右边一个实心圆。

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch  # 张量、卷积与自动求导
from torch import nn
from torch.nn import functional as F

size = 64
rows, cols = np.mgrid[0:size, 0:size]
square = (rows >= 16) & (rows < 48) & (cols >= 6) & (cols < 28)
disc = (rows - 32) ** 2 + (cols - 46) ** 2 < 12**2
image = (square | disc).astype(np.float32)

x = torch.from_numpy(image)[None, None]  # (B=1, C_in=1, H=64, W=64)
print("输入形状:", tuple(x.shape), " 像素取值:", sorted(np.unique(image).tolist()))

# %% [markdown]
# ## 四个手工卷积核
#
# 水平方向的 Sobel 核对左右亮度差敏感：
#
# $$
# G_x = \begin{bmatrix} -1 & 0 & 1 \\ -2 & 0 & 2 \\ -1 & 0 & 1 \end{bmatrix},
# \qquad G_y = G_x^{\top}
# $$
#
# 拉普拉斯核响应各方向的二阶变化，均值核 $\tfrac{1}{9}\mathbf{1}_{3\times 3}$ 则把图像变模糊。
# 一个滤波器只有一个输入通道时，它就是一个卷积核；四个滤波器叠成形状为
# $(C_\text{out}, C_\text{in}, K, K) = (4, 1, 3, 3)$ 的权重。

# %%
sobel_x = torch.tensor([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])
kernels = {  # 名字: 3×3 卷积核
    "Sobel x": sobel_x,
    "Sobel y": sobel_x.T,
    "拉普拉斯": torch.tensor([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    "3×3 均值": torch.full((3, 3), 1 / 9),
}

conv = nn.Conv2d(1, 4, kernel_size=3, padding=1, bias=False)  # 4 个滤波器，各 1 个卷积核
with torch.no_grad():
    conv.weight.copy_(torch.stack(list(kernels.values())).unsqueeze(1))

with torch.no_grad():
    feature_maps = conv(x)
print("权重形状:", tuple(conv.weight.shape), " 特征图形状:", tuple(feature_maps.shape))
assert feature_maps.shape == (1, 4, size, size)

# %% [markdown]
# ## 看一看特征图
#
# 下面五幅图依次是：(a) 输入，(b) Sobel $G_x$，(c) Sobel $G_y$，(d) 拉普拉斯，(e) $3 \times 3$ 均值
# （图中只标字母，这样在没有中文字体的电脑上也能正常显示）。
#
# 在平坦区域，Sobel 和拉普拉斯核的输出都是 $0$；只有边缘处才有响应，而且符号指明了
# 亮度变化的方向。均值核的输出在平坦区域等于原图。

# %%
fig, axes = plt.subplots(1, 5, figsize=(13, 3))
panels = [x[0, 0], *feature_maps[0]]  # 输入，然后是 4 张特征图
for ax, letter, panel in zip(axes, "abcde", panels, strict=True):
    ax.imshow(panel, cmap="gray")
    ax.set_title(f"({letter})")
    ax.axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 用数字核对
#
# 方块内部（例如第 32 行第 16 列）完全平坦，所以三个求导核输出 $0$，均值核输出 $1$。
# 方块左边缘（第 32 行第 6 列）上，窗口的右列三个像素为 1、左列为 0，
# 所以 $G_x$ 的输出应为 $1 \cdot 1 + 2 \cdot 1 + 1 \cdot 1 = 4$。让代码来核对。

# %%
inside = feature_maps[0, :, 32, 16].tolist()
left_edge = feature_maps[0, :, 32, 6].tolist()
print("方块内部:", [round(v, 4) for v in inside])
print("方块左边缘:", [round(v, 4) for v in left_edge])
assert inside[:3] == [0.0, 0.0, 0.0] and abs(inside[3] - 1) < 1e-6
assert left_edge[0] == 4.0  # 右列三个像素为 1，权重 1+2+1；左列为 0

# %% [markdown]
# ## 接上激活与池化
#
# 卷积之后接 ReLU 和 $2 \times 2$ 最大池化，特征图的空间尺寸减半，通道数不变。

# %%
pooled = F.max_pool2d(F.relu(feature_maps), kernel_size=2)
print("ReLU + 2×2 最大池化之后:", tuple(pooled.shape))
assert pooled.shape == (1, 4, size // 2, size // 2)
