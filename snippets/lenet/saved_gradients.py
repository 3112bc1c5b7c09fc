"""What "saving the gradients" means: p.grad after backward() is the gradient of one batch."""

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


torch.manual_seed(0)
model = LeNet()
raw = datasets.MNIST("data", train=True, download=True)
images = ((raw.data[:64].float() / 255 - 0.1307) / 0.3081).unsqueeze(1)
labels = raw.targets[:64]

# --8<-- [start:grads]
# keep the gradient of an intermediate result (the first convolution's output) as well
kept = {}
model.conv1.register_forward_hook(lambda _module, _input, output: kept.update(conv1=output))


def forward_loss() -> torch.Tensor:
    loss = F.cross_entropy(model(images), labels)
    kept["conv1"].retain_grad()  # non-leaf tensors drop their .grad unless asked to keep it
    return loss


loss = forward_loss()
loss.backward()
print(f"一批 {len(labels)} 张图的损失: {loss.item():.4f}")
print("每个参数的梯度范数（只是这一批的）:")
for name, p in model.named_parameters():
    print(f"  {name:12} {tuple(p.grad.shape)!s:15} {p.grad.norm().item():.4f}")
print("conv1 输出的梯度:", tuple(kept["conv1"].grad.shape))

saved = {name: p.grad.clone() for name, p in model.named_parameters()}  # a copy, not a view

# backward() adds into .grad: without zero_grad the next batch's gradient piles on top
forward_loss().backward()
doubled = all(torch.allclose(p.grad, 2 * saved[n], atol=1e-7) for n, p in model.named_parameters())
print("不清零、再 backward() 一次，每个 .grad 都变成两倍:", doubled)
model.zero_grad(set_to_none=True)
cleared = all(p.grad is None for p in model.parameters())
print("zero_grad(set_to_none=True) 之后 .grad 全是 None:", cleared)
assert doubled
# --8<-- [end:grads]
