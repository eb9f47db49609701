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
    dropout 0.5).

    Parameters
    ----------
    n_features : int
        Input features.
    hidden : sequence of int
        Hidden widths.
    n_bins : int
        Output classes (bins).
    dropout : float
        Dropout rate after every hidden activation.

    Returns
    -------
    MLP
        The classifier.
    """
    return MLP(n_features, hidden, n_bins, activation="relu", dropout=dropout)


class ReferenceSet(nn.Module):
    """The training rows DTE-NP compares against, kept as buffers so they are saved with the
    model (safetensors): centred on their mean (`center`, subtracted from queries too, so the
    distance matmul loses no precision to cancellation) with their squared norms (float64).

    Parameters
    ----------
    n_rows : int
        Reference rows stored.
    n_features : int
        Features per row.
    """

    rows: torch.Tensor
    center: torch.Tensor
    sq_norms: torch.Tensor

    def __init__(self, n_rows: int, n_features: int):
        super().__init__()
        self.register_buffer("rows", torch.zeros(n_rows, n_features))
        self.register_buffer("center", torch.zeros(n_features))
        self.register_buffer("sq_norms", torch.zeros(n_rows, dtype=torch.float64))

    def set_(self, rows: torch.Tensor) -> None:
        """Store the reference rows (centred), their mean and squared norms (in place).

        Parameters
        ----------
        rows : torch.Tensor of shape (n_rows, n_features)
            The (scaled) training rows kept.
        """
        if rows.shape != self.rows.shape:
            raise ValueError(
                f"reference rows have shape {tuple(rows.shape)}, expected {tuple(self.rows.shape)}."
            )
        center = rows.double().mean(dim=0)
        self.center.copy_(center.to(self.center.dtype))
        self.rows.copy_((rows - self.center).to(self.rows.dtype))
        self.sq_norms.copy_(self.rows.double().pow(2).sum(dim=1))

    def centred(self, x: torch.Tensor) -> torch.Tensor:
        """Query rows centred like the reference rows.

        Parameters
        ----------
        x : torch.Tensor of shape (n, n_features)
            Query rows.

        Returns
        -------
        torch.Tensor of shape (n, n_features)
            ``x - center``.
        """
        return x - self.center
