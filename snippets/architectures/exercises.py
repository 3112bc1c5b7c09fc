"""第 8 章练习的答案：每个数都由下面的代码算出。"""

import math

import torch
from torch import nn
from torchvision import models

# --8<-- [start:bottleneck]
# 练习 1：56×56、256 通道上，一个 3×3 卷积（256 → 256）与一个瓶颈块（256 → 64 → 64 → 256）的 MACs
side = 56
plain = side * side * 256 * 256 * 9
bottleneck = side * side * (256 * 64 + 64 * 64 * 9 + 64 * 256)
print(f"练习 1  3×3 卷积 {plain / 1e9:.3f} G MACs，瓶颈块 {bottleneck / 1e9:.3f} G MACs")
layers = [nn.Conv2d(256, 64, 1), nn.Conv2d(64, 64, 3, padding=1), nn.Conv2d(64, 256, 1)]
x = torch.empty(1, 256, side, side, device="meta")
counted = 0
for layer in layers:
    layer.to("meta")
    x = layer(x)
    counted += x.numel() * layer.in_channels * layer.kernel_size[0] ** 2
assert counted == bottleneck
# --8<-- [end:bottleneck]

# --8<-- [start:inverted]
# 练习 2：MobileNet V2 的块 24 → 144 → 24（3×3 深度卷积，步长 1）在 56×56 上的参数与 MACs（不计 BN）
convs = [(24, 144, 1, 1), (144, 144, 3, 144), (144, 24, 1, 1)]  # (C_in, C_out, K, 分组)
params = sum(c_out * c_in // g * k * k for c_in, c_out, k, g in convs)
macs = sum(side * side * c_out * c_in // g * k * k for c_in, c_out, k, g in convs)
print(f"练习 2  参数 {params:,}，MACs {macs / 1e6:.2f} M；同尺寸的 24 → 24 普通 3×3 卷积 MACs "
      f"{side * side * 24 * 24 * 9 / 1e6:.2f} M")  # fmt: skip
# --8<-- [end:inverted]


# --8<-- [start:traffic]
# 练习 3：28×28 上的 1×1 卷积，(C_in, C_out) = (64, 256) 与 (128, 128) 的乘加次数相同，
# 访存量各是多少个元素？
def traffic(c_in: int, c_out: int, side: int = 28) -> int:
    return side * side * (c_in + c_out) + c_in * c_out


print(f"练习 3  (64, 256): {traffic(64, 256):,}，(128, 128): {traffic(128, 128):,}，"
      f"之比 {traffic(64, 256) / traffic(128, 128):.3f}")  # fmt: skip
# --8<-- [end:traffic]

# --8<-- [start:field]
# 练习 4：在 ResNet-18 的 layer4 之后再加一个 3×3、步长 1 的卷积，最后一层特征图的感受野是多少？
field, jump = 435, 32  # 本章表中 ResNet-18 的感受野与跳距
print(f"练习 4  {field + (3 - 1) * jump}")
# --8<-- [end:field]

# --8<-- [start:se]
# 练习 5：C = 512、r = 16 的 SE 模块有多少参数（两个全连接层都带偏置）？
se = nn.Sequential(nn.Conv2d(512, 512 // 16, 1), nn.ReLU(), nn.Conv2d(512 // 16, 512, 1))
print(f"练习 5  {sum(p.numel() for p in se.parameters()):,}")
# --8<-- [end:se]

# --8<-- [start:triplet]
# 练习 6：margin = 0.5，d(a, p) = 1.2；d(a, n) 分别为 1.5 与 2.0 时的三元组损失
for d_neg in (1.5, 2.0):
    loss = nn.functional.relu(torch.tensor(1.2 - d_neg + 0.5)).item()
    print(f"练习 6  d(a, n) = {d_neg}: 损失 {loss:.1f}")
# --8<-- [end:triplet]

# --8<-- [start:file_size]
# 练习 7：ResNet-50 的 _file_size 是 MiB。换成 MB 是多少？与 float32 参数与缓冲区所占的字节数比一比
weights = models.ResNet50_Weights.DEFAULT
with torch.device("meta"):
    resnet50 = models.resnet50()
tensor_bytes = sum(t.numel() * t.element_size() for t in resnet50.state_dict().values())
file_bytes = weights.meta["_file_size"] * 2**20
print(f"练习 7  文件 {file_bytes / 1e6:.1f} MB，张量 {tensor_bytes / 1e6:.1f} MB")
assert math.isclose(file_bytes, tensor_bytes, rel_tol=0.01)  # 按 MiB 理解，两者相差不到 1%
assert weights.meta["_file_size"] * 1e6 < tensor_bytes  # 按 MB 理解，文件比它装的数据还小：不可能
# --8<-- [end:file_size]
