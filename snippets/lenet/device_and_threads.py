"""Choose a device (CUDA, else Apple MPS, else CPU) and the number of CPU threads."""

import os

import torch
from torch import nn


def pick_device() -> torch.device:
    if torch.cuda.is_available():  # an NVIDIA (or ROCm) GPU
        return torch.device("cuda")
    if torch.backends.mps.is_available():  # Apple silicon
        return torch.device("mps")
    return torch.device("cpu")


device = pick_device()
print("设备:", device.type)

# Intra-op threads: how many threads one operator (a convolution, a matrix product) may use.
# PyTorch's default is the number of physical cores (or OMP_NUM_THREADS / MKL_NUM_THREADS).
default_threads = torch.get_num_threads()
assert 1 <= default_threads <= (os.cpu_count() or 1) or "OMP_NUM_THREADS" in os.environ
torch.set_num_threads(2)  # call it once, early, before any heavy work
print("torch.set_num_threads(2) 之后的算子内线程数:", torch.get_num_threads())

# model and data must live on the same device
model = nn.Conv2d(1, 6, kernel_size=5).to(device)
batch = torch.randn(256, 1, 28, 28, device=device)
print("输出:", tuple(model(batch).shape), "在", model(batch).device.type, "上")
