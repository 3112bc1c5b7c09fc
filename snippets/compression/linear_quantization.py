"""线性量化：缩放因子 s、零点 z；对称与非对称；逐张量与逐通道。与 PyTorch 的 fake_quantize 核对。"""

import torch


# --8<-- [start:formulas]
def quant_params(x: torch.Tensor, bits: int, symmetric: bool, per_channel: bool):
    """(s, z, q_min, q_max)。per_channel 时每个输出通道（第 0 维的每一片）一组 s、z。"""
    top = 2 ** (bits - 1) - 1
    q_min, q_max = (-top, top) if symmetric else (-top - 1, top)
    rows = x.flatten(start_dim=1) if per_channel else x.reshape(1, -1)
    low = rows.min(dim=1).values.clamp(max=0)  # 范围总包含 0，0 才能被精确表示
    high = rows.max(dim=1).values.clamp(min=0)
    if symmetric:
        scale = torch.maximum(-low, high) / q_max
        zero_point = torch.zeros_like(scale, dtype=torch.int64)
    else:
        scale = (high - low) / (q_max - q_min)
        zero_point = (q_min - torch.round(low / scale)).to(torch.int64)
    if not per_channel:
        scale, zero_point = scale[0], zero_point[0]
    return scale, zero_point, q_min, q_max


def quantize(x, scale, zero_point, q_min, q_max):
    """q = clamp(round(x / s) + z, q_min, q_max)"""
    return (torch.round(x / scale) + zero_point).clamp(q_min, q_max).to(torch.int64)


def dequantize(q, scale, zero_point):
    """x̂ = s · (q − z)"""
    return scale * (q - zero_point)


# --8<-- [end:formulas]

# --8<-- [start:compare]
torch.manual_seed(0)
# 一个卷积层的权重 (16, 6, 5, 5)：各滤波器的取值范围相差很大（乘上不同的系数）
weight = torch.randn(16, 6, 5, 5) * torch.logspace(-1.5, 0, 16).view(16, 1, 1, 1)
weight[0] = weight[0].abs()  # 第 0 个滤波器全为正：非对称量化在这里占优
print("方案              位数   最大 |x − x̂|   均方误差 × 10⁶   处处 ≤ s/2")
for bits in (8, 4):
    for symmetric in (True, False):
        for per_channel in (False, True):
            scale, zero_point, q_min, q_max = quant_params(weight, bits, symmetric, per_channel)
            shaped = (
                (scale.view(-1, 1, 1, 1), zero_point.view(-1, 1, 1, 1))
                if per_channel
                else (scale, zero_point)
            )
            q = quantize(weight, *shaped, q_min, q_max)
            restored = dequantize(q, *shaped)
            if per_channel:  # PyTorch 的同一运算（q 取整后立即反量化）
                theirs = torch.fake_quantize_per_channel_affine(
                    weight, scale, zero_point.to(torch.int32), 0, q_min, q_max
                )
            else:
                theirs = torch.fake_quantize_per_tensor_affine(
                    weight, scale.item(), int(zero_point), q_min, q_max
                )
            assert torch.equal(restored, theirs)
            assert q.min() >= q_min and q.max() <= q_max
            error = (weight - restored).abs()
            within = bool((error <= shaped[0] / 2 * (1 + 1e-6)).all())  # 取整误差不超过半格
            name = f"{'对称' if symmetric else '非对称'}，{'逐通道' if per_channel else '逐张量'}"
            print(
                f"{name.ljust(8, '　')} {bits:>4} {error.max():>15.5f} "
                f"{(error**2).mean() * 1e6:>16.2f} {within!s:>12}"
            )
print("与 torch.fake_quantize_per_tensor/per_channel_affine 逐元素相同: True")
# --8<-- [end:compare]
