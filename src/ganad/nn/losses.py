"""Per-sample score terms shared by several detectors' scores (AnoGAN, EGBAD, ALAD, f-AnoGAN,
GANomaly). Pure functions of tensors, one value per sample, never averaged over the batch ([REV]
warns that batch-averaged similarity distorts the anomaly score)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["mean_squared_per_sample", "residual_per_sample", "sigmoid_ce_per_sample"]


def residual_per_sample(x: torch.Tensor, x_gen: torch.Tensor, norm: str = "l1") -> torch.Tensor:
    """Σ|x − G(z)| ("l1") or ‖x − G(z)‖₂ ("l2") per sample; >= 0, 0 for a perfect match.

    Parameters
    ----------
    x : torch.Tensor of shape (n, ...)
        Input samples.
    x_gen : torch.Tensor of shape (n, ...)
        Generated or reconstructed samples, shaped like `x`.
    norm : {"l1", "l2"}, default="l1"
        Sum of absolute differences, or Euclidean distance.

    Returns
    -------
    torch.Tensor of shape (n,)
        The residual of each sample.
    """
    diff = (x - x_gen).flatten(1)
    if norm == "l1":
        return diff.abs().sum(dim=1)
    if norm == "l2":
        # The tiny constant keeps the gradient finite at an exact match.
        return (diff.pow(2).sum(dim=1) + 1e-12).sqrt()
    raise ValueError(f"residual norm must be 'l1' or 'l2', got {norm!r}.")


def sigmoid_ce_per_sample(logits: torch.Tensor) -> torch.Tensor:
    """σ_CE(logit, target 1) = softplus(−logit): high when D takes the sample for fake.

    Parameters
    ----------
    logits : torch.Tensor
        Discriminator logits ("real" is positive), one per sample.

    Returns
    -------
    torch.Tensor
        Binary cross-entropy of each logit against the target 1, shaped like `logits`.
    """
    return F.softplus(-logits)


def mean_squared_per_sample(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(1/n)·‖a − b‖² per sample (n = values per sample).

    Parameters
    ----------
    a, b : torch.Tensor of shape (batch, ...)
        The two tensors compared, of the same shape.

    Returns
    -------
    torch.Tensor of shape (batch,)
        Mean squared difference of each sample.
    """
    return (a - b).flatten(1).pow(2).mean(dim=1)
