"""查找表 sigmoid：在 [low, high] 上存 size 个值，表外钳位到两端；测量它在细网格上的最大误差。"""

import math
from dataclasses import dataclass

import torch

torch.set_default_dtype(torch.float64)


# --8<-- [start:table]
@dataclass(frozen=True)
class SigmoidTable:
    low: float
    high: float
    values: torch.Tensor  # values[i] = sigmoid(low + i * step)

    @property
    def step(self) -> float:
        return (self.high - self.low) / (len(self.values) - 1)


def build_table(size: int, low: float = -8.0, high: float = 8.0) -> SigmoidTable:
    if size < 2:
        raise ValueError(f"size 至少为 2，收到 {size}")
    if not low < high:
        raise ValueError(f"low 必须小于 high，收到 low={low}、high={high}")
    return SigmoidTable(low, high, torch.sigmoid(torch.linspace(low, high, size)))


def lookup(table: SigmoidTable, x: torch.Tensor, mode: str = "linear") -> torch.Tensor:
    last = len(table.values) - 1
    position = ((x - table.low) / table.step).clamp(0, last)  # 表外钳位到两端的表项
    if mode == "nearest":
        return table.values[position.round().long()]
    if mode == "linear":
        left = position.floor().long().clamp(max=last - 1)
        frac = position - left
        return table.values[left] * (1 - frac) + table.values[left + 1] * frac
    raise ValueError(f"mode 必须是 'nearest' 或 'linear'，收到 {mode!r}")


# --8<-- [end:table]

# --8<-- [start:errors]
fine = torch.arange(-12 * 2**14, 12 * 2**14 + 1) / 2**14  # [-12, 12]，步长 2^-14，延伸到表外
inside = fine.abs() <= 8
exact = torch.sigmoid(fine)
max_curvature = 1 / (6 * math.sqrt(3))  # max |sigmoid''(x)|
tail = torch.sigmoid(torch.tensor(-8.0)).item()  # 钳位后，表外误差趋于 sigmoid(-8)

columns = ["表项数 $n$", "最近邻", "界 $h/8$", "线性插值（表内）", r"界 $h^2/(48\sqrt3)$",
           "线性插值（全体实数）"]  # fmt: skip
print("| " + " | ".join(columns) + " |")
print("| ---: | ---: | ---: | ---: | ---: | ---: |")
for size in (16, 64, 256, 1024):
    table = build_table(size)
    h = table.step
    nearest = (lookup(table, fine, "nearest") - exact).abs().max().item()
    linear_error = (lookup(table, fine, "linear") - exact).abs()
    linear_inside = linear_error[inside].max().item()
    linear_all = max(
        linear_error.max().item(), tail
    )  # 表外的误差上确界是 sigmoid(-8)，在无穷远处取到
    nearest_bound, linear_bound = h / 8, h**2 * max_curvature / 8
    assert 0.97 * nearest_bound < nearest <= nearest_bound
    assert 0.9 * linear_bound < linear_inside <= linear_bound
    print(
        f"| {size} | {nearest:.2e} | {nearest_bound:.2e} | {linear_inside:.2e} "
        f"| {linear_bound:.2e} | {linear_all:.2e} |"
    )
# --8<-- [end:errors]
