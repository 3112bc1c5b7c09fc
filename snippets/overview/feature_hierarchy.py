"""特征层级：在 MNIST 上训练一个三层的小 CNN，看每一层的单元被什么样的输入激活得最强。"""

import json

import torch
import torch.nn.functional as F  # relu、池化、交叉熵等无参数的运算
from torch import nn
from torchvision.datasets import MNIST

torch.manual_seed(0)
MEAN, STD = 0.1307, 0.3081  # MNIST 训练集像素的均值与标准差


def load(train: bool, count: int) -> tuple[torch.Tensor, torch.Tensor]:
    """前 count 张图，归一化后形状 (B, 1, 28, 28)，以及它们的标签。"""
    dataset = MNIST("data", train=train, download=True)
    images = dataset.data[:count].float().div(255).unsqueeze(1)
    return (images - MEAN) / STD, dataset.targets[:count]


# --8<-- [start:model]
class SmallCNN(nn.Module):
    """三个卷积层，每层 16 个通道；前两层之后各有一次 2×2 最大池化。"""

    def __init__(self) -> None:
        super().__init__()
        self.convs = nn.ModuleList(
            [
                nn.Conv2d(1, 16, kernel_size=5, padding=2),
                nn.Conv2d(16, 16, kernel_size=3, padding=1),
                nn.Conv2d(16, 16, kernel_size=3, padding=1),
            ]
        )
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def features(self, x: torch.Tensor) -> list[torch.Tensor]:
        """三个卷积层（ReLU 之后）的特征图：28×28、14×14、7×7。"""
        maps = []
        for index, conv in enumerate(self.convs):
            x = F.relu(conv(x if index == 0 else F.max_pool2d(x, 2)))
            maps.append(x)
        return maps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x)[-1].flatten(1))


# 每层的 (核, 步长, 每侧填充)，用来算感受野；池化也是一层
GEOMETRY = [[(5, 1, 2)], [(2, 2, 0), (3, 1, 1)], [(2, 2, 0), (3, 1, 1)]]
# --8<-- [end:model]


def train(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> None:
    """Adam，批大小 64，把训练图像过一遍。"""
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    order = torch.randperm(len(images))
    for start in range(0, len(images), 64):
        batch = order[start : start + 64]
        loss = F.cross_entropy(model(images[batch]), labels[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


# --8<-- [start:analysis]
def receptive_fields() -> list[tuple[int, int, int]]:
    """每个卷积层之后的 (感受野边长 R, 跳距 J, 起点 a)：第 i 行的单元看输入的 a + i·J 起 R 行。"""
    size, jump, start, fields = 1, 1, 0, []
    for block in GEOMETRY:
        for kernel, stride, padding in block:
            size, start, jump = size + (kernel - 1) * jump, start - padding * jump, jump * stride
        fields.append((size, jump, start))
    return fields


def class_purity(maps: torch.Tensor, labels: torch.Tensor, top: int = 50) -> float:
    """类别纯度：对每个通道，取让它（在任一位置上）响应最强的 top 张图，
    数其中最多的那一类占多少；再对全部通道取平均。"""
    peaks = maps.amax(dim=(2, 3))  # (图, 通道)
    shares = [
        torch.bincount(labels[peaks[:, c].topk(top).indices], minlength=10).max().item() / top
        for c in range(peaks.shape[1])
    ]
    return sum(shares) / len(shares)


def top_patches(maps: torch.Tensor, pixels: torch.Tensor, field: tuple, channel: int, count: int):
    """让一个通道响应最强的 count 个输入块：每张图取响应最大的位置，裁出它的感受野。"""
    size, jump, start = field
    padded = F.pad(pixels, (size, size, size, size))  # 感受野伸出图像的部分是 0（背景）
    peaks = maps[:, channel].flatten(1).max(dim=1)
    patches = []
    for image in peaks.values.topk(count).indices.tolist():
        row, col = divmod(peaks.indices[image].item(), maps.shape[-1])
        top, left = start + row * jump + size, start + col * jump + size
        patches.append(padded[image, 0, top : top + size, left : left + size])
    return patches


# --8<-- [end:analysis]


# --8<-- [start:run]
train_images, train_labels = load(train=True, count=12_000)
test_images, test_labels = load(train=False, count=2_000)
untrained = SmallCNN()
model = SmallCNN()
model.load_state_dict(untrained.state_dict())  # 同一组初始权重，一个训练、一个不训练
train(model, train_images, train_labels)
model.eval()

with torch.no_grad():
    accuracy = (model(test_images).argmax(1) == test_labels).float().mean().item()
    maps, before = model.features(test_images), untrained.features(test_images)
fields = receptive_fields()
purity = [class_purity(m, test_labels) for m in maps]
purity_untrained = [class_purity(m, test_labels) for m in before]

print(f"训练 1 轮（{len(train_images):,} 张图），测试准确率 {100 * accuracy:.1f}%")
for layer, ((size, _, _), p, q) in enumerate(
    zip(fields, purity, purity_untrained, strict=True), start=1
):
    print(f"第 {layer} 层：感受野 {size}×{size}，类别纯度 {p:.2f}（未训练时 {q:.2f}）")
assert [size for size, _, _ in fields] == [5, 10, 20]
assert accuracy > 0.9
assert purity[2] > purity[0] + 0.08  # 第 3 层的单元明显偏向某一类数字，第 1 层的不偏
assert purity[2] > purity_untrained[2] + 0.05  # 这是训练学到的，不是网络结构自带的
assert abs(purity[0] - purity_untrained[0]) < 0.06  # 第 1 层的边缘与训练前一样，不偏向哪一类
# --8<-- [end:run]

# 画图用的数据：第一层的 16 个卷积核，以及每层前 6 个通道各自响应最强的 4 个输入块
pixels = test_images * STD + MEAN  # 还原成 0..1 的像素值
result = {
    "accuracy": round(accuracy, 4),
    "receptive_field": [size for size, _, _ in fields],
    "purity": [round(p, 2) for p in purity],
    "purity_untrained": [round(p, 2) for p in purity_untrained],
    "conv1_kernels": model.convs[0].weight[:, 0].detach().round(decimals=4).tolist(),
    "patches": [
        [
            [(patch * 255).round().int().tolist() for patch in top_patches(m, pixels, f, c, 4)]
            for c in range(6)
        ]
        for m, f in zip(maps, fields, strict=True)
    ],
}
with open("feature_hierarchy.json", "w", encoding="utf-8") as file:
    json.dump(result, file)
