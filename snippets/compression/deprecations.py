"""PyTorch 2.14 里哪些量化接口已被弃用：调用一次，看它发出什么警告。"""

import warnings

import torch
from torch import nn

print("torch", torch.__version__.split("+")[0])


def warnings_of(call) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return caught


# --8<-- [start:check]
def eager_dynamic_quantization() -> None:  # torch.ao.quantization 的 eager 模式
    from torch.ao.quantization import quantize_dynamic

    quantize_dynamic(nn.Sequential(nn.Linear(4, 2)), {nn.Linear}, dtype=torch.qint8)


def quantized_tensor() -> None:  # 量化张量类型 torch.qint8 / quint8
    torch.quantize_per_tensor(torch.randn(4), scale=0.1, zero_point=0, dtype=torch.qint8)


def plain_int8_matmul() -> None:  # 普通的 torch.int8 张量与 int8 矩阵乘法
    a = torch.randint(-127, 128, (32, 16), dtype=torch.int8)
    torch._int_mm(a, a.t().contiguous())


# quantized_tensor 先调用：这条警告来自 C++（TORCH_WARN_ONCE），每个进程只发一次
for name, call in (
    ("torch.quantize_per_tensor（qint8）", quantized_tensor),
    ("torch.ao.quantization.quantize_dynamic", eager_dynamic_quantization),
    ("普通的 torch.int8 张量 + torch._int_mm", plain_int8_matmul),
):
    caught = warnings_of(call)
    deprecated = any("deprecated" in str(w.message) for w in caught)
    assert deprecated == ("_int_mm" not in name)
    print(f"{name}：发出弃用（deprecated）警告: {deprecated}")
# --8<-- [end:check]
messages = " ".join(str(w.message) for w in warnings_of(eager_dynamic_quantization))
assert "torchao" in messages and "pt2e" in messages  # 警告里指明的去处：torchao
print("警告指向 torchao:", "torchao" in messages)
print("并说 PT2E 量化已经迁移到那里:", "pt2e quantization has been migrated to torchao" in messages)
