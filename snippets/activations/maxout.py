"""maxout：每个输出取 k 个线性函数的最大值。torch 没有这个模块，这里自己实现。"""

import torch
from torch import nn
from torch.nn import functional as F


# --8<-- [start:maxout]
def maxout(features: torch.Tensor, k: int) -> torch.Tensor:
    """(N, C) -> (N, C // k)：把相邻的 k 个特征分成一组，每组取最大值。"""
    if k < 1:
        raise ValueError(f"k 至少为 1，收到 {k}")
    channels = features.shape[-1]
    if channels % k != 0:
        raise ValueError(f"features 有 {channels} 个特征，不能被 k={k} 整除")
    return features.unflatten(-1, (channels // k, k)).amax(dim=-1)


class Maxout(nn.Module):
    """out_features 个 maxout 单元，每个单元有 k 个线性片段 w_j·x + b_j。"""

    def __init__(self, in_features: int, out_features: int, k: int) -> None:
        super().__init__()
        if k < 1:
            raise ValueError(f"k 至少为 1，收到 {k}")
        for name, size in (("in_features", in_features), ("out_features", out_features)):
            if size < 1:
                raise ValueError(f"{name} 至少为 1，收到 {size}")
        self.k = k
        self.pieces = nn.Linear(in_features, out_features * k)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return maxout(self.pieces(x), self.k)


# --8<-- [end:maxout]


# --8<-- [start:represent]
def one_input_maxout(slopes: list[float], intercepts: list[float]) -> Maxout:
    """一个输入、一个输出的 maxout，片段 j 是 slopes[j]·x + intercepts[j]。"""
    unit = Maxout(1, 1, k=len(slopes))
    with torch.no_grad():
        unit.pieces.weight.copy_(torch.tensor(slopes)[:, None])
        unit.pieces.bias.copy_(torch.tensor(intercepts))
    return unit


x = torch.linspace(-5, 5, 1001)[:, None]
as_relu = one_input_maxout([0.0, 1.0], [0.0, 0.0])  # max(0, x)
as_abs = one_input_maxout([1.0, -1.0], [0.0, 0.0])  # max(x, -x)
as_leaky = one_input_maxout([1.0, 0.1], [0.0, 0.0])  # max(x, 0.1x)
with torch.no_grad():
    checks = {
        "ReLU": torch.equal(as_relu(x), F.relu(x)),
        "|x|": torch.equal(as_abs(x), x.abs()),
        "LeakyReLU(0.1)": torch.equal(as_leaky(x), F.leaky_relu(x, 0.1)),
    }
for name, ok in checks.items():
    assert ok
    print(f"k = 2 的 maxout 表示 {name}: {ok}")
# --8<-- [end:represent]

# --8<-- [start:cost]
torch.manual_seed(0)
layer = Maxout(64, 32, k=4)
out = layer(torch.randn(8, 64))
linear_params = sum(p.numel() for p in nn.Linear(64, 32).parameters())
maxout_params = sum(p.numel() for p in layer.parameters())
assert out.shape == (8, 32) and maxout_params == 4 * linear_params
print(
    f"Maxout(64, 32, k=4): 输出 {tuple(out.shape)}，参数 {maxout_params}，"
    f"是同尺寸 Linear（{linear_params}）的 {maxout_params // linear_params} 倍"
)
# --8<-- [end:cost]
