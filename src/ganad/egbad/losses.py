"""EGBAD losses (METHODS §5.3; Zenati et al.'s code). Pure functions of D's logits.

D(x, z) is trained to output 1 for "real" pairs (x, E(x)) and 0 for "fake" pairs (G(z), z);
G and E are trained with flipped labels. All BCE on logits, batch means.

Scores, per sample (w = 0.1):  A(x) = (1 − w)·‖x − G(E(x))‖₁ + w·L_D(x), with
  L_D "ce": σ_CE(D(G(E(x)), E(x)), 1);  "fm": ‖f_D(x, E(x)) − f_D(G(E(x)), E(x))‖₁.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["cycle_loss", "discriminator_loss", "encoder_loss", "generator_loss"]


def _bce(logits: torch.Tensor, target: float) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """BCE(D(x, E(x)), 1) + BCE(D(G(z), z), 0)."""
    return _bce(real_logits, 1.0) + _bce(fake_logits, 0.0)


def generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """BCE(D(G(z), z), 1): G wants its pairs taken for real."""
    return _bce(fake_logits, 1.0)


def encoder_loss(real_logits: torch.Tensor) -> torch.Tensor:
    """BCE(D(x, E(x)), 0): E wants its pairs taken for fake."""
    return _bce(real_logits, 0.0)


def cycle_loss(x: torch.Tensor, x_rec: torch.Tensor) -> torch.Tensor:
    """mean |x − G(E(x))|: ALICE's explicit cycle consistency (Li et al., NeurIPS 2017), which
    makes E and G invert each other where the adversarial objective alone leaves them apart."""
    return (x - x_rec).abs().mean()
