"""Per-sample score terms shared by several detectors' scores (AnoGAN, EGBAD, ALAD, f-AnoGAN,
GANomaly). Pure functions of tensors, one value per sample, never averaged over the batch ([REV]
warns that batch-averaged similarity distorts the anomaly score)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["mean_squared_per_sample", "residual_per_sample", "sigmoid_ce_per_sample"]


def residual_per_sample(x: torch.Tensor, x_gen: torch.Tensor, norm: str = "l1") -> torch.Tensor:
    """Σ|x − G(z)| ("l1") or ‖x − G(z)‖₂ ("l2") per sample; >= 0, 0 for a perfect match."""
    diff = (x - x_gen).flatten(1)
    if norm == "l1":
        return diff.abs().sum(dim=1)
    if norm == "l2":
        # The tiny constant keeps the gradient finite at an exact match.
        return (diff.pow(2).sum(dim=1) + 1e-12).sqrt()
    raise ValueError(f"residual norm must be 'l1' or 'l2', got {norm!r}.")


def sigmoid_ce_per_sample(logits: torch.Tensor) -> torch.Tensor:
    """σ_CE(logit, target 1) = softplus(−logit): high when D takes the sample for fake."""
    return F.softplus(-logits)


def mean_squared_per_sample(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(1/n)·‖a − b‖² per sample (n = values per sample)."""
    return (a - b).flatten(1).pow(2).mean(dim=1)
