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
    """BCE(D(x), 1) + BCE(D(G(z)), 0), batch means; low when D separates real from generated.

    Parameters
    ----------
    real_logits : torch.Tensor
        D's logits of real samples x.
    fake_logits : torch.Tensor
        D's logits of generated samples G(z).

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    return F.binary_cross_entropy_with_logits(
        real_logits, torch.ones_like(real_logits)
    ) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))


def generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """Non-saturating BCE(D(G(z)), 1): low when D takes the generated samples for real.

    Parameters
    ----------
    fake_logits : torch.Tensor
        D's logits of generated samples G(z).

    Returns
    -------
    torch.Tensor
        The 0-d batch-mean loss.
    """
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))


def feature_matching_per_sample(
    f_real: torch.Tensor, f_fake: torch.Tensor, norm: str = "l1"
) -> torch.Tensor:
    """Σ|f(x) − f(G(z))| per sample (or the L2 norm).

    Parameters
    ----------
    f_real : torch.Tensor of shape (n, k)
        Discriminator features f(x) of the samples.
    f_fake : torch.Tensor of shape (n, k)
        Discriminator features f(G(z)) of their generated matches.
    norm : {"l1", "l2"}, default="l1"
        Sum of absolute differences, or Euclidean distance.

    Returns
    -------
    torch.Tensor of shape (n,)
        The feature-matching term of each sample.
    """
    return residual_per_sample(f_real, f_fake, norm)


def total_loss(residual: torch.Tensor, discrimination: torch.Tensor, lam: float) -> torch.Tensor:
    """(1 − λ)·L_res + λ·L_disc.

    Parameters
    ----------
    residual : torch.Tensor of shape (n,)
        L_res per sample.
    discrimination : torch.Tensor of shape (n,)
        L_disc per sample.
    lam : float
        λ in [0, 1].

    Returns
    -------
    torch.Tensor of shape (n,)
        L_total per sample.
    """
    return (1.0 - lam) * residual + lam * discrimination
