"""整数 leaky ReLU：用 (13·x) >> 7 代替 0.1·x。误差多大？负数右移怎么取整？"""

from fractions import Fraction

import torch


# --8<-- [start:helpers]
def fixed_point_slope(slope: float, shift: int) -> int:
    """把斜率近似成 numerator / 2**shift，返回 numerator。"""
    if not 0 < slope < 1:
        raise ValueError(f"slope 必须在 (0, 1) 内（leaky ReLU 的斜率），收到 {slope}")
    if shift < 0:
        raise ValueError(f"shift 不能为负，收到 {shift}")
    numerator = round(slope * 2**shift)
    if numerator < 1:
        raise ValueError(f"shift={shift} 太小：斜率 {slope} 舍入成 0/2**{shift}")
    return numerator


def leaky_relu_int(x: torch.Tensor, numerator: int = 13, shift: int = 7) -> torch.Tensor:
    """整数输入的 leaky ReLU：正数原样输出，负数输出 (numerator·x) >> shift。"""
    if x.dtype.is_floating_point or x.dtype.is_complex or x.dtype == torch.bool:
        raise ValueError(f"x 必须是整数张量，收到 {x.dtype}")
    if shift < 0:
        raise ValueError(f"shift 不能为负，收到 {shift}")
    if not 0 < numerator < 2**shift:
        raise ValueError(f"numerator 必须在 (0, 2**shift) = (0, {2**shift}) 内，收到 {numerator}")
    wide = x.to(torch.int32)  # int8 的 13·x 会溢出：先扩宽
    return torch.where(wide >= 0, wide, (wide * numerator) >> shift).to(x.dtype)


# --8<-- [end:helpers]

# --8<-- [start:error]
approx = Fraction(13, 2**7)
relative = abs(approx - Fraction(1, 10)) / Fraction(1, 10)
assert fixed_point_slope(0.1, 7) == 13 and relative == Fraction(1, 64)
print(
    f"13/128 = {float(approx)}，相对误差 |13/128 - 0.1| / 0.1 = {relative} = {float(relative):.4%}"
)
for shift in (4, 5, 6, 7, 8, 10, 12):
    n = fixed_point_slope(0.1, shift)
    error = abs(Fraction(n, 2**shift) - Fraction(1, 10)) / Fraction(1, 10)
    print(f"  shift = {shift:>2}: 0.1 ≈ {n:>3}/{2**shift:<4} 相对误差 {float(error):.4%}")
# --8<-- [end:error]

# --8<-- [start:rounding]
x = torch.tensor([-1, -5, -10, -64, -128], dtype=torch.int32)
floor_shift = (x * 13) >> 7  # 算术右移：向负无穷取整
nearest = (x * 13 + 64) >> 7  # 先加 2^(7-1) 再移：四舍五入
toward_zero = torch.div(x * 13, 128, rounding_mode="trunc")  # C 语言整数除法的取整方式
print("x              ", x.tolist())
print("0.1·x          ", [round(0.1 * v, 1) for v in x.tolist()])
print("(13x) >> 7     ", floor_shift.tolist())
print("(13x + 64) >> 7", nearest.tolist())
print("13x / 128 截断 ", toward_zero.tolist())

every_int8 = torch.arange(-128, 128, dtype=torch.int32)
assert torch.equal((every_int8 * 13) >> 7, torch.div(every_int8 * 13, 128, rounding_mode="floor"))
negatives = torch.arange(-128, 0, dtype=torch.int32)
for name, y in [
    ("(13x) >> 7", (negatives * 13) >> 7),
    ("(13x + 64) >> 7", (negatives * 13 + 64) >> 7),
]:
    error = y.double() - 0.1 * negatives.double()
    print(
        f"x 取 -128..-1 时 {name} 相对 0.1x 的误差: [{error.min():.2f}, {error.max():.2f}]，"
        f"平均 {error.mean():.3f}"
    )
# --8<-- [end:rounding]

# --8<-- [start:overflow]
int8_input = torch.tensor([-10, -1, 0, 100], dtype=torch.int8)
wrapped = (int8_input * 13) >> 7  # -130 超出 int8 的 [-128, 127]，回绕成 126
print("int8 里直接乘 13:", (int8_input * 13).tolist(), "-> 右移后", wrapped.tolist())
widened = leaky_relu_int(int8_input)
print("扩宽到 int32 再算:", widened.tolist())
assert (int8_input * 13)[0].item() == 126 and widened.tolist() == [-2, -1, 0, 100]
# --8<-- [end:overflow]
