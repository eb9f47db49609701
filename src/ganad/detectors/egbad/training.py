"""EGBAD's update step (METHODS §5.3): discriminator, then generator + encoder, then the EMA."""

from __future__ import annotations

import torch
from torch import nn

from ...nn import adam, frozen
from ...nn.gan import ema_decay_at, ema_update_, sample_latent, sn_cached
from ...nn.utils import ADAM_EPS
from . import losses

__all__ = ["make_bigan_optimisers", "make_bigan_step"]


def make_bigan_optimisers(
    nets: dict[str, nn.Module], *, lr: float, beta1: float
) -> dict[str, torch.optim.Optimizer]:
    """One Adam (β₁ = 0.5 in the reference code) per network."""
    return {
        k: adam(nets[k], lr, betas=(beta1, 0.999), eps=ADAM_EPS)
        for k in ("encoder", "generator", "discriminator")
    }


def make_bigan_step(
    nets: dict[str, nn.Module],
    optimisers: dict[str, torch.optim.Optimizer],
    *,
    latent_dim: int,
    ema_decay: float,
    cycle_weight: float = 0.0,
):
    """Returns (step, phases). `nets` holds the live networks and their "<name>_ema" copies.
    `cycle_weight` > 0 adds ALICE's explicit cycle-consistency term λ·mean |x − G(E(x))| to the
    encoder and generator loss (Li et al., NeurIPS 2017); 0 is the plain BiGAN objective."""
    enc, gen, disc = nets["encoder"], nets["generator"], nets["discriminator"]
    counter = {"t": 0}

    def discriminator_phase(x: torch.Tensor) -> torch.Tensor:
        # 1. D on (x, E(x)) = real and (G(z), z) = fake; E and G outputs detached.
        enc.train()
        gen.train()
        disc.train()
        z = sample_latent(len(x), latent_dim, "normal", device=x.device)
        with torch.no_grad():
            z_enc = enc(x)
            x_gen = gen(z)
        with sn_cached():  # one spectral-norm power iteration per step (when D has SN)
            d_loss = losses.discriminator_loss(disc(x, z_enc.detach()), disc(x_gen.detach(), z))
        optimisers["discriminator"].zero_grad(set_to_none=True)
        d_loss.backward()
        optimisers["discriminator"].step()
        return d_loss

    def generator_encoder_phase(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # 2. G and E from one forward pass with flipped labels, D frozen. L_G depends on G only
        #    and L_E on E only, so one backward of the sum gives each its own gradient.
        enc.train()
        gen.train()
        disc.train()
        z = sample_latent(len(x), latent_dim, "normal", device=x.device)
        with frozen(disc), sn_cached():
            g_loss = losses.generator_loss(disc(gen(z), z))
            e_loss = losses.encoder_loss(disc(x, enc(x)))
        total = g_loss + e_loss
        if cycle_weight > 0:  # skipped at 0: no extra forward pass, no extra dropout draws
            total = total + cycle_weight * losses.cycle_loss(x, gen(enc(x)))
        optimisers["generator"].zero_grad(set_to_none=True)
        optimisers["encoder"].zero_grad(set_to_none=True)
        total.backward()
        optimisers["generator"].step()
        optimisers["encoder"].step()
        return g_loss, e_loss

    def ema_phase() -> None:
        # 3. Moving averages of the weights, used for scoring.
        decay = ema_decay_at(counter["t"], ema_decay)
        counter["t"] += 1
        for name in ("encoder", "generator", "discriminator"):
            ema_update_(nets[f"{name}_ema"], nets[name], decay)

    def step(x: torch.Tensor) -> dict[str, torch.Tensor]:
        d_loss = discriminator_phase(x)
        g_loss, e_loss = generator_encoder_phase(x)
        ema_phase()
        return {"discriminator": d_loss, "generator": g_loss, "encoder": e_loss}

    return step, {
        "discriminator": discriminator_phase,
        "generator_encoder": generator_encoder_phase,
        "ema": ema_phase,
    }
