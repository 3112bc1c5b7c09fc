"""形状变化时的捷径：恒等映射加不上去，改用 1×1 卷积（步长 2）做投影。"""

import torch
from torchvision import models

torch.manual_seed(0)
resnet18 = models.resnet18()
same_shape = resnet18.layer1[0]  # 64 -> 64 通道，尺寸不变：捷径是恒等映射
downsampling = resnet18.layer2[0]  # 64 -> 128 通道，步长 2：捷径是 1×1 卷积 + BN
assert same_shape.downsample is None
print("layer2[0] 的投影捷径:", downsampling.downsample)

x = torch.randn(1, 64, 56, 56)
block = downsampling
main_branch = block.bn2(block.conv2(block.relu(block.bn1(block.conv1(x)))))
print("输入", tuple(x.shape), "主分支输出", tuple(main_branch.shape))
assert main_branch.shape == (1, 128, 28, 28)  # 与 x 的形状不同，无法直接相加
projected = downsampling.downsample(x)
assert projected.shape == main_branch.shape
assert torch.allclose(block(x), torch.relu(main_branch + projected))  # 块的输出 = ReLU(F(x) + Px)

projection_params = sum(p.numel() for p in downsampling.downsample.parameters())
block_params = sum(p.numel() for p in downsampling.parameters())
assert projection_params == 64 * 128 + 2 * 128  # 1×1 卷积权重 + BN 的 γ、β
share = projection_params / block_params
print(f"投影捷径参数 {projection_params:,}，占整个块 {block_params:,} 的 {share:.1%}")

# 每个阶段的第一个块：第一个阶段前面已有步长 2 的最大池化，它不再缩小尺寸；从第二个阶段起尺寸减半
for name in ("resnet18", "resnet50"):
    with torch.device("meta"):
        net = getattr(models, name)()
    for stage in ("layer1", "layer2", "layer3", "layer4"):
        first = getattr(net, stage)[0]
        c_out = (first.conv3 if hasattr(first, "conv3") else first.conv2).out_channels
        shortcut = "1×1 卷积投影" if first.downsample is not None else "恒等映射"
        changes = first.stride != 1 or first.conv1.in_channels != c_out
        assert (first.downsample is not None) == changes  # 只在形状变化时投影
        print(
            f"{name} {stage}[0]: {first.conv1.in_channels} → {c_out} 通道，"
            f"步长 {first.stride}，捷径 {shortcut}"
        )
