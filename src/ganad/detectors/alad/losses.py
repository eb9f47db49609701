"""ALAD losses (METHODS §5.4; Zenati et al.'s code). BCE on logits, batch means.

Discriminators (real -> 1, fake -> 0):
  D_xz: (x, E(x)) real, (G(z), z) fake;  D_xx: (x, x) real, (x, G(E(x))) fake;
  D_zz: (z, z) real, (z, E(G(z))) fake.
Generator and encoder (flipped labels):
  L_G = BCE(D_xz(G(z), z), 1) + cycle,  L_E = BCE(D_xz(x, E(x)), 0) + cycle,
  cycle = BCE(D_xx(x, x), 0) + BCE(D_xx(x, G(E(x))), 1) [+ the same for D_zz].
Scores (per sample, EMA networks, eval mode): "fm" ‖f_xx(x, x) − f_xx(x, G(E(x)))‖₁ (default),
"ch" σ_CE(D_xx(x, G(E(x))), 1), "l1"/"l2" ‖x − G(E(x))‖.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["adversarial_pair_loss", "flipped_pair_loss"]


def _bce(logits: torch.Tensor, target: float) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


def adversarial_pair_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """A discriminator's loss: BCE(real, 1) + BCE(fake, 0).

    Parameters
    ----------
    real_logits : torch.Tensor
        The discriminator's logits of its real pairs.
    fake_logits : torch.Tensor
        Its logits of the fake pairs.

    Returns
    -------
    torch.Tensor
        The 0-d loss (sum of the two batch means).
    """
    return _bce(real_logits, 1.0) + _bce(fake_logits, 0.0)


def flipped_pair_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """The generator side: BCE(real, 0) + BCE(fake, 1).

    Parameters
    ----------
    real_logits : torch.Tensor
        A discriminator's logits of its real pairs.
    fake_logits : torch.Tensor
        Its logits of the fake pairs.

    Returns
    -------
    torch.Tensor
        The 0-d loss (sum of the two batch means).
    """
    return _bce(real_logits, 0.0) + _bce(fake_logits, 1.0)
