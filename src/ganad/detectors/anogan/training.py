"""AnoGAN's GAN update step (METHODS §5.1): discriminator, then generator, per mini-batch."""

from __future__ import annotations

import torch
from torch import nn

from ...nn import adam, frozen
from ...nn.gan import sample_latent, sn_cached
from ...nn.utils import ADAM_EPS
from . import losses

__all__ = ["AnoGANStep", "make_anogan_optimisers"]


def make_anogan_optimisers(
    generator: nn.Module, discriminator: nn.Module, *, lr: float, betas: tuple[float, float]
) -> dict[str, torch.optim.Optimizer]:
    """One Adam per network (Zenati et al.: Adam with β₁ = 0.5).

    Parameters
    ----------
    generator : torch.nn.Module
        G.
    discriminator : torch.nn.Module
        D.
    lr : float
        Learning rate of both.
    betas : tuple of (float, float)
        Adam's β₁ and β₂ (epsilon `ganad.nn.utils.ADAM_EPS`).

    Returns
    -------
    dict of str to torch.optim.Optimizer
        "generator" and "discriminator".
    """
    return {
        "generator": adam(generator, lr, betas=betas, eps=ADAM_EPS),
        "discriminator": adam(discriminator, lr, betas=betas, eps=ADAM_EPS),
    }


class AnoGANStep:
    """One AnoGAN mini-batch update: 1. the discriminator on real vs detached fakes, 2. the
    generator on fresh latents against the frozen discriminator.

    Parameters
    ----------
    generator : torch.nn.Module
        G, z -> x.
    discriminator : torch.nn.Module
        D, x -> logit.
    optimisers : dict of str to torch.optim.Optimizer
        "generator" and "discriminator" (see `make_anogan_optimisers`).
    latent_dim : int
        Width of z.
    prior : {"normal", "uniform"}
        Prior the latents are drawn from.
    """

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module,
        optimisers: dict[str, torch.optim.Optimizer],
        *,
        latent_dim: int,
        prior: str,
    ):
        self.generator = generator
        self.discriminator = discriminator
        self.optimisers = optimisers
        self.latent_dim = latent_dim
        self.prior = prior

    def __call__(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        d_loss = self.discriminator_phase(x)
        g_loss = self.generator_phase(x)
        return {"discriminator": d_loss, "generator": g_loss}

    def _latent(self, x: torch.Tensor) -> torch.Tensor:
        return sample_latent(len(x), self.latent_dim, self.prior, device=x.device)

    def discriminator_phase(self, x: torch.Tensor) -> torch.Tensor:
        """Phase 1: one discriminator update on real vs detached generated samples.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The mini-batch of real samples.

        Returns
        -------
        torch.Tensor
            The 0-d discriminator loss.
        """
        # 1. Discriminator: fakes from G (train mode, as in the reference code), detached.
        self.generator.train()
        self.discriminator.train()
        with torch.no_grad():
            fake = self.generator(self._latent(x))
        with sn_cached():  # one spectral-norm power iteration per step (when D has SN)
            d_loss = losses.discriminator_loss(
                self.discriminator(x), self.discriminator(fake.detach())
            )
        self.optimisers["discriminator"].zero_grad(set_to_none=True)
        d_loss.backward()
        self.optimisers["discriminator"].step()
        return d_loss

    def generator_phase(self, x: torch.Tensor) -> torch.Tensor:
        """Phase 2: one generator update on fresh latents against the frozen discriminator.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The mini-batch (only its size and device are used).

        Returns
        -------
        torch.Tensor
            The 0-d generator loss.
        """
        # 2. Generator: fresh z; D frozen (gradients flow through it to G only).
        self.generator.train()
        self.discriminator.train()
        with frozen(self.discriminator):
            g_loss = losses.generator_loss(self.discriminator(self.generator(self._latent(x))))
        self.optimisers["generator"].zero_grad(set_to_none=True)
        g_loss.backward()
        self.optimisers["generator"].step()
        return g_loss
