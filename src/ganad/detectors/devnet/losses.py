"""DevNet's deviation loss (Pang et al. 2019, Eqs. 2-4). Pure functions.

Sign convention: the network's score phi(x) is higher for anomalies. The deviation
dev(x) = (phi(x) - mean(r)) / std(r) compares it with reference scores r ~ N(0, 1); normal data
are pulled to dev ≈ 0 and known anomalies pushed to dev >= margin.
"""

from __future__ import annotations

from typing import cast

import torch
from torch import nn

from ...nn import MLP

__all__ = ["deviation", "deviation_loss", "l2_penalty"]


def deviation(scores: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """Z-score of each anomaly score against the reference scores (population std, as Keras).

    Parameters
    ----------
    scores : torch.Tensor
        Anomaly scores phi(x).
    reference : torch.Tensor of shape (m,)
        Reference scores r.

    Returns
    -------
    torch.Tensor
        The deviations, shaped like `scores`.
    """
    return (scores - reference.mean()) / reference.std(unbiased=False)


def deviation_loss(
    scores: torch.Tensor, y: torch.Tensor, reference: torch.Tensor, margin: float = 5.0
) -> torch.Tensor:
    """mean[(1 - y) |dev| + y max(0, margin - dev)]; y = 1 marks (known or synthetic) anomalies.

    Parameters
    ----------
    scores : torch.Tensor of shape (n,) or (n, 1)
        Anomaly scores phi(x) of the mini-batch.
    y : torch.Tensor of shape (n,)
        Labels: 1 anomaly, 0 normal.
    reference : torch.Tensor of shape (m,)
        Reference scores r ~ N(0, 1).
    margin : float, default=5.0
        The deviation a anomalies are pushed beyond.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    dev = deviation(scores.reshape(-1), reference)
    y = y.to(dev.dtype).reshape(-1)
    inlier = dev.abs()
    outlier = torch.clamp(margin - dev, min=0.0)
    return ((1.0 - y) * inlier + y * outlier).mean()


def l2_penalty(mlp: MLP, weight: float) -> torch.Tensor:
    """Keras `kernel_regularizer=l2(weight)` on the hidden layers: weight · sum of squared kernels
    (biases and the output layer are not regularised, as in the DevNet code).

    Parameters
    ----------
    mlp : MLP
        The scoring network.
    weight : float
        The L2 weight.

    Returns
    -------
    torch.Tensor
        The 0-d penalty (0 without hidden layers).
    """
    total = sum(cast(nn.Linear, linear).weight.pow(2).sum() for linear in mlp.linears)
    return weight * total if isinstance(total, torch.Tensor) else mlp.out.weight.new_zeros(())
