"""十四个经典与轻量网络的成本表：参数量、MACs、FLOPs、torchvision 的元数据、最后一层特征图的感受野。

全部在 meta 设备上完成：只建立结构、不分配内存、不下载权重，几秒钟就能算完。
"""

import math

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten
from torch.utils.flop_counter import FlopCounterMode
from torch.utils.weak import WeakTensorKeyDictionary
from torchvision import models

aten = torch.ops.aten

# --8<-- [start:models]
# 名字 → 构建时的额外参数。GoogLeNet 的预训练权重不带两个辅助分类器，这里同样去掉；
# Inception v3 的预训练权重保留辅助分类器（参数量里有它，推理时它不运行）。
MODELS = {
    "alexnet": {},
    "vgg16": {},
    "googlenet": {"aux_logits": False, "init_weights": False},
    "inception_v3": {"init_weights": False},
    "resnet18": {},
    "resnet50": {},
    "densenet121": {},
    "mobilenet_v2": {},
    "mobilenet_v3_large": {},
    "mobilenet_v3_small": {},
    "shufflenet_v2_x1_0": {},
    "squeezenet1_1": {},
    "efficientnet_b0": {},
    "convnext_tiny": {},
}
# --8<-- [end:models]


# --8<-- [start:field]
Layer = tuple[int, int, int, int]  # (K, S, P, D)
Axis = tuple[int, int, tuple[Layer, ...]]  # 一个方向上的 (感受野 R, 跳距 J, 这条路径经过的层)
GLOBAL = "global"  # 经过了全局池化：不再有空间位置


def grow(axis: Axis, kernel: int, stride: int, padding: int, dilation: int) -> Axis:
    """第 3 章的递推：R ← R + D·(K − 1)·J，J ← J·S（填充只移动起点，不改变大小）。"""
    size, jump, path = axis
    layer = (kernel, stride, padding, dilation)
    return size + dilation * (kernel - 1) * jump, jump * stride, (*path, layer)


def pair(value, default) -> tuple[int, int]:
    value = default if value in (None, []) else value
    value = [value] if isinstance(value, int) else list(value)
    return (value[0], value[-1])


class FieldTracer(TorchDispatchMode):
    """跟着每一次 ATen 运算传递感受野：卷积与池化按递推增长；相加、拼接、相乘等合并运算取各输入中
    最大的感受野（各输入的跳距必须相同）；全局平均池化之后的张量记为 GLOBAL。

    SE 模块用全局池化得到的通道权重去乘特征图：这一支不计入（否则之后每个单元都“看到整幅图”），
    感受野只沿卷积与池化的路径计算。"""

    def __init__(self, image: torch.Tensor):
        super().__init__()
        self.fields = WeakTensorKeyDictionary()
        self.fields[image] = ((1, 1, ()), (1, 1, ()))  # (高方向, 宽方向)：输入像素 R = 1、J = 1
        self.last = None  # 最后一个四维、带空间位置的张量：最后一层特征图

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        inputs = [t for t in tree_flatten((args, kwargs))[0] if isinstance(t, torch.Tensor)]
        known = [self.fields[t] for t in inputs if t in self.fields]
        if not known:
            return out  # 权重、常数：与输入图像无关
        spatial = [field for field in known if field is not GLOBAL]
        if func is aten.mean.dim or not spatial:
            field = GLOBAL
        elif func is aten._adaptive_avg_pool2d.default:
            assert list(args[1]) == list(args[0].shape[-2:])  # 输出与输入一样大：不改变感受野
            field = self.fields[args[0]]
        elif func is aten.convolution.default:
            image, weight, _, stride, padding, dilation, transposed = args[:7]
            assert not transposed
            field = tuple(
                grow(self.fields[image][i], weight.shape[2 + i], stride[i], padding[i], dilation[i])
                for i in range(2)
            )
        elif func in (aten.max_pool2d_with_indices.default, aten.avg_pool2d.default):
            image, kernel = args[0], pair(args[1], None)
            stride = pair(args[2] if len(args) > 2 else None, kernel)
            padding = pair(args[3] if len(args) > 3 else 0, 0)
            dilated = func is aten.max_pool2d_with_indices.default and len(args) > 4
            dilation = pair(args[4], 1) if dilated else (1, 1)
            field = tuple(
                grow(self.fields[image][i], kernel[i], stride[i], padding[i], dilation[i])
                for i in range(2)
            )
        else:  # 逐元素运算、BN、拼接、相加、形状变换：取最大的感受野
            for i in range(2):
                assert len({f[i][1] for f in spatial}) == 1, f"{func}: 跳距不同，不能合并"
            field = tuple(max((f[i] for f in spatial), key=lambda a: a[0]) for i in range(2))
        for tensor in tree_flatten(out)[0]:
            if isinstance(tensor, torch.Tensor):
                self.fields[tensor] = field
        if field is not GLOBAL and isinstance(out, torch.Tensor) and out.dim() == 4:
            self.last = field
        return out


# --8<-- [end:field]


# --8<-- [start:count]
def count(name: str) -> dict:
    weights = models.get_model_weights(name).DEFAULT  # 元数据随 torchvision 安装，不必下载
    side = weights.transforms().crop_size[0]  # Inception v3 是 299，其余 224
    with torch.device("meta"):
        model = models.get_model(name, weights=None, **MODELS[name]).eval()
    image = torch.empty(1, 3, side, side, device="meta")
    with FlopCounterMode(display=False) as flop_counter:
        model(image)
    tracer = FieldTracer(image)
    with tracer:
        model(image)
    (height, jump, path), (width, _, _) = tracer.last
    assert height == width, name  # 这些网络的感受野都是正方形
    meta = weights.meta
    return {
        "weights": str(weights).split(".")[-1],
        "input": side,
        "params": sum(p.numel() for p in model.parameters()),
        "flops": flop_counter.get_total_flops(),
        "ops": meta["_ops"],
        "file_mib": meta["_file_size"],
        "acc1": meta["_metrics"]["ImageNet-1K"]["acc@1"],
        "acc5": meta["_metrics"]["ImageNet-1K"]["acc@5"],
        "field": height,
        "jump": jump,
        "path": path,  # 高方向上感受野最大的那条路径经过的 (K, S, P, D)
        "num_params": meta["num_params"],
    }


table = {name: count(name) for name in MODELS}
# --8<-- [end:count]

# --8<-- [start:print]
print(f"{'模型':<18}{'输入':>4}{'参数量':>11}{'MACs':>16}{'FLOPs':>16}   _ops  acc@1 感受野")
for name, row in table.items():
    macs = row["flops"] // 2
    print(
        f"{name:<20}{row['input']:>4}{row['params']:>14,}{macs:>16,}{row['flops']:>16,}"
        f" {row['ops']:>6.3f} {row['acc1']:>6.2f} {row['field']:>6}"
    )
# --8<-- [end:print]

# --8<-- [start:checks]
for name, row in table.items():
    assert row["params"] == row["num_params"], name  # 与 torchvision 登记的参数量一致
    assert row["flops"] % 2 == 0, name  # FlopCounterMode 把每次乘加计为 2 FLOPs
    # torchvision 的 _ops 是 GMACs（文档却写 GFLOPS）：FLOPs / 2 / 10^9 保留三位小数正好等于它
    assert round(row["flops"] / 2 / 1e9, 3) == row["ops"], name
    assert math.isclose(row["flops"] / 1e9, 2 * row["ops"], rel_tol=0.02), name
print("参数量 == Weights.meta['num_params'] 且 FLOPs / 2 / 10^9 == _ops（三位小数）:", True)
# --8<-- [end:checks]
