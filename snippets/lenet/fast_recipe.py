"""The fast recipe: the same LeNet, over 99 % test accuracy in two epochs.

Data decoded and normalised once into tensors; shuffled batches of 128 indexed from them;
Adam with a one-cycle learning-rate schedule and label smoothing; channels_last convolutions;
evaluation in large batches under torch.inference_mode(). The best epoch is chosen on 5,000
held-out training images, and the test set is used once, at the end.
"""

import math

import torch
from torch import nn
from torch.nn import functional as F  # cross_entropy and other stateless functions
from torchvision import datasets

MEAN, STD = 0.1307, 0.3081
BATCH_SIZE, EPOCHS, MAX_LR, WARMUP, LABEL_SMOOTHING = 128, 2, 0.01, 0.15, 0.1
EVAL_BATCH = 2500


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


# --8<-- [start:data]
def load_split(train: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """A whole split, decoded once and normalised once: (n, 1, 28, 28) float32, (n,) labels."""
    raw = datasets.MNIST("data", train=train, download=True)  # raw.data: (n, 28, 28) uint8
    return raw.data.float().div(255).sub(MEAN).div(STD).unsqueeze(1), raw.targets


@torch.inference_mode()
def accuracy(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    model.eval()
    correct = sum(
        (model(x).argmax(dim=1) == y).sum().item()
        for x, y in zip(images.split(EVAL_BATCH), labels.split(EVAL_BATCH), strict=True)
    )
    return 100 * correct / len(labels)


# --8<-- [end:data]


# --8<-- [start:train]
def train(seed: int = 0, epochs: int = EPOCHS, train_samples: int | None = None):
    images, labels = load_split(train=True)
    order = torch.randperm(60_000, generator=torch.Generator().manual_seed(0))
    train_ids, validation_ids = order[5_000:][:train_samples], order[:5_000]
    x_train, y_train = images[train_ids], labels[train_ids]
    x_val, y_val = images[validation_ids], labels[validation_ids]

    torch.manual_seed(seed)
    model = LeNet().to(memory_format=torch.channels_last)  # NHWC kernels are faster on CPU
    optimizer = torch.optim.Adam(model.parameters(), lr=MAX_LR, fused=True)  # one kernel per step
    steps = epochs * math.ceil(len(y_train) / BATCH_SIZE)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=MAX_LR, total_steps=steps, pct_start=WARMUP
    )
    shuffle = torch.Generator().manual_seed(seed)
    history, best_accuracy, best_state = [], -1.0, None
    for epoch in range(1, epochs + 1):
        model.train()
        loss_sum = 0.0
        for batch in torch.randperm(len(y_train), generator=shuffle).split(BATCH_SIZE):
            logits = model(x_train[batch])
            loss = F.cross_entropy(logits, y_train[batch], label_smoothing=LABEL_SMOOTHING)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()  # the learning rate changes after every batch
            loss_sum += loss.item() * len(batch)
        validation = accuracy(model, x_val, y_val)
        history.append((epoch, loss_sum / len(y_train), validation))
        if validation > best_accuracy:  # keep a copy of the best weights so far
            best_accuracy = validation
            best_state = {name: t.detach().clone() for name, t in model.state_dict().items()}
    model.load_state_dict(best_state)
    return model, history


# --8<-- [end:train]


if __name__ == "__main__":
    # --8<-- [start:run]
    model, history = train(seed=0)
    for epoch, mean_loss, validation in history:
        print(f"第 {epoch} 轮：平均损失 {mean_loss:.3f}，验证准确率 {validation:.2f}%")
    best_epoch = max(history, key=lambda row: row[2])[0]
    test_accuracy = accuracy(model, *load_split(train=False))  # the test set: read once, here
    print(f"最好的是第 {best_epoch} 轮；测试准确率 {test_accuracy:.2f}%")
    assert test_accuracy >= 99.0  # the chapter's claim: over 99 % in two epochs
    # --8<-- [end:run]
