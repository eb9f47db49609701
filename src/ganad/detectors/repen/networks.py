"""REPEN networks (Pang et al. 2018): one dense ReLU layer as the representation, and the stored
LeSiNN subsamples used to score in that representation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from ...nn import MLP

__all__ = ["LeSiNNSubsamples", "build_repen"]


class LeSiNNSubsamples(nn.Module):
    """The LeSiNN ensemble's subsamples of the (scaled) training data, shape
    (ensemble_size, subsample_size, *input_shape), kept as a buffer so scoring new data after
    `ganad.load` uses exactly the fitted ensemble.

    Parameters
    ----------
    ensemble_size : int
        Number of subsamples.
    subsample_size : int
        Points per subsample.
    input_shape : sequence of int
        Shape of one point.
    """

    points: torch.Tensor

    def __init__(self, ensemble_size: int, subsample_size: int, input_shape: Sequence[int]):
        super().__init__()
        self.register_buffer("points", torch.zeros(ensemble_size, subsample_size, *input_shape))

    @torch.no_grad()
    def set_(self, points: torch.Tensor) -> None:
        """Store the fitted subsamples (in place).

        Parameters
        ----------
        points : torch.Tensor of shape (ensemble_size, subsample_size, *input_shape)
            The subsample points.
        """
        self.points.copy_(points)


def build_repen(
    input_shape: Sequence[int], rep_dim: int, ensemble_size: int, subsample_size: int
) -> dict[str, nn.Module]:
    """Representation input -> Linear(rep_dim) -> ReLU (the REPEN code's `hidden_layer`).

    Parameters
    ----------
    input_shape : sequence of int
        Shape of one sample (flattened by the representation).
    rep_dim : int
        Width of the representation.
    ensemble_size : int
        LeSiNN subsamples stored for scoring.
    subsample_size : int
        Points per subsample.

    Returns
    -------
    dict of str to torch.nn.Module
        "representation" and "subsamples".
    """
    d = int(np.prod(input_shape))
    return {
        "representation": MLP(d, (), rep_dim, out_activation="relu"),
        "subsamples": LeSiNNSubsamples(ensemble_size, subsample_size, input_shape),
    }
