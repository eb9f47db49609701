"""EGBAD losses (METHODS §5.3; Zenati et al.'s code). Pure functions of D's logits.

D(x, z) is trained to output 1 for "real" pairs (x, E(x)) and 0 for "fake" pairs (G(z), z);
G and E are trained with flipped labels. All BCE on logits, batch means.

Scores, per sample (w = 0.1):  A(x) = (1 − w)·‖x − G(E(x))‖₁ + w·L_D(x), with
  L_D "ce": σ_CE(D(G(E(x)), E(x)), 1);  "fm": ‖f_D(x, E(x)) − f_D(G(E(x)), E(x))‖₁.
"""

from __future__ import annotations

import torch

from ...nn.bigan import discriminator_loss, encoder_loss, generator_loss

__all__ = ["cycle_loss", "discriminator_loss", "encoder_loss", "generator_loss"]


def cycle_loss(x: torch.Tensor, x_rec: torch.Tensor) -> torch.Tensor:
    """mean |x − G(E(x))|: ALICE's explicit cycle consistency (Li et al., NeurIPS 2017), which
    makes E and G invert each other where the adversarial objective alone leaves them apart.

    Parameters
    ----------
    x : torch.Tensor
        The mini-batch.
    x_rec : torch.Tensor
        Its reconstruction G(E(x)), shaped like `x`.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    return (x - x_rec).abs().mean()
