"""AnoGAN's GAN update step (METHODS §5.1): discriminator, then generator, per mini-batch."""

from __future__ import annotations

import torch
from torch import nn

from ...nn import adam, frozen
from ...nn.gan import sample_latent, sn_cached
from ...nn.utils import ADAM_EPS
from . import losses

__all__ = ["make_anogan_optimisers", "make_anogan_step"]


def make_anogan_optimisers(
    generator: nn.Module, discriminator: nn.Module, *, lr: float, betas: tuple[float, float]
) -> dict[str, torch.optim.Optimizer]:
    """One Adam per network (Zenati et al.: Adam with β₁ = 0.5)."""
    return {
        "generator": adam(generator, lr, betas=betas, eps=ADAM_EPS),
        "discriminator": adam(discriminator, lr, betas=betas, eps=ADAM_EPS),
    }


def make_anogan_step(
    generator: nn.Module,
    discriminator: nn.Module,
    optimisers: dict[str, torch.optim.Optimizer],
    *,
    latent_dim: int,
    prior: str,
):
    """Returns (step, phases): `step(x)` runs both phases; `phases` exposes each one for tests."""

    def discriminator_phase(x: torch.Tensor) -> torch.Tensor:
        # 1. Discriminator: fakes from G (train mode, as in the reference code), detached.
        generator.train()
        discriminator.train()
        with torch.no_grad():
            fake = generator(sample_latent(len(x), latent_dim, prior, device=x.device))
        with sn_cached():  # one spectral-norm power iteration per step (when D has SN)
            d_loss = losses.discriminator_loss(discriminator(x), discriminator(fake.detach()))
        optimisers["discriminator"].zero_grad(set_to_none=True)
        d_loss.backward()
        optimisers["discriminator"].step()
        return d_loss

    def generator_phase(x: torch.Tensor) -> torch.Tensor:
        # 2. Generator: fresh z; D frozen (gradients flow through it to G only).
        generator.train()
        discriminator.train()
        with frozen(discriminator):
            g_loss = losses.generator_loss(
                discriminator(generator(sample_latent(len(x), latent_dim, prior, device=x.device)))
            )
        optimisers["generator"].zero_grad(set_to_none=True)
        g_loss.backward()
        optimisers["generator"].step()
        return g_loss

    def step(x: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"discriminator": discriminator_phase(x), "generator": generator_phase(x)}

    return step, {"discriminator": discriminator_phase, "generator": generator_phase}
