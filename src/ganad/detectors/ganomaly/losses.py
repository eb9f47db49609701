"""GANomaly losses (METHODS §5.5, B-6; the official code's reductions). Pure functions.

  L_adv = mean (f(x) − f(x̂))²     feature matching on D's feature layer (official l2_loss)
  L_con = mean |x − x̂|            contextual (reconstruction) loss
  L_enc = mean (z − ẑ)²           latent (encoder) loss
  L_G   = w_adv·L_adv + w_con·L_con + w_enc·L_enc   (1, 50, 1)
  L_D   = ½·[BCE(D(x), 1) + BCE(D(x̂), 0)]
Score: A(x) = mean_j (G_E(x)_j − E(G(x))_j)² per sample (official code; the paper writes L1).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["discriminator_loss", "generator_losses", "latent_distance"]


def generator_losses(
    x: torch.Tensor,
    x_rec: torch.Tensor,
    z: torch.Tensor,
    z_rec: torch.Tensor,
    f_x: torch.Tensor,
    f_rec: torch.Tensor,
    weights: tuple[float, float, float],
) -> dict[str, torch.Tensor]:
    """The three generator terms and their weighted sum ("generator").

    Parameters
    ----------
    x : torch.Tensor
        The mini-batch.
    x_rec : torch.Tensor
        Its reconstructions x̂ = G_D(G_E(x)).
    z : torch.Tensor
        The codes G_E(x).
    z_rec : torch.Tensor
        The re-encodings ẑ = E(x̂).
    f_x : torch.Tensor
        D's features f(x).
    f_rec : torch.Tensor
        D's features f(x̂).
    weights : tuple of (float, float, float)
        (w_adv, w_con, w_enc).

    Returns
    -------
    dict of str to torch.Tensor
        0-d "adversarial", "contextual", "latent" and "generator".
    """
    adv = (f_x - f_rec).pow(2).mean()
    con = (x - x_rec).abs().mean()
    enc = (z - z_rec).pow(2).mean()
    w_adv, w_con, w_enc = weights
    return {
        "adversarial": adv,
        "contextual": con,
        "latent": enc,
        "generator": w_adv * adv + w_con * con + w_enc * enc,
    }


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """½·[BCE(D(x), 1) + BCE(D(x̂), 0)]: low when D separates inputs from reconstructions.

    Parameters
    ----------
    real_logits : torch.Tensor
        D's logits of the inputs x.
    fake_logits : torch.Tensor
        D's logits of the reconstructions x̂.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    real = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
    fake = F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    return 0.5 * (real + fake)


def latent_distance(z: torch.Tensor, z_rec: torch.Tensor) -> torch.Tensor:
    """mean_j (z_j − ẑ_j)² per sample: high when the re-encoding of the reconstruction drifts.

    Parameters
    ----------
    z : torch.Tensor of shape (n, latent_dim)
        The codes G_E(x).
    z_rec : torch.Tensor of shape (n, latent_dim)
        The re-encodings E(G(x)).

    Returns
    -------
    torch.Tensor of shape (n,)
        The latent error of each sample.
    """
    return (z - z_rec).flatten(1).pow(2).mean(dim=1)
