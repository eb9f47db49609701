"""Networks of DTE: the diffusion-time classifier and the stored reference set of DTE-NP."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ...nn import MLP

__all__ = ["ReferenceSet", "build_time_classifier"]


def build_time_classifier(
    n_features: int, hidden: Sequence[int], n_bins: int, dropout: float
) -> MLP:
    """ReLU MLP from a noised sample to logits over the diffusion-time bins (paper: 256-512-256,
    dropout 0.5)."""
    return MLP(n_features, hidden, n_bins, activation="relu", dropout=dropout)


class ReferenceSet(nn.Module):
    """The training rows DTE-NP compares against, kept as buffers so they are saved with the
    model (safetensors): centred on their mean (`center`, subtracted from queries too, so the
    distance matmul loses no precision to cancellation) with their squared norms (float64)."""

    def __init__(self, n_rows: int, n_features: int):
        super().__init__()
        self.register_buffer("rows", torch.zeros(n_rows, n_features))
        self.register_buffer("center", torch.zeros(n_features))
        self.register_buffer("sq_norms", torch.zeros(n_rows, dtype=torch.float64))

    def set_(self, rows: torch.Tensor) -> None:
        if rows.shape != self.rows.shape:
            raise ValueError(
                f"reference rows have shape {tuple(rows.shape)}, expected {tuple(self.rows.shape)}."
            )
        center = rows.double().mean(dim=0)
        self.center.copy_(center.to(self.center.dtype))
        self.rows.copy_((rows - self.center).to(self.rows.dtype))
        self.sq_norms.copy_(self.rows.double().pow(2).sum(dim=1))

    def centred(self, x: torch.Tensor) -> torch.Tensor:
        return x - self.center
