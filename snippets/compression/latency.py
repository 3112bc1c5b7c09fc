"""怎样测推理延迟：固定线程数、inference_mode、先预热、多次重复、报告中位数和分布。

这里只演示方法、核对测量的结构，不打印计时（计时随机器而变，页面上的数字来自基准测试）。
"""

import statistics
import time

import torch
from torch import nn


# --8<-- [start:measure]
def measure_latency(
    model: nn.Module, batch_size: int, threads: int, warmup: int = 10, repeats: int = 50
) -> dict:
    """每批前向的秒数：中位数、上下四分位数、最快与最慢。"""
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)  # 算子内并行的线程数，测完恢复
    try:
        model.eval()  # Dropout、BatchNorm 等按推理方式工作
        images = torch.randn(batch_size, 1, 28, 28)  # 输入在计时之前造好
        seconds = []
        with torch.inference_mode():  # 不记录计算图，也不做版本计数
            for _ in range(warmup):  # 预热：分配缓冲区、选择内核，这些调用不计时
                model(images)
            for _ in range(repeats):
                start = time.perf_counter()  # 单调时钟，分辨率远高于 1 µs
                model(images)
                seconds.append(time.perf_counter() - start)
    finally:
        torch.set_num_threads(previous)
    lower, median, upper = statistics.quantiles(seconds, n=4, method="inclusive")
    return {
        "median": median,
        "lower_quartile": lower,
        "upper_quartile": upper,
        "fastest": min(seconds),
        "slowest": max(seconds),
        "repeats": len(seconds),
        "threads": threads,
        "batch_size": batch_size,
    }


# --8<-- [end:measure]

# --8<-- [start:use]
torch.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(1, 6, 5),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(6, 16, 5),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(256, 120),
    nn.ReLU(),
    nn.Linear(120, 84),
    nn.ReLU(),
    nn.Linear(84, 10),
)
threads_before = torch.get_num_threads()
for batch_size in (1, 1000):
    result = measure_latency(model, batch_size, threads=1, repeats=20)
    ordered = (
        result["fastest"]
        <= result["lower_quartile"]
        <= result["median"]
        <= result["upper_quartile"]
        <= result["slowest"]
    )
    assert ordered and result["repeats"] == 20 and result["threads"] == 1
    print(
        f"批大小 {batch_size}：{result['threads']} 个线程上计时 {result['repeats']} 次，"
        f"最快 ≤ 四分位数 ≤ 最慢: {ordered}"
    )
assert torch.get_num_threads() == threads_before  # the thread count is restored
# --8<-- [end:use]
