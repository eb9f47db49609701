"""Deep SVDD losses (METHODS §5.9). Pure functions of network outputs."""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["center_from_embeddings", "one_class_loss", "pretrain_loss", "squared_distance"]


def squared_distance(embeddings: torch.Tensor, center: torch.Tensor) -> torch.Tensor:
    """‖phi(x) - c‖² per sample (the anomaly score; >= 0, higher = more anomalous).

    Parameters
    ----------
    embeddings : torch.Tensor of shape (n, k)
        Embeddings phi(x).
    center : torch.Tensor of shape (k,)
        The centre c.

    Returns
    -------
    torch.Tensor of shape (n,)
        Squared distances.
    """
    return (embeddings - center).pow(2).sum(dim=1)


def one_class_loss(embeddings: torch.Tensor, center: torch.Tensor) -> torch.Tensor:
    """One-class Deep SVDD objective: mean ‖phi(x) - c‖² (weight decay 0, as the DA3D baseline).

    Parameters
    ----------
    embeddings : torch.Tensor of shape (n, k)
        Embeddings phi(x) of a mini-batch.
    center : torch.Tensor of shape (k,)
        The centre c.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    return squared_distance(embeddings, center).mean()


def pretrain_loss(recon: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Autoencoder pre-training loss: mean squared error between reconstruction and input.

    Parameters
    ----------
    recon : torch.Tensor
        Reconstructions, shaped like `x`.
    x : torch.Tensor
        Inputs.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    return F.mse_loss(recon, x)


def center_from_embeddings(mean_embedding: torch.Tensor, eps: float = 0.1) -> torch.Tensor:
    """Ruff et al.'s centre: the mean embedding with every coordinate of magnitude < eps pushed to
    ±eps (sign kept, 0 -> +eps), because a coordinate at 0 lets a bias-free unit reach the centre
    trivially by outputting zeros.

    Parameters
    ----------
    mean_embedding : torch.Tensor of shape (k,)
        The mean embedding of the training rows.
    eps : float, default=0.1
        The smallest coordinate magnitude kept.

    Returns
    -------
    torch.Tensor of shape (k,)
        The centre c (a new tensor).
    """
    c = mean_embedding.clone()
    small = c.abs() < eps
    c[small & (c < 0)] = -eps
    c[small & (c >= 0)] = eps
    return c
