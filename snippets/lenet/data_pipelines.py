"""Two ways to feed MNIST to a network: per-sample transforms in a DataLoader, or tensors."""

import torch
from torch.utils.data import (  # batches and shuffles any Dataset
    DataLoader,
)
from torchvision import datasets, transforms

MEAN, STD = 0.1307, 0.3081
to_tensor = transforms.ToTensor()  # PIL image → float tensor in [0, 1]
to_input = transforms.Compose([to_tensor, transforms.Normalize(mean=(MEAN,), std=(STD,))])
calls = 0


def counted_to_input(image):
    """The same transform, counting how often it runs: once per sample fetched."""
    global calls
    calls += 1
    return to_input(image)


# --8<-- [start:textbook]
dataset = datasets.MNIST("data", train=True, transform=counted_to_input, download=True)
loader = DataLoader(dataset, batch_size=64, shuffle=True)
for step, _batch in enumerate(loader, start=1):  # data only, no training
    if step == 100:
        break
print(f"DataLoader: 一轮 {len(loader)} 批；前 {step} 批调用了 {calls:,} 次变换")
# --8<-- [end:textbook]

# --8<-- [start:tensors]
raw = datasets.MNIST("data", train=True, download=True)
images = raw.data.float().div(255).sub(MEAN).div(STD).unsqueeze(1)  # once: (60000, 1, 28, 28)
labels = raw.targets
order = torch.randperm(len(labels))  # a fresh random order for every epoch
batch_size, steps = 128, 0
for start in range(0, len(labels), batch_size):
    chosen = order[start : start + batch_size]
    x, y = images[chosen], labels[chosen]  # one indexing operation per batch
    steps += 1
print(f"张量: 一轮 {steps} 批，内存里的 float32 共 {images.numel() * 4 / 2**20:.1f} MiB")
# --8<-- [end:tensors]

# Both paths give exactly the same normalised pixels for the same images
some = [0, 7, 59_999]
from_dataset = torch.stack([dataset[i][0] for i in some])
print("两条路径的输入逐位相同:", torch.equal(from_dataset, images[some]))
assert torch.equal(from_dataset, images[some])
assert (len(loader), step, steps, calls) == (938, 100, 469, 100 * 64 + len(some))
