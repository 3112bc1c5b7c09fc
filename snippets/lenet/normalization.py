"""Where (0.1307, 0.3081) comes from: the mean and std of every training pixel in [0, 1]."""

import torch
from torchvision import datasets, transforms

train_set = datasets.MNIST("data", train=True, download=True)
pixels = train_set.data  # uint8, (60000, 28, 28)

# How many pixels have each value 0..255: the sums below are then exact integers, and the
# statistics exact up to the final float64 division (std: population std over all pixels).
histogram = torch.bincount(pixels.flatten(), minlength=256).tolist()
count = sum(histogram)
total = sum(value * n for value, n in enumerate(histogram))
total_of_squares = sum(value**2 * n for value, n in enumerate(histogram))
mean = total / count / 255
std = (total_of_squares / count / 255**2 - mean**2) ** 0.5
print(f"pixels: {count:,}  mean: {mean:.6f}  std: {std:.6f}")
print(f"rounded: ({mean:.4f}, {std:.4f})")
assert (round(mean, 4), round(std, 4)) == (0.1307, 0.3081)

to_tensor = transforms.ToTensor()  # PIL image, 0..255 → float tensor (1, 28, 28) in [0, 1]
normalize = transforms.Normalize(mean=(0.1307,), std=(0.3081,))  # (x - mean) / std
to_input = transforms.Compose([to_tensor, normalize])
first = to_input(train_set[0][0])  # train_set[0] is (PIL image, label)
by_hand = (pixels[0].float() / 255 - 0.1307) / 0.3081
same = torch.equal(first[0], by_hand)
print(f"after the transform: {tuple(first.shape)}  same as (x/255 - 0.1307)/0.3081: {same}")
assert torch.equal(first[0], by_hand)

# normalising is x ↦ (x/255 - 0.1307)/0.3081, a linear map: mean and std follow directly
new_mean, new_std = (mean - 0.1307) / 0.3081, std / 0.3081
print(f"training set after normalising: mean {new_mean:.4f}, std {new_std:.4f}")
print(f"black (0) becomes {-0.1307 / 0.3081:.4f}, white (255) becomes {0.8693 / 0.3081:.4f}")
