"""Keep the best epoch's weights, save them as a state_dict, and load them back safely."""

import pickle

import torch
from torch import nn
from torch.nn import functional as F  # cross_entropy and other stateless functions
from torchvision import datasets


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


raw = datasets.MNIST("data", train=True, download=True)
images = ((raw.data.float() / 255 - 0.1307) / 0.3081).unsqueeze(1)
order = torch.randperm(60_000, generator=torch.Generator().manual_seed(0))
x_train, y_train = images[order[5_000:10_000]], raw.targets[order[5_000:10_000]]  # 5,000 images
x_val, y_val = images[order[:5_000]], raw.targets[order[:5_000]]


@torch.inference_mode()
def validation_accuracy(model: nn.Module) -> float:
    model.eval()
    return 100 * (model(x_val).argmax(dim=1) == y_val).float().mean().item()


# --8<-- [start:keep]
torch.manual_seed(0)
model = LeNet()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
best_accuracy, best_epoch, best_state = -1.0, 0, None
for epoch in range(1, 5):
    model.train()
    for batch in torch.randperm(len(y_train)).split(100):
        loss = F.cross_entropy(model(x_train[batch]), y_train[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    accuracy = validation_accuracy(model)
    print(f"第 {epoch} 轮：验证准确率 {accuracy:.1f}%")
    if accuracy > best_accuracy:
        # state_dict() holds references to the live tensors, which keep changing: clone them
        best_state = {name: t.detach().clone() for name, t in model.state_dict().items()}
        best_accuracy, best_epoch = accuracy, epoch

torch.save(best_state, "lenet.pt")  # only names → tensors, no Python objects
# --8<-- [end:keep]

# --8<-- [start:load]
restored = LeNet()
restored.load_state_dict(torch.load("lenet.pt", weights_only=True))  # strict: every name must fit
print(f"载回的是最好的一轮（第 {best_epoch} 轮）: {validation_accuracy(restored) == best_accuracy}")
tensors = list(best_state.values())
print(f"state_dict: {len(tensors)} 个张量，共 {sum(t.numel() for t in tensors):,} 个数")

try:  # a checkpoint from a differently shaped model is refused, not silently half-loaded
    LeNet(num_classes=5).load_state_dict(torch.load("lenet.pt", weights_only=True))
except RuntimeError as error:
    print("LeNet(num_classes=5):", str(error).splitlines()[1].strip())

torch.save(model, "whole_model.pt")  # pickles the Python object, not just the weights
try:  # weights_only=True refuses to run the pickled code inside such a file
    torch.load("whole_model.pt", weights_only=True)
except pickle.UnpicklingError:
    print("torch.load(整个模型, weights_only=True): 拒绝载入（UnpicklingError）")
# --8<-- [end:load]
assert validation_accuracy(restored) == best_accuracy and best_epoch >= 1
