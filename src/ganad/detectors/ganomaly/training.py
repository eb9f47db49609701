"""GANomaly's update step (METHODS §5.5; official order): generator, then discriminator."""

from __future__ import annotations

import logging

import torch
from torch import nn

from ...nn import adam, frozen, keras_init_, normal_init_
from ...nn.gan import ConvTrunk
from ...nn.utils import ADAM_EPS
from . import losses

__all__ = ["GANomalyStep", "make_ganomaly_optimisers", "reinit_discriminator_"]

logger = logging.getLogger(__name__)

#: The official code re-initialises D when its loss falls below this value.
D_REINIT_THRESHOLD = 1e-5


def make_ganomaly_optimisers(
    nets: dict[str, nn.Module], *, lr: float, beta1: float
) -> dict[str, torch.optim.Optimizer]:
    """Adam(lr, (β₁, 0.999)) for G = (G_E, G_D, E) and one for D (official: 2e-4, 0.5).

    Parameters
    ----------
    nets : dict of str to torch.nn.Module
        "encoder", "decoder", "encoder2" and "discriminator".
    lr : float
        Learning rate.
    beta1 : float
        Adam's β₁.

    Returns
    -------
    dict of str to torch.optim.Optimizer
        "generator" (the three generator networks) and "discriminator".
    """
    g_params = [p for k in ("encoder", "decoder", "encoder2") for p in nets[k].parameters()]
    return {
        "generator": adam(g_params, lr, betas=(beta1, 0.999), eps=ADAM_EPS),
        "discriminator": adam(nets["discriminator"], lr, betas=(beta1, 0.999), eps=ADAM_EPS),
    }


@torch.no_grad()
def reinit_discriminator_(disc: nn.Module) -> None:
    """Fresh weights for D (DCGAN N(0, 0.02) for conv trunks, Glorot otherwise).

    Parameters
    ----------
    disc : torch.nn.Module
        The discriminator, re-initialised in place (batch norms reset too).
    """
    if isinstance(getattr(disc, "trunk", None), ConvTrunk):
        normal_init_(disc)
    else:
        keras_init_(disc)
    for m in disc.modules():
        if isinstance(m, nn.BatchNorm2d | nn.BatchNorm1d):
            m.reset_parameters()
            m.reset_running_stats()


class GANomalyStep:
    """One GANomaly mini-batch update, in the official order: 1. the generator (G_E, G_D, E)
    against the frozen discriminator, 2. the discriminator on inputs vs the detached
    reconstructions of phase 1 (re-initialised when its loss collapses).

    Parameters
    ----------
    nets : dict of str to torch.nn.Module
        "encoder", "decoder", "encoder2" and "discriminator".
    optimisers : dict of str to torch.optim.Optimizer
        "generator" and "discriminator" (see `make_ganomaly_optimisers`).
    weights : tuple of (float, float, float)
        (w_adv, w_con, w_enc) of the generator loss.
    """

    def __init__(
        self,
        nets: dict[str, nn.Module],
        optimisers: dict[str, torch.optim.Optimizer],
        *,
        weights: tuple[float, float, float],
    ):
        self.g_enc, self.g_dec, self.enc2, self.disc = (
            nets[k] for k in ("encoder", "decoder", "encoder2", "discriminator")
        )
        self.optimisers = optimisers
        self.weights = weights

    def __call__(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        out, x_rec = self.generator_phase(x)
        out["discriminator"] = self.discriminator_phase(x, x_rec)
        return out

    def generator_phase(self, x: torch.Tensor) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        """Phase 1: one update of G_E, G_D and E against the frozen discriminator.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The mini-batch.

        Returns
        -------
        tuple of (dict of str to torch.Tensor, torch.Tensor)
            The generator losses (see `losses.generator_losses`) and the detached
            reconstructions.
        """
        # 1. Generator (G_E, G_D, E) with D frozen; D in train mode as in the official code.
        for m in (self.g_enc, self.g_dec, self.enc2, self.disc):
            m.train()
        z = self.g_enc(x)
        x_rec = self.g_dec(z)
        z_rec = self.enc2(x_rec)
        with frozen(self.disc):
            with torch.no_grad():
                _, (f_x,) = self.disc(x, return_hidden=True)
            _, (f_rec,) = self.disc(x_rec, return_hidden=True)
        out = losses.generator_losses(x, x_rec, z, z_rec, f_x, f_rec, self.weights)
        self.optimisers["generator"].zero_grad(set_to_none=True)
        out["generator"].backward()
        self.optimisers["generator"].step()
        return out, x_rec.detach()

    def discriminator_phase(self, x: torch.Tensor, x_rec: torch.Tensor) -> torch.Tensor:
        """Phase 2: one discriminator update on inputs vs reconstructions.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The mini-batch.
        x_rec : torch.Tensor of shape (n, ...)
            Its reconstructions from phase 1.

        Returns
        -------
        torch.Tensor
            The 0-d discriminator loss.
        """
        # 2. D on inputs vs the (detached) reconstructions of phase 1.
        self.disc.train()
        d_loss = losses.discriminator_loss(self.disc(x), self.disc(x_rec.detach()))
        self.optimisers["discriminator"].zero_grad(set_to_none=True)
        d_loss.backward()
        self.optimisers["discriminator"].step()
        if float(d_loss.detach()) < D_REINIT_THRESHOLD:
            logger.debug(
                "GANomaly: discriminator loss %.2g < %.0e, re-initialising D.",
                float(d_loss.detach()),
                D_REINIT_THRESHOLD,
            )
            reinit_discriminator_(self.disc)
        return d_loss
