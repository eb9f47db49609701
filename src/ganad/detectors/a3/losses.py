"""A3 losses (METHODS §3.1): BCE on the labelled data plus BCE of noise anomalies towards 1."""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["alarm_loss", "reconstruction_loss"]


def reconstruction_loss(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """The target AE's mean binary cross-entropy."""
    return F.binary_cross_entropy_with_logits(logits, x)


def alarm_loss(
    logits: torch.Tensor,
    labels: torch.Tensor,
    noise_logits: torch.Tensor,
    noise_weight: float = 1.0,
) -> torch.Tensor:
    """BCE(f(x), y) + w·BCE(f(noise), 1); y = 1 marks known anomalies, 0 normal samples."""
    data_term = F.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype))
    noise_term = F.binary_cross_entropy_with_logits(noise_logits, torch.ones_like(noise_logits))
    return data_term + noise_weight * noise_term
