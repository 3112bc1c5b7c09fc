"""Load MNIST with torchvision and look at what the files hold."""

import torch
from torchvision import datasets

# download=True fetches the four files into data/MNIST/raw/ the first time; afterwards it only
# checks their md5 sums and reads them from disk
train_set = datasets.MNIST("data", train=True, download=True)
test_set = datasets.MNIST("data", train=False, download=True)

images, labels = train_set.data, train_set.targets  # the whole split, decoded once
print("训练图:", len(train_set), " 测试图:", len(test_set))
low, high = images.min().item(), images.max().item()
print("images:", tuple(images.shape), images.dtype, f" 像素取值 {low} 到 {high}")
print("labels:", tuple(labels.shape), labels.dtype, " 前 12 个:", labels[:12].tolist())
per_digit = torch.bincount(labels, minlength=10)
print("训练集每个数字的张数:", per_digit.tolist())
print(f"最少的是 {per_digit.argmin().item()}（{per_digit.min().item():,} 张），"
      f"最多的是 {per_digit.argmax().item()}（{per_digit.max().item():,} 张）")

image, label = train_set[0]  # indexing gives a PIL image and an int, one sample at a time
print("train_set[0]:", type(image).__name__, image.mode, image.size, "标签", label)

assert (len(train_set), len(test_set)) == (60_000, 10_000)
assert images.shape == (60_000, 28, 28) and images.dtype == torch.uint8
assert torch.bincount(labels).sum() == 60_000
