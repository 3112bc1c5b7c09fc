"""Low-rank factorisation: a Linear layer's weight W (n_out × n_in) replaced by the product of
two thin matrices from its truncated SVD.

W = U Σ Vᵀ; keeping the r largest singular values gives W_r = (U_r Σ_r^½)(Σ_r^½ V_rᵀ) = B A,
the closest rank-r matrix to W in both the spectral and the Frobenius norm (Eckart–Young). As
layers, x ↦ W x + b becomes two Linear layers without a nonlinearity between them:
A (r × n_in, no bias), then B (n_out × r, with the original bias). Parameters and MACs per
input drop from n_out · n_in to r · (n_in + n_out), a saving when r < n_in n_out / (n_in + n_out).
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from cnnbook.errors import CnnBookError


class LowRankLinear(nn.Sequential):
    """``second(first(x))``: first is A (rank × in, no bias), second is B (out × rank, bias)."""

    def __init__(self, in_features: int, out_features: int, rank: int, bias: bool = True) -> None:
        if not 1 <= rank <= min(in_features, out_features):
            raise CnnBookError(
                f"rank 必须在 1 到 min(in, out) = {min(in_features, out_features)} 之间，"
                f"得到 {rank!r}"
            )
        super().__init__(
            nn.Linear(in_features, rank, bias=False), nn.Linear(rank, out_features, bias=bias)
        )
        self.rank = rank


@torch.no_grad()
def factorize(linear: nn.Linear, rank: int) -> LowRankLinear:
    """The rank-``rank`` truncated SVD of ``linear``, as two Linear layers (Σ split evenly)."""
    if not isinstance(rank, int) or isinstance(rank, bool):
        raise CnnBookError(f"rank 必须是整数，得到 {rank!r}")
    layer = LowRankLinear(
        linear.in_features, linear.out_features, rank, bias=linear.bias is not None
    )
    weight = linear.weight.detach().double()
    u, singular, vh = torch.linalg.svd(weight, full_matrices=False)
    root = singular[:rank].sqrt()
    layer[0].weight.copy_((root[:, None] * vh[:rank]).float())
    layer[1].weight.copy_((u[:, :rank] * root).float())
    if linear.bias is not None:
        layer[1].bias.copy_(linear.bias)
    return layer


def singular_values(linear: nn.Linear) -> torch.Tensor:
    """The singular values of the weight, largest first (float64)."""
    return torch.linalg.svdvals(linear.weight.detach().double())


def factorize_layers(model: nn.Module, ranks: dict[str, int]) -> nn.Module:
    """A copy of ``model`` with each named Linear layer replaced by its rank-r factorisation
    (a rank at least min(in, out) keeps the layer as it is: factorising would not save)."""
    result = copy.deepcopy(model)
    for name, rank in ranks.items():
        layer = getattr(result, name, None)
        if not isinstance(layer, nn.Linear):
            raise CnnBookError(f"ranks 里的 {name!r} 不是模型的 Linear 层")
        if rank < min(layer.in_features, layer.out_features):
            setattr(result, name, factorize(layer, rank))
    return result.eval()


def factorized_parameters(in_features: int, out_features: int, rank: int) -> int:
    """Weights of the two factors: r · (n_in + n_out) (the bias is not counted)."""
    return rank * (in_features + out_features)
