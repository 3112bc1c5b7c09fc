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
print(f"像素个数: {count:,}  均值: {mean:.6f}  标准差: {std:.6f}")
print(f"保留四位小数: ({mean:.4f}, {std:.4f})")
assert (round(mean, 4), round(std, 4)) == (0.1307, 0.3081)

to_tensor = transforms.ToTensor()  # PIL image, 0..255 → float tensor (1, 28, 28) in [0, 1]
normalize = transforms.Normalize(mean=(0.1307,), std=(0.3081,))  # (x - mean) / std
to_input = transforms.Compose([to_tensor, normalize])
first = to_input(train_set[0][0])  # train_set[0] is (PIL image, label)
by_hand = (pixels[0].float() / 255 - 0.1307) / 0.3081
same = torch.equal(first[0], by_hand)
print(f"变换之后: {tuple(first.shape)}  与 (x/255 - 0.1307)/0.3081 逐位相同: {same}")
assert torch.equal(first[0], by_hand)

# normalising is x ↦ (x/255 - 0.1307)/0.3081, a linear map: mean and std follow directly
new_mean, new_std = (mean - 0.1307) / 0.3081, std / 0.3081
print(f"归一化之后的训练集: 均值 {new_mean:.4f}，标准差 {new_std:.4f}")
print(f"黑色 (0) 变成 {-0.1307 / 0.3081:.4f}，白色 (255) 变成 {0.8693 / 0.3081:.4f}")
