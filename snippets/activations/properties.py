"""激活函数性质总表：每一格都由下面的代码从函数本身算出，再打印成 Markdown 表格。"""

import math

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

torch.set_default_dtype(torch.float64)

MODULES = [
    nn.Sigmoid(), nn.Tanh(), nn.ReLU(), nn.ReLU6(), nn.LeakyReLU(), nn.ELU(), nn.SELU(),
    nn.Softplus(), nn.Softsign(), nn.SiLU(), nn.GELU(), nn.Mish(), nn.Hardsigmoid(),
    nn.Hardswish(),
]  # fmt: skip
SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805
# 只用基本运算写出的同一批函数：记录它们调用了哪些运算，就知道谁需要超越函数
PRIMITIVE_FORMS = [
    lambda x: 1 / (1 + torch.exp(-x)),
    lambda x: 1 - 2 / (torch.exp(2 * x) + 1),
    lambda x: torch.clamp(x, min=0),
    lambda x: torch.clamp(x, 0, 6),
    lambda x: torch.where(x > 0, x, 0.01 * x),
    lambda x: torch.where(x > 0, x, torch.expm1(x)),
    lambda x: SELU_SCALE * torch.where(x > 0, x, SELU_ALPHA * torch.expm1(x)),
    lambda x: torch.log1p(torch.exp(x)),
    lambda x: x / (1 + torch.abs(x)),
    lambda x: x / (1 + torch.exp(-x)),
    lambda x: x * (1 + torch.erf(x / math.sqrt(2))) / 2,
    lambda x: x * (1 - 2 / (torch.exp(2 * torch.log1p(torch.exp(x))) + 1)),  # tanh 用 exp 写出
    lambda x: torch.clamp(x + 3, 0, 6) / 6,
    lambda x: x * torch.clamp(x + 3, 0, 6) / 6,
]
# expm1(x) = e^x − 1，log1p(x) = ln(1 + x)；erf 是误差函数
TRANSCENDENTAL = {"exp": {"exp", "expm1"}, "log": {"log", "log1p"}, "erf": {"erf"}}


class RecordCalls(TorchFunctionMode):
    """记下 with 块里调用过的每一个 torch 函数（含 +、*、/ 等运算符）的名字。"""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.names.add(getattr(func, "__name__", str(func)))
        return func(*args, **(kwargs or {}))


x = (torch.arange(-8 * 256, 8 * 256 + 1) / 256).requires_grad_()  # [-8, 8]，步长 1/256
grid = x.detach()
far = torch.tensor([-1e6, 1e6], requires_grad=True)  # 代表 x -> -inf 与 x -> +inf
normal_pdf = torch.exp(-(grid**2) / 2) / math.sqrt(2 * math.pi)


def limit(value: float) -> float:
    return math.copysign(math.inf, value) if abs(value) > 1e3 else round(value, 3) + 0.0


def show(value: float) -> str:
    return ("" if value > 0 else "-") + r"\infty" if math.isinf(value) else f"{value:.4g}"


def value_range(y: torch.Tensor, at_infinity: list[float]) -> str:
    """下确界在网格上取到就用方括号，只在无穷远处逼近就用圆括号。"""
    lower, upper = min(*at_infinity, y.min().item()), max(*at_infinity, y.max().item())
    left = "[" if y.min().item() <= lower else "("
    right = "]" if y.max().item() >= upper else ")"
    return f"${left}{show(lower)}, {show(upper)}{right}$"


def kinks(slope: torch.Tensor) -> list[float]:
    """导数在相邻网格点之间跳变超过 0.05 的位置（网格步长 1/256，光滑函数的变化远小于它）。"""
    jumps = (slope.diff().abs() > 0.05).nonzero().flatten()
    return sorted({round((grid[i].item() + grid[i + 1].item()) / 2, 1) + 0.0 for i in jumps})


def yes_no(flag: bool) -> str:
    return "是" if flag else "否"


def saturation(left: bool, right: bool) -> str:
    return {(True, True): "两侧", (True, False): "左侧", (False, True): "右侧"}.get(
        (left, right), "无"
    )


header = ["类", "值域", r"零中心（$\mathbb{E}[f(z)]$）", "单调", "导数连续", "饱和", "超越函数"]
print("| " + " | ".join(header) + " |")
print("|" + " --- |" * len(header))
for module, primitive in zip(MODULES, PRIMITIVE_FORMS, strict=True):
    y = module(x)
    (slope,) = torch.autograd.grad(y.sum(), x)
    y_far = module(far)
    (slope_far,) = torch.autograd.grad(y_far.sum(), far)
    y = y.detach()
    with RecordCalls() as calls:
        same = torch.allclose(primitive(grid), y, rtol=0, atol=1e-12)
    assert same, module  # 基本运算写出的公式与 torch.nn 一致
    mean = round(torch.trapezoid(y * normal_pdf, grid).item(), 3) + 0.0  # z ~ N(0, 1) 时的均值
    where_kinks = kinks(slope)
    row = [
        type(module).__name__,
        value_range(y, [limit(v) for v in y_far.tolist()]),
        f"{yes_no(mean == 0)}（{mean:.3f}）",  # 均值舍入到三位小数后为 0；+ 0.0 把 -0.0 变成 0.0
        yes_no(bool((y.diff() >= 0).all())),
        "是" if not where_kinks else "否（" + "、".join(f"{k:g}" for k in where_kinks) + "）",
        saturation(*(abs(slope) < 1e-9 for slope in slope_far.tolist())),
        "、".join(kind for kind, names in TRANSCENDENTAL.items() if calls.names & names) or "—",
    ]
    print("| " + " | ".join(row) + " |")
