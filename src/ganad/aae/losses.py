"""AAE losses (METHODS §2.3). Pure functions of network outputs."""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["encoder_regularisation_loss", "prior_discriminator_loss", "reconstruction_loss"]


def reconstruction_loss(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Mean element-wise binary cross-entropy between x and sigmoid(logits)."""
    return F.binary_cross_entropy_with_logits(logits, x)


def prior_discriminator_loss(d_prior_samples: torch.Tensor, d_codes: torch.Tensor) -> torch.Tensor:
    """L_D = -mean D(p) + mean D(h): D_prior learns high values for prior samples, low for codes.
    WGAN-style and linear in the (sigmoid-bounded) outputs, as in the DA3D code."""
    return -d_prior_samples.mean() + d_codes.mean()


def encoder_regularisation_loss(d_codes: torch.Tensor) -> torch.Tensor:
    """L_E = -mean D(f_enc(x)): the encoder moves its codes to where D_prior sees the prior."""
    return -d_codes.mean()
