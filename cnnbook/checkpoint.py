"""Checkpoints: a model's ``state_dict`` saved with ``torch.save``, loaded back and validated.

A checkpoint is nothing but the ``state_dict`` (an ordered mapping from parameter names such as
``conv1.weight`` to tensors), which ``torch.load(..., weights_only=True)`` can read without
running any pickled code. Loading checks, before touching the model, that the file exists, is a
PyTorch file, holds only tensors, has exactly the model's names, and that every shape fits; each
failure is one ``CnnBookError`` line naming the checkpoint.
"""

from __future__ import annotations

import pickle
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from cnnbook.errors import CnnBookError

if TYPE_CHECKING:  # PyTorch is imported when needed, so that a missing file is reported at once
    import torch
    from torch import nn


def save_checkpoint(model: nn.Module, path: str | Path) -> Path:
    """Write ``model.state_dict()`` (on the CPU, in the default memory layout) to ``path``."""
    import torch

    path = Path(path)
    if path.is_dir():
        raise CnnBookError(f"检查点路径 {path} 是一个目录")
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        name: tensor.detach().cpu().contiguous() for name, tensor in model.state_dict().items()
    }
    torch.save(state, path)
    return path


def _names(names: list[str]) -> str:
    return "、".join(names[:4]) + (f" 等 {len(names)} 个" if len(names) > 4 else "")


def key_mismatch(expected: Iterable[str], found: Iterable[str]) -> str:
    """The names ``found`` lacks or has in excess, as "缺少 a、b；多出 c" ("" if they match)."""
    missing, unexpected = sorted(set(expected) - set(found)), sorted(set(found) - set(expected))
    parts = [f"缺少 {_names(missing)}" if missing else "",
             f"多出 {_names(unexpected)}" if unexpected else ""]  # fmt: skip
    return "；".join(part for part in parts if part)


def check_checkpoint_file(path: str | Path) -> Path:
    """``path`` as a ``Path`` if it is an existing file; ``CnnBookError`` otherwise."""
    path = Path(path)
    if not path.exists():
        raise CnnBookError(f"检查点 {path} 不存在")
    if not path.is_file():
        raise CnnBookError(f"检查点 {path} 不是文件")
    return path


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """The tensors stored in ``path``; raises ``CnnBookError`` unless it is a plain state_dict."""
    import torch

    path = check_checkpoint_file(path)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:
        if zipfile.is_zipfile(path):  # a real torch.save archive, but of Python objects
            raise CnnBookError(
                f"检查点 {path} 里是 pickle 的 Python 对象（整个模型？），"
                "torch.load(weights_only=True) 拒绝载入；请改存 model.state_dict()"
            ) from None
        raise CnnBookError(f"检查点 {path} 不是可读的 PyTorch 文件") from None
    except Exception as error:  # torch raises several types for a damaged or foreign file
        kind = type(error).__name__
        raise CnnBookError(f"检查点 {path} 不是可读的 PyTorch 文件（{kind}）") from None
    if not isinstance(state, Mapping) or not all(
        isinstance(key, str) and isinstance(value, torch.Tensor) for key, value in state.items()
    ):
        raise CnnBookError(f"检查点 {path} 里不是 state_dict（参数名 → 张量）")
    return dict(state)


def load_checkpoint(
    path: str | Path, model_factory: Callable[[], nn.Module] | None = None
) -> nn.Module:
    """A new ``model_factory()`` (default ``LeNet()``) with the weights from ``path``, in eval
    mode, on the CPU."""
    from cnnbook.model import LeNet

    state = read_state_dict(path)
    model = (model_factory or LeNet)()
    expected = model.state_dict()
    kind = type(model).__name__
    detail = key_mismatch(expected, state)
    if detail:
        raise CnnBookError(f"检查点 {path} 不是 {kind} 的 state_dict：{detail}")
    for name, tensor in expected.items():
        if state[name].shape != tensor.shape:
            raise CnnBookError(
                f"检查点 {path} 与 {kind} 不符：{name} 的形状是 "
                f"{tuple(state[name].shape)}，模型需要 {tuple(tensor.shape)}"
            )
    model.load_state_dict(state)
    return model.eval()
