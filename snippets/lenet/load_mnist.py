"""Load MNIST with torchvision and look at what the files hold."""

import torch
from torchvision import datasets

# download=True fetches the four files into data/MNIST/raw/ the first time; afterwards it only
# checks their md5 sums and reads them from disk
train_set = datasets.MNIST("data", train=True, download=True)
test_set = datasets.MNIST("data", train=False, download=True)

images, labels = train_set.data, train_set.targets  # the whole split, decoded once
print("training images:", len(train_set), " test images:", len(test_set))
print(
    "images:",
    tuple(images.shape),
    images.dtype,
    " pixel range:",
    images.min().item(),
    "to",
    images.max().item(),
)
print("labels:", tuple(labels.shape), labels.dtype, " first 12:", labels[:12].tolist())
print("images per digit (training):", torch.bincount(labels, minlength=10).tolist())

image, label = train_set[0]  # indexing gives a PIL image and an int, one sample at a time
print("train_set[0]:", type(image).__name__, image.mode, image.size, "label", label)

assert (len(train_set), len(test_set)) == (60_000, 10_000)
assert images.shape == (60_000, 28, 28) and images.dtype == torch.uint8
assert torch.bincount(labels).sum() == 60_000
