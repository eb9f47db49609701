"""Deep SVDD losses (METHODS §5.9). Pure functions of network outputs."""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["center_from_embeddings", "one_class_loss", "pretrain_loss", "squared_distance"]


def squared_distance(embeddings: torch.Tensor, center: torch.Tensor) -> torch.Tensor:
    """‖phi(x) - c‖² per sample (the anomaly score; >= 0, higher = more anomalous)."""
    return (embeddings - center).pow(2).sum(dim=1)


def one_class_loss(embeddings: torch.Tensor, center: torch.Tensor) -> torch.Tensor:
    """One-class Deep SVDD objective: mean ‖phi(x) - c‖² (weight decay 0, as the DA3D baseline)."""
    return squared_distance(embeddings, center).mean()


def pretrain_loss(recon: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Autoencoder pre-training loss: mean squared error between reconstruction and input."""
    return F.mse_loss(recon, x)


def center_from_embeddings(mean_embedding: torch.Tensor, eps: float = 0.1) -> torch.Tensor:
    """Ruff et al.'s centre: the mean embedding with every coordinate of magnitude < eps pushed to
    ±eps (sign kept, 0 -> +eps), because a coordinate at 0 lets a bias-free unit reach the centre
    trivially by outputting zeros."""
    c = mean_embedding.clone()
    small = c.abs() < eps
    c[small & (c < 0)] = -eps
    c[small & (c >= 0)] = eps
    return c
