"""ALAD's update step (METHODS §5.4): three discriminators, then generator + encoder, then EMA."""

from __future__ import annotations

from typing import cast

import torch
from torch import nn

from ...nn import adam, frozen
from ...nn import bigan as bigan_losses
from ...nn.gan import ema_decay_at, ema_update_, sample_latent, sn_cached
from ...nn.utils import ADAM_EPS
from . import losses

__all__ = ["NETS", "ALADStep", "make_alad_optimisers"]

NETS = ("encoder", "generator", "d_xz", "d_xx", "d_zz")
_DISCS = ("d_xz", "d_xx", "d_zz")


def make_alad_optimisers(
    nets: dict[str, nn.Module], *, lr: float, beta1: float
) -> dict[str, torch.optim.Optimizer]:
    """One Adam (β₁ = 0.5) per network, as in the reference code.

    Parameters
    ----------
    nets : dict of str to torch.nn.Module
        The networks, with at least the keys of `NETS`.
    lr : float
        Learning rate.
    beta1 : float
        Adam's β₁ (β₂ = 0.999, epsilon `ganad.nn.utils.ADAM_EPS`).

    Returns
    -------
    dict of str to torch.optim.Optimizer
        One optimiser per name of `NETS`.
    """
    return {k: adam(nets[k], lr, betas=(beta1, 0.999), eps=ADAM_EPS) for k in NETS}


class ALADStep:
    """One ALAD mini-batch update: 1. the three discriminators, 2. the generator and encoder,
    3. the moving averages of every network's weights. `nets` holds the live networks and their
    "<name>_ema" copies; the EMA step counter is this object's state (`state_dict`).

    Parameters
    ----------
    nets : dict of str to torch.nn.Module
        The live networks of `NETS` and their "<name>_ema" copies.
    optimisers : dict of str to torch.optim.Optimizer
        One optimiser per live network (see `make_alad_optimisers`).
    latent_dim : int
        Width of the codes z drawn from N(0, I).
    use_dzz : bool
        Train D_zz and add the latent cycle term.
    ema_decay : float
        Nominal decay of the moving averages.
    """

    def __init__(
        self,
        nets: dict[str, nn.Module],
        optimisers: dict[str, torch.optim.Optimizer],
        *,
        latent_dim: int,
        use_dzz: bool,
        ema_decay: float,
    ):
        self.nets = nets
        self.optimisers = optimisers
        self.latent_dim = latent_dim
        self.use_dzz = use_dzz
        self.ema_decay = ema_decay
        self.ema_updates = 0

    def __call__(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        out = self.discriminator_phase(x)
        out.update(self.generator_encoder_phase(x))
        self.ema_phase()
        return out

    def _modes(self, train: bool) -> None:
        for name in NETS:
            self.nets[name].train(train)

    def discriminator_phase(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Phase 1: one update of D_xz, D_xx (and D_zz) on detached outputs of E and G.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The mini-batch.

        Returns
        -------
        dict of str to torch.Tensor
            The 0-d losses "d_xz", "d_xx" (and "d_zz").
        """
        # 1. D_xz, D_xx, D_zz on detached outputs of E and G.
        enc, gen = self.nets["encoder"], self.nets["generator"]
        d_xz, d_xx, d_zz = (self.nets[k] for k in _DISCS)
        self._modes(True)
        z = sample_latent(len(x), self.latent_dim, "normal", device=x.device)
        with sn_cached():  # one spectral-norm power iteration per network and step
            with torch.no_grad():
                z_enc = enc(x)
                x_gen = gen(z)
                x_rec = gen(z_enc)
                z_rec = enc(x_gen)
            out = {
                "d_xz": losses.adversarial_pair_loss(d_xz(x, z_enc), d_xz(x_gen, z)),
                "d_xx": losses.adversarial_pair_loss(d_xx(x, x), d_xx(x, x_rec)),
            }
            if self.use_dzz:
                out["d_zz"] = losses.adversarial_pair_loss(d_zz(z, z), d_zz(z, z_rec))
        for name in out:
            self.optimisers[name].zero_grad(set_to_none=True)
        cast(torch.Tensor, sum(out.values())).backward()  # `out` is never empty
        for name in out:
            self.optimisers[name].step()
        return out

    def generator_encoder_phase(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Phase 2: one update of G and E against the frozen discriminators.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The mini-batch.

        Returns
        -------
        dict of str to torch.Tensor
            The 0-d losses "generator" and "encoder" (each with the cycle terms).
        """
        # 2. G and E, discriminators frozen. gen_xz depends on G only, enc_xz on E only, the
        #    cycle terms on both: one backward of the sum gives G ∇(gen_xz + cycle) and
        #    E ∇(enc_xz + cycle), exactly the reference code's two losses.
        enc, gen = self.nets["encoder"], self.nets["generator"]
        d_xz, d_xx, d_zz = (self.nets[k] for k in _DISCS)
        self._modes(True)
        z = sample_latent(len(x), self.latent_dim, "normal", device=x.device)
        with frozen(d_xz, d_xx, d_zz), sn_cached():
            z_enc = enc(x)
            x_gen = gen(z)
            gen_xz = bigan_losses.generator_loss(d_xz(x_gen, z))
            enc_xz = bigan_losses.encoder_loss(d_xz(x, z_enc))
            cycle = losses.flipped_pair_loss(d_xx(x, x), d_xx(x, gen(z_enc)))
            if self.use_dzz:
                cycle = cycle + losses.flipped_pair_loss(d_zz(z, z), d_zz(z, enc(x_gen)))
        self.optimisers["generator"].zero_grad(set_to_none=True)
        self.optimisers["encoder"].zero_grad(set_to_none=True)
        (gen_xz + enc_xz + cycle).backward()
        self.optimisers["generator"].step()
        self.optimisers["encoder"].step()
        return {"generator": gen_xz + cycle, "encoder": enc_xz + cycle}

    def ema_phase(self) -> None:
        """Phase 3: move every "<name>_ema" network towards its live network."""
        # 3. Moving averages of every network's weights (scoring uses them).
        decay = ema_decay_at(self.ema_updates, self.ema_decay)
        self.ema_updates += 1
        for name in NETS:
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
