"""全连接层就是卷积：卷积核与输入一样大的卷积等于拉平后的全连接层；1×1 卷积等于逐像素的全连接层。"""

# --8<-- [start:whole]
import torch
from torch import nn

torch.manual_seed(0)
channels, height, width, classes = 16, 5, 5, 10
fc = nn.Linear(channels * height * width, classes)

# 卷积核与特征图一样大（5×5）：每个滤波器正好覆盖整张图，只有一个输出位置
conv = nn.Conv2d(channels, classes, kernel_size=(height, width))
with torch.no_grad():
    conv.weight.copy_(fc.weight.view(classes, channels, height, width))  # 同一组数，换个形状
    conv.bias.copy_(fc.bias)

x = torch.randn(4, channels, height, width)
by_fc = fc(x.flatten(1))  # (4, 10)
by_conv = conv(x)  # (4, 10, 1, 1)
assert torch.allclose(by_conv.flatten(1), by_fc, atol=1e-5)
print("全连接层输出", tuple(by_fc.shape), " 卷积输出", tuple(by_conv.shape))
print("两者相同:", torch.allclose(by_conv.flatten(1), by_fc, atol=1e-5))
# --8<-- [end:whole]

# --8<-- [start:pointwise]
# 1×1 卷积 = 在每个像素上对通道向量做同一个全连接层
pointwise = nn.Conv2d(channels, 8, kernel_size=1)
per_pixel = nn.Linear(channels, 8)
with torch.no_grad():
    per_pixel.weight.copy_(pointwise.weight.view(8, channels))
    per_pixel.bias.copy_(pointwise.bias)
by_linear = per_pixel(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)  # 通道挪到最后一维再乘
assert torch.allclose(pointwise(x), by_linear, atol=1e-5)
print("1×1 卷积与逐像素的 nn.Linear 相同:", torch.allclose(pointwise(x), by_linear, atol=1e-5))
# --8<-- [end:pointwise]

# --8<-- [start:sliding]
# 写成卷积的分类头不挑输入尺寸：在更大的特征图上，它在每个 5×5 窗口上各算一次分类分数
larger = torch.randn(1, channels, 9, 9)
scores = conv(larger)  # (1, 10, 5, 5)：9 − 5 + 1 = 5
window = larger[:, :, 2:7, 3:8]  # 左上角在 (2, 3) 的 5×5 窗口
assert torch.allclose(scores[0, :, 2, 3], fc(window.flatten(1))[0], atol=1e-5)
print(f"9×9 的输入得到分数图 {tuple(scores.shape)}，每个位置是一个 5×5 窗口的分类结果")
# --8<-- [end:sliding]
