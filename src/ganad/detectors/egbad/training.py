"""EGBAD's update step (METHODS §5.3): discriminator, then generator + encoder, then the EMA."""

from __future__ import annotations

import torch
from torch import nn

from ...nn import adam, frozen
from ...nn.gan import ema_decay_at, ema_update_, sample_latent, sn_cached
from ...nn.utils import ADAM_EPS
from . import losses

__all__ = ["BiGANStep", "make_bigan_optimisers"]


def make_bigan_optimisers(
    nets: dict[str, nn.Module], *, lr: float, beta1: float
) -> dict[str, torch.optim.Optimizer]:
    """One Adam (β₁ = 0.5 in the reference code) per network.

    Parameters
    ----------
    nets : dict of str to torch.nn.Module
        The networks, with at least "encoder", "generator" and "discriminator".
    lr : float
        Learning rate.
    beta1 : float
        Adam's β₁ (β₂ = 0.999, epsilon `ganad.nn.utils.ADAM_EPS`).

    Returns
    -------
    dict of str to torch.optim.Optimizer
        One optimiser per network name.
    """
    return {
        k: adam(nets[k], lr, betas=(beta1, 0.999), eps=ADAM_EPS)
        for k in ("encoder", "generator", "discriminator")
    }


class BiGANStep:
    """One EGBAD mini-batch update, in the order of the reference code: 1. the discriminator,
    2. the generator and encoder, 3. the moving averages of the weights.

    `nets` holds the live networks and their "<name>_ema" copies. `cycle_weight` > 0 adds
    ALICE's explicit cycle-consistency term λ·mean |x − G(E(x))| to the encoder and generator
    loss (Li et al., NeurIPS 2017); 0 is the plain BiGAN objective. The EMA step counter is
    this object's state (`state_dict`), saved with checkpoints so a resumed fit continues it.

    Parameters
    ----------
    nets : dict of str to torch.nn.Module
        "encoder", "generator", "discriminator" and their "<name>_ema" copies.
    optimisers : dict of str to torch.optim.Optimizer
        One optimiser per live network (see `make_bigan_optimisers`).
    latent_dim : int
        Width of the codes z drawn from N(0, I).
    ema_decay : float
        Nominal decay of the moving averages.
    cycle_weight : float, default=0.0
        λ, the weight of the cycle-consistency term.
    """

    def __init__(
        self,
        nets: dict[str, nn.Module],
        optimisers: dict[str, torch.optim.Optimizer],
        *,
        latent_dim: int,
        ema_decay: float,
        cycle_weight: float = 0.0,
    ):
        self.nets = nets
        self.optimisers = optimisers
        self.latent_dim = latent_dim
        self.ema_decay = ema_decay
        self.cycle_weight = cycle_weight
        self.ema_updates = 0

    def __call__(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        d_loss = self.discriminator_phase(x)
        g_loss, e_loss = self.generator_encoder_phase(x)
        self.ema_phase()
        return {"discriminator": d_loss, "generator": g_loss, "encoder": e_loss}

    def discriminator_phase(self, x: torch.Tensor) -> torch.Tensor:
        """Phase 1: one update of D on real (x, E(x)) and fake (G(z), z) pairs.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The mini-batch.

        Returns
        -------
        torch.Tensor
            The 0-d discriminator loss.
        """
        # 1. D on (x, E(x)) = real and (G(z), z) = fake; E and G outputs detached.
        enc, gen, disc = self.nets["encoder"], self.nets["generator"], self.nets["discriminator"]
        enc.train()
        gen.train()
        disc.train()
        z = sample_latent(len(x), self.latent_dim, "normal", device=x.device)
        with torch.no_grad():
            z_enc = enc(x)
            x_gen = gen(z)
        with sn_cached():  # one spectral-norm power iteration per step (when D has SN)
            d_loss = losses.discriminator_loss(disc(x, z_enc.detach()), disc(x_gen.detach(), z))
        self.optimisers["discriminator"].zero_grad(set_to_none=True)
        d_loss.backward()
        self.optimisers["discriminator"].step()
        return d_loss

    def generator_encoder_phase(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Phase 2: one update of G and E against the frozen D (plus the cycle term).

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The mini-batch.

        Returns
        -------
        tuple of (torch.Tensor, torch.Tensor)
            The 0-d generator and encoder losses (without the cycle term).
        """
        # 2. G and E from one forward pass with flipped labels, D frozen. L_G depends on G only
        #    and L_E on E only, so one backward of the sum gives each its own gradient.
        enc, gen, disc = self.nets["encoder"], self.nets["generator"], self.nets["discriminator"]
        enc.train()
        gen.train()
        disc.train()
        z = sample_latent(len(x), self.latent_dim, "normal", device=x.device)
        with frozen(disc), sn_cached():
            g_loss = losses.generator_loss(disc(gen(z), z))
            e_loss = losses.encoder_loss(disc(x, enc(x)))
        total = g_loss + e_loss
        if self.cycle_weight > 0:  # skipped at 0: no extra forward pass, no extra dropout draws
            total = total + self.cycle_weight * losses.cycle_loss(x, gen(enc(x)))
        self.optimisers["generator"].zero_grad(set_to_none=True)
        self.optimisers["encoder"].zero_grad(set_to_none=True)
        total.backward()
        self.optimisers["generator"].step()
        self.optimisers["encoder"].step()
        return g_loss, e_loss

    def ema_phase(self) -> None:
        """Phase 3: move every "<name>_ema" network towards its live network."""
        # 3. Moving averages of the weights, used for scoring.
        decay = ema_decay_at(self.ema_updates, self.ema_decay)
        self.ema_updates += 1
        for name in ("encoder", "generator", "discriminator"):
            ema_update_(self.nets[f"{name}_ema"], self.nets[name], decay)

    def state_dict(self) -> dict[str, int]:
        """The step's state for checkpoints: the EMA update counter.

        Returns
        -------
        dict of str to int
            ``{"ema_updates": count}``.
        """
        return {"ema_updates": self.ema_updates}

    def load_state_dict(self, state: dict[str, int]) -> None:
        """Restore the EMA update counter saved by `state_dict`.

        Parameters
        ----------
        state : dict of str to int
            ``{"ema_updates": count}``.
        """
        self.ema_updates = int(state["ema_updates"])
