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
# # 动手：训练、评估与预测
#
# 这个 Notebook 把“在 MNIST 上训练 LeNet”一章的内容从头到尾跑一遍：读入 MNIST、看看数据、搭 LeNet、
# 用快速配方训练两轮并保存最好的检查点、画出训练曲线、检查梯度、在一批测试图上预测、
# 统计混淆矩阵，最后识别一张“拍下来”的手写数字。
#
# 它只依赖 PyTorch、torchvision、NumPy、Pillow、matplotlib 和 tqdm；第一次运行时
# torchvision 会把 MNIST 的四个原始文件下载到当前目录的 `data/MNIST/raw/` 下。
# 设置环境变量 `CNN_BOOK_QUICK=1` 会只用 5,000 张图训练一轮（测试就是这样运行它的），
# 输出会因此不同的单元格都标了 `varies`；这些单元格用 `assert` 检查自己的结论（准确率的下限、
# 混淆矩阵每一行的和），所以数字变了，结论仍然受检查。
#
# ## 准备：设备、线程与随机种子

# %%
import math
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch  # PyTorch itself
from matplotlib import font_manager
from PIL import Image, ImageDraw
from torch import nn
from torch.nn import functional as F  # cross_entropy and other stateless functions
from torchvision import datasets
from tqdm import tqdm

QUICK = os.environ.get("CNN_BOOK_QUICK") == "1"

# Chinese labels in the plots need a font with Chinese characters: use one this computer has
# (matplotlib falls back to it, glyph by glyph, from DejaVu Sans). Without one, they show as boxes.
CHINESE_FONTS = ("notosanscjk", "sourcehansans", "notosanssc", "msyh", "pingfang", "simhei", "wqy")
found = [path for path in font_manager.findSystemFonts()
         if Path(path).name.lower().startswith(CHINESE_FONTS) and "bold" not in path.lower()]
if found:
    font_manager.fontManager.addfont(min(found))
    chinese_font = font_manager.FontProperties(fname=min(found)).get_name()
    plt.rcParams["font.family"] = ["DejaVu Sans", chinese_font]


def pick_device() -> torch.device:
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


device = pick_device()
print("设备:", device.type)

# %% [markdown]
# `torch.get_num_threads()` 是一个算子内部可用的线程数，默认等于物理核数。
# 在这台机器上打印出来的数因机器而异，所以这个单元格标了 `varies`。

# %% tags=["varies"]
print("算子内线程数:", torch.get_num_threads(), " 逻辑 CPU 数:", os.cpu_count())

# %% [markdown]
# ## 数据：一次解码，一次归一化
#
# `datasets.MNIST(...).data` 是整个划分解码后的 `uint8` 张量。我们从训练集算出均值与标准差，
# 把两个划分都归一化成 $(x/255 - \mu)/\sigma$，再固定地留出 5,000 张训练图做验证集。

# %%
train_raw = datasets.MNIST("data", train=True, download=True)
test_raw = datasets.MNIST("data", train=False, download=True)

scaled = train_raw.data.double() / 255
mean, std = scaled.mean().item(), scaled.std(correction=0).item()
print(f"训练集像素的均值 {mean:.4f}，标准差 {std:.4f}")
MEAN, STD = 0.1307, 0.3081
assert (round(mean, 4), round(std, 4)) == (MEAN, STD)


def normalise(pixels: torch.Tensor) -> torch.Tensor:
    return pixels.float().div(255).sub(MEAN).div(STD).unsqueeze(1)


images, labels = normalise(train_raw.data), train_raw.targets
test_images, test_labels = normalise(test_raw.data), test_raw.targets
order = torch.randperm(60_000, generator=torch.Generator().manual_seed(0))
train_ids, validation_ids = order[5_000:], order[:5_000]
if QUICK:
    train_ids = train_ids[:5_000]
x_val, y_val = images[validation_ids].to(device), labels[validation_ids].to(device)
print("训练图:", tuple(images.shape), " 测试图:", tuple(test_images.shape), " 验证集:", len(y_val))

# %% [markdown]
# 先看看前 12 张训练图和它们的标签：

# %%
fig, axes = plt.subplots(2, 6, figsize=(9, 3.4))
for ax, pixels, label in zip(axes.flat, train_raw.data, train_raw.targets, strict=False):
    ax.imshow(pixels, cmap="gray")
    ax.set_title(f"标签 {label.item()}")
    ax.axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## LeNet
#
# 两个“卷积 → ReLU → 2×2 最大池化”阶段把 $1 \times 28 \times 28$ 的图变成 $16 \times 4 \times 4$，
# 再由三个全连接层得到 10 个类别分数。参数共 44,426 个。


# %%
class LeNet(nn.Module):
    """Two convolution stages, then three fully connected layers (as in cnnbook.model)."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.conv1, self.relu1, self.pool1 = nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2)
        self.conv2, self.relu2, self.pool2 = nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1, self.relu3 = nn.Linear(16 * 4 * 4, 120), nn.ReLU()
        self.fc2, self.relu4 = nn.Linear(120, 84), nn.ReLU()
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.pool2(self.relu2(self.conv2(x)))
        x = self.relu3(self.fc1(self.flatten(x)))
        return self.fc3(self.relu4(self.fc2(x)))


h = torch.zeros(1, 1, 28, 28)
for name, layer in LeNet().named_children():
    h = layer(h)
    print(f"{name:8} {tuple(h.shape)}")
print(f"参数总数: {sum(p.numel() for p in LeNet().parameters()):,}")

# %% [markdown]
# ## 训练：快速配方
#
# 每批 128 张，按乱序直接从张量里索引；Adam 配合 one-cycle 学习率（前 15% 的步数升到 0.01，
# 之后按余弦降到接近 0）和 0.1 的标签平滑。每轮结束在验证集上评估，只保留验证准确率最高的权重。
# 进度条由 tqdm 写到标准错误流，最多每 30 秒刷新一次（存下来的 Notebook 里每次刷新都留下一行）。

# %% tags=["varies"]
EPOCHS, BATCH_SIZE, MAX_LR = (1 if QUICK else 2), 128, 0.01


@torch.inference_mode()
def predict(model: nn.Module, x: torch.Tensor, batch: int = 2500) -> torch.Tensor:
    model.eval()
    return torch.cat([model(part).argmax(dim=1) for part in x.split(batch)])


torch.manual_seed(0)
model = LeNet().to(device, memory_format=torch.channels_last)
fused = device.type in ("cpu", "cuda")  # one pass per tensor does the whole update
optimizer = torch.optim.Adam(model.parameters(), lr=MAX_LR, fused=fused)
steps_per_epoch = math.ceil(len(train_ids) / BATCH_SIZE)
schedule = torch.optim.lr_scheduler.OneCycleLR(
    optimizer, max_lr=MAX_LR, total_steps=EPOCHS * steps_per_epoch, pct_start=0.15
)
shuffle = torch.Generator().manual_seed(0)
history, best_accuracy, best_state = [], -1.0, None
for epoch in range(1, EPOCHS + 1):
    model.train()
    seen, correct = 0, 0
    batches = train_ids[torch.randperm(len(train_ids), generator=shuffle)].split(BATCH_SIZE)
    for batch in tqdm(batches, desc=f"第 {epoch}/{EPOCHS} 轮", mininterval=30):
        x, y = images[batch].to(device), labels[batch].to(device)
        logits = model(x)
        loss = F.cross_entropy(logits, y, label_smoothing=0.1)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        seen += len(y)
        correct += (logits.argmax(dim=1) == y).sum().item()
        position = epoch - 1 + seen / len(train_ids)  # in epochs
        history.append({"epoch": position, "loss": loss.item(), "train": 100 * correct / seen})
    validation = 100 * (predict(model, x_val) == y_val).float().mean().item()
    history[-1]["validation"] = validation
    if validation > best_accuracy:
        best_accuracy, best_epoch = validation, epoch
        best_state = {name: t.detach().clone() for name, t in model.state_dict().items()}
    print(f"第 {epoch} 轮：训练准确率 {100 * correct / seen:.2f}%，验证准确率 {validation:.2f}%")
assert best_accuracy >= (80 if QUICK else 98)  # QUICK (5,000 images, one epoch): about 87-92

# %% [markdown]
# 训练曲线：左边是每一批的损失（标签平滑让它不可能低于约 0.50），右边是本轮到此为止的训练准确率，
# 圆点是每轮结束时的验证准确率。

# %%
fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(10, 3.6))
positions = [row["epoch"] for row in history]
loss_ax.plot(positions, [row["loss"] for row in history], linewidth=0.8)
loss_ax.set(xlabel="轮数", ylabel="一批的损失", ylim=(0.4, 2.4))
acc_ax.plot(positions, [row["train"] for row in history], label="训练（本轮累计）")
ends = [row for row in history if "validation" in row]
acc_ax.plot([r["epoch"] for r in ends], [r["validation"] for r in ends], "o", label="验证")
acc_ax.set(xlabel="轮数", ylabel="准确率（%）", ylim=(80, 100))
acc_ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 保存、载入与测试
#
# 检查点只存 `state_dict`（名字 → 张量）。`torch.load(..., weights_only=True)`
# 只接受张量和基本容器，不会执行文件里的任何代码。测试集在这里才第一次用到。

# %% tags=["varies"]
torch.save(best_state, "lenet.pt")
restored = LeNet()
restored.load_state_dict(torch.load("lenet.pt", weights_only=True))
restored = restored.to(device)
test_predictions = predict(restored, test_images.to(device)).cpu()
test_accuracy = 100 * (test_predictions == test_labels).float().mean().item()
print(f"最好的是第 {best_epoch} 轮（验证 {best_accuracy:.2f}%）；测试准确率 {test_accuracy:.2f}%")
assert test_accuracy >= (80 if QUICK else 99)  # the chapter's claim (two epochs on all images)

# %% [markdown]
# ## 梯度：一批数据的 `.grad`
#
# `loss.backward()` 之后，每个参数的 `.grad` 存着**这一批**损失对它的梯度。
# 看一看各层梯度的范数，是检查梯度是否消失或爆炸的简单办法。

# %% tags=["varies"]
restored.train()
batch = validation_ids[:256]
loss = F.cross_entropy(restored(images[batch].to(device)), labels[batch].to(device))
restored.zero_grad()
loss.backward()
for name, parameter in restored.named_parameters():
    print(f"{name:12} 梯度范数 {parameter.grad.norm().item():.5f}")
assert all(torch.isfinite(p.grad).all() and p.grad.norm() > 0 for p in restored.parameters())

# %% [markdown]
# ## 一批预测与混淆矩阵
#
# 前 16 张测试图，以及模型错认的前 8 张；错的标成红色。

# %%
wrong = torch.nonzero(test_predictions != test_labels).flatten()
shown = list(range(16)) + wrong[:8].tolist()
fig, axes = plt.subplots(3, 8, figsize=(12, 5))
for ax, index in zip(axes.flat, shown, strict=False):
    truth, guess = test_labels[index].item(), test_predictions[index].item()
    ax.imshow(test_raw.data[index], cmap="gray")
    ax.set_title(f"真实 {truth} / 预测 {guess}", color="red" if truth != guess else "black")
    ax.axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# 混淆矩阵的第 $t$ 行、第 $p$ 列是“真实数字为 $t$、被预测为 $p$”的图片张数，对角线就是认对的。

# %% tags=["varies"]
confusion = torch.bincount(test_labels * 10 + test_predictions, minlength=100).reshape(10, 10)
print("真\\预测 " + " ".join(f"{p:>5}" for p in range(10)))
for t in range(10):
    print(f"{t:>7} " + " ".join(f"{n:>5}" for n in confusion[t].tolist()))
off_diagonal = confusion - torch.diag(torch.diag(confusion))
t, p = divmod(off_diagonal.argmax().item(), 10)
print(f"认错 {len(wrong)} 张；最常见的错误：把 {t} 认成 {p}（{off_diagonal[t, p].item()} 张）")
# every row adds up to how many test images show that digit; off the diagonal: the mistakes
assert confusion.sum(dim=1).tolist() == torch.bincount(test_labels, minlength=10).tolist()
assert off_diagonal.sum().item() == len(wrong)

# %% [markdown]
# ## 识别一张“拍下来”的数字
#
# 真实照片里的数字通常是浅色纸上的深色笔迹，大小、位置都不固定。MNIST 的做法是：
# 数字的外接框按比例缩放到长边 20 像素，再按质心放进 $28 \times 28$ 的中央。
# 我们画一张米色纸上的蓝色“3”，照这个办法转换后交给模型。


# %%
def to_mnist_digit(photo: Image.Image) -> torch.Tensor:
    """A short version of cnnbook.digits.to_mnist_digit (that one also handles transparency)."""
    gray = np.asarray(photo.convert("L"), dtype=np.float32) / 255
    edge = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    if np.median(edge) > 0.5:  # light paper: invert so that the digit is bright
        gray, edge = 1 - gray, 1 - edge
    background = np.median(edge)
    ink = np.clip((gray - background) / (gray.max() - background), 0, 1)
    rows = np.flatnonzero((ink > 0.2).any(axis=1))
    cols = np.flatnonzero((ink > 0.2).any(axis=0))
    patch = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    scale = 20 / max(patch.shape)
    size = (max(1, round(patch.shape[1] * scale)), max(1, round(patch.shape[0] * scale)))
    patch = np.asarray(Image.fromarray(patch).resize(size, Image.Resampling.BILINEAR))
    r, c = np.indices(patch.shape)
    top = min(max(round(14 - (r * patch).sum() / patch.sum()), 0), 28 - patch.shape[0])
    left = min(max(round(14 - (c * patch).sum() / patch.sum()), 0), 28 - patch.shape[1])
    field = np.zeros((28, 28), dtype=np.float32)
    field[top : top + patch.shape[0], left : left + patch.shape[1]] = np.clip(patch, 0, 1)
    return torch.from_numpy(field)


photo = Image.new("RGB", (240, 320), (235, 228, 210))
pen = ImageDraw.Draw(photo)
pen.arc((70, 60, 170, 160), start=200, end=90, fill=(30, 40, 120), width=22)
pen.arc((60, 150, 175, 265), start=270, end=160, fill=(30, 40, 120), width=22)
photo.save("my_digit.png")
digit = to_mnist_digit(Image.open("my_digit.png"))

fig, (left_ax, right_ax) = plt.subplots(1, 2, figsize=(6, 3))
left_ax.imshow(photo)
left_ax.set_title("照片，240×320")
right_ax.imshow(digit, cmap="gray")
right_ax.set_title("MNIST 的样子，28×28")
for ax in (left_ax, right_ax):
    ax.axis("off")
plt.show()

# %% tags=["varies"]
restored.eval()
with torch.inference_mode():
    x = ((digit - MEAN) / STD).reshape(1, 1, 28, 28).to(device)
    probabilities = torch.softmax(restored(x), dim=1)[0].cpu()
best = probabilities.argmax().item()
print(f"预测：{best}，概率 {probabilities[best]:.3f}")
values, digits = probabilities.topk(3)
print("前三名:", [(d, round(v, 3)) for d, v in zip(digits.tolist(), values.tolist(), strict=True)])
assert best == 3  # the digit we drew
