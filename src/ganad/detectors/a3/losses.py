"""A3 losses (METHODS §3.1): BCE on the labelled data plus BCE of noise anomalies towards 1."""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["alarm_loss", "reconstruction_loss"]


def reconstruction_loss(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """The target AE's mean binary cross-entropy.

    Parameters
    ----------
    logits : torch.Tensor
        The target's reconstruction logits, shaped like `x`.
    x : torch.Tensor
        The inputs, scaled to [0, 1].

    Returns
    -------
    torch.Tensor
        The 0-d mean loss.
    """
    return F.binary_cross_entropy_with_logits(logits, x)


def alarm_loss(
    logits: torch.Tensor,
    labels: torch.Tensor,
    noise_logits: torch.Tensor,
    noise_weight: float = 1.0,
) -> torch.Tensor:
    """BCE(f(x), y) + w·BCE(f(noise), 1); y = 1 marks known anomalies, 0 normal samples.

    Parameters
    ----------
    logits : torch.Tensor of shape (n,)
        The alarm's logits of the training rows' activations.
    labels : torch.Tensor of shape (n,)
        Their labels: 1 known anomaly, 0 normal.
    noise_logits : torch.Tensor of shape (m,)
        The alarm's logits of the noise anomalies' activations.
    noise_weight : float, default=1.0
        The weight w of the noise term.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    data_term = F.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype))
    noise_term = F.binary_cross_entropy_with_logits(noise_logits, torch.ones_like(noise_logits))
    return data_term + noise_weight * noise_term
