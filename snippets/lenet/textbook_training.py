"""The textbook recipe: a DataLoader with per-sample transforms, SGD, and a train/evaluate loop.

To finish in seconds it trains one epoch on 12,000 of the 55,000 training images; the full
recipe (5 epochs on all of them) is ``python -m cnnbook.train --recipe textbook``.
"""

import torch
from torch import nn
from torch.utils.data import (  # batches, shuffling, and a view on part of a Dataset
    DataLoader,
    Subset,
)
from torchvision import datasets, transforms
from tqdm import tqdm


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
to_tensor = transforms.ToTensor()  # PIL image, 0..255 → float tensor (1, 28, 28) in [0, 1]
normalize = transforms.Normalize(mean=(0.1307,), std=(0.3081,))  # (x - mean) / std
to_input = transforms.Compose([to_tensor, normalize])
train_set = datasets.MNIST("data", train=True, transform=to_input, download=True)
# hold out 5,000 training images (the same fixed split everywhere in this chapter) to choose
# the best epoch; the test set is only used once, at the very end
order = torch.randperm(60_000, generator=torch.Generator().manual_seed(0))
train_ids, validation_ids = order[5_000:], order[:5_000]
first_12000 = Subset(train_set, train_ids[:12_000].tolist())
shuffling = torch.Generator().manual_seed(0)  # a fixed seed: the same order on every run
train_loader = DataLoader(first_12000, batch_size=64, shuffle=True, generator=shuffling)
validation_loader = DataLoader(Subset(train_set, validation_ids.tolist()), batch_size=64)
# --8<-- [end:data]


# --8<-- [start:loop]
def train_one_epoch(model, loader, loss_fn, optimizer) -> float:
    model.train()  # training mode (matters for dropout / batch norm; LeNet has neither)
    total_loss = 0.0
    for images, labels in tqdm(loader, desc="train", leave=False):  # the bar goes to stderr
        optimizer.zero_grad()  # forget the previous batch's gradients
        loss = loss_fn(model(images), labels)  # forward pass: mean loss over the batch
        loss.backward()  # backward pass: fills p.grad for every parameter p
        optimizer.step()  # update: p ← p - lr · (momentum-smoothed gradient)
        total_loss += loss.item() * len(labels)
    return total_loss / len(loader.dataset)


@torch.inference_mode()  # no graph, no gradients: faster and lighter
def evaluate(model, loader) -> float:
    model.eval()
    correct = sum((model(images).argmax(dim=1) == labels).sum().item() for images, labels in loader)
    return 100 * correct / len(loader.dataset)


# --8<-- [end:loop]


# --8<-- [start:run]
torch.manual_seed(0)
model = LeNet()
loss_fn = nn.CrossEntropyLoss()  # softmax + negative log-likelihood, from the raw logits
optimizer = torch.optim.SGD(params=model.parameters(), lr=0.01, momentum=0.5)
before = evaluate(model, validation_loader)
print(f"训练之前的验证准确率: {before:.1f}%")
loss = train_one_epoch(model, train_loader, loss_fn, optimizer)
after = evaluate(model, validation_loader)
print(f"在 12,000 张图上训练一轮之后: 平均损失 {loss:.2f}，验证准确率 {after:.1f}%")
# --8<-- [end:run]
assert 5 <= before <= 15  # an untrained network guesses: about 1 in 10
assert 30 <= after <= 85  # it learns, but slowly (over seeds and CPUs: see tests/output_rules.toml)
