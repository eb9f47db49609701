"""Fence GAN losses (METHODS §4.1). Pure functions of network outputs.

Sign conventions: D(x) = sigmoid(logit) is the probability that x is *real* (normal data); every
function here returns a quantity to be **minimised**. The discriminator networks return logits,
so the BCE terms use the numerically stable `binary_cross_entropy_with_logits` (Keras instead
clips probabilities to [1e-7, 1 - 1e-7]; the two agree away from saturation).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = [
    "ENCIRCLEMENT_VARIANTS",
    "discriminator_fake_loss",
    "discriminator_real_loss",
    "dispersion_loss",
    "encirclement_loss",
    "generator_loss",
    "weighted_discriminator_loss",
]

ENCIRCLEMENT_VARIANTS = ("bce", "paper")

#: Floor of |alpha - D| in the paper's encirclement, so log|alpha - D| stays finite at D == alpha.
PAPER_EPS = 1e-7


def encirclement_loss(
    fake_logits: torch.Tensor, alpha: float, variant: str = "bce"
) -> torch.Tensor:
    """Encirclement loss EL on D's logits for generated samples; minimal where D(G(z)) = alpha.

    variant "bce" (code, F-1): mean -[alpha log D + (1 - alpha) log(1 - D)], i.e. BCE towards the
    soft target alpha; bounded below by the entropy H(alpha) and smooth.
    variant "paper" (Eq. 3): mean log|alpha - D|, floored at log(1e-7); unbounded below in the
    limit and with exploding gradients near D = alpha, which is why the code did not use it.
    With alpha = 1 both reduce to the original GAN generator losses (non-saturating BCE and Eq. 1).

    Parameters
    ----------
    fake_logits : torch.Tensor
        D's logits of generated samples.
    alpha : float
        The target level in (0, 1].
    variant : {"bce", "paper"}, default="bce"
        The form of the loss (see above).

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    if variant == "bce":
        target = torch.full_like(fake_logits, float(alpha))
        return F.binary_cross_entropy_with_logits(fake_logits, target)
    if variant == "paper":
        gap = (float(alpha) - torch.sigmoid(fake_logits)).abs().clamp_min(PAPER_EPS)
        return gap.log().mean()
    raise ValueError(
        f"encirclement variant must be one of {ENCIRCLEMENT_VARIANTS}, got {variant!r}."
    )


def dispersion_loss(generated: torch.Tensor) -> torch.Tensor:
    """Dispersion loss DL (Eq. 4) = 1 / mean_i ||G(z_i) - mu||_2, with mu the batch centre.

    The L2 distance runs over *all* output dimensions (H, W, C for images), as in the code.
    Minimising it spreads the generated samples apart. Needs at least two distinct samples.

    Parameters
    ----------
    generated : torch.Tensor of shape (n, ...)
        Generated samples G(z), n >= 2.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    flat = generated.flatten(1)
    if len(flat) < 2:
        raise ValueError(
            f"The dispersion loss needs a batch of at least 2 samples, got {len(flat)}."
        )
    centre = flat.mean(dim=0, keepdim=True)
    distances = (flat - centre).pow(2).sum(dim=1).sqrt()
    return 1.0 / distances.mean()


def generator_loss(
    fake_logits: torch.Tensor,
    generated: torch.Tensor,
    *,
    alpha: float,
    beta: float,
    variant: str = "bce",
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """L_G = EL + beta * DL (Eq. 5). Returns (total, encirclement, dispersion).

    Parameters
    ----------
    fake_logits : torch.Tensor
        D's logits of the generated samples.
    generated : torch.Tensor of shape (n, ...)
        The generated samples.
    alpha : float
        Target level of the encirclement loss.
    beta : float
        Weight of the dispersion loss.
    variant : {"bce", "paper"}, default="bce"
        Form of the encirclement loss.

    Returns
    -------
    tuple of torch.Tensor
        The 0-d total, encirclement and dispersion losses.
    """
    el = encirclement_loss(fake_logits, alpha, variant)
    dl = dispersion_loss(generated)
    return el + beta * dl, el, dl


def discriminator_real_loss(real_logits: torch.Tensor) -> torch.Tensor:
    """-mean log D(x): real (normal) data labelled 1, weight 1 (first of the code's two D steps).

    Parameters
    ----------
    real_logits : torch.Tensor
        D's logits of real samples.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    return F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))


def discriminator_fake_loss(fake_logits: torch.Tensor, gamma: float) -> torch.Tensor:
    """-gamma * mean log(1 - D(G(z))): generated data labelled 0, weight gamma (second D step).

    Parameters
    ----------
    fake_logits : torch.Tensor
        D's logits of generated samples.
    gamma : float
        Weight of the term.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    return gamma * F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))


def weighted_discriminator_loss(
    real_logits: torch.Tensor, fake_logits: torch.Tensor, gamma: float
) -> torch.Tensor:
    """Weighted discriminator loss (Eq. 6): mean[-log D(x)] + gamma * mean[-log(1 - D(G(z)))].

    gamma < 1 makes D favour classifying real data correctly. The two means are taken separately,
    which equals Eq. 6's single mean over pairs when both batches have the same size.

    Parameters
    ----------
    real_logits : torch.Tensor
        D's logits of real samples.
    fake_logits : torch.Tensor
        D's logits of generated samples.
    gamma : float
        Weight of the generated samples' term.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    return discriminator_real_loss(real_logits) + discriminator_fake_loss(fake_logits, gamma)
