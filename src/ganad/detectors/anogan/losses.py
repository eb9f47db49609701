"""AnoGAN losses (METHODS §5.1, [REV] Eqs. 3–7). Pure functions of network outputs.

Training (Eq. 3, non-saturating form, logits throughout):
  L_D = BCE(D(x), 1) + BCE(D(G(z)), 0);  L_G = BCE(D(G(z)), 1).
Inference, per sample (never averaged over the batch: [REV] warns that batch-averaged similarity
distorts the search):
  L_res(x, z)  = Σ |x − G(z)|                (Eq. 4; "l2": ‖x − G(z)‖₂)
  L_disc(x, z) = σ_CE(D(G(z)), 1)            (Eq. 5, "ce"), or
               = Σ |f(x) − f(G(z))|          (Eq. 6, feature matching "fm")
  L_total      = (1 − λ)·L_res + λ·L_disc    (Eq. 7) — also the anomaly score at z_Γ.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ...nn.losses import residual_per_sample, sigmoid_ce_per_sample

__all__ = [
    "discriminator_loss",
    "feature_matching_per_sample",
    "generator_loss",
    "residual_per_sample",
    "sigmoid_ce_per_sample",
    "total_loss",
]


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """BCE(D(x), 1) + BCE(D(G(z)), 0), batch means; low when D separates real from generated."""
    return F.binary_cross_entropy_with_logits(
        real_logits, torch.ones_like(real_logits)
    ) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))


def generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """Non-saturating BCE(D(G(z)), 1): low when D takes the generated samples for real."""
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))


def feature_matching_per_sample(
    f_real: torch.Tensor, f_fake: torch.Tensor, norm: str = "l1"
) -> torch.Tensor:
    """Σ|f(x) − f(G(z))| per sample (or the L2 norm)."""
    return residual_per_sample(f_real, f_fake, norm)


def total_loss(residual: torch.Tensor, discrimination: torch.Tensor, lam: float) -> torch.Tensor:
    """(1 − λ)·L_res + λ·L_disc."""
    return (1.0 - lam) * residual + lam * discrimination
