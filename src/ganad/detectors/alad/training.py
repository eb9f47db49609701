"""ALAD's update step (METHODS §5.4): three discriminators, then generator + encoder, then EMA."""

from __future__ import annotations

import torch
from torch import nn

from ...nn import adam, frozen
from ...nn import bigan as bigan_losses
from ...nn.gan import ema_decay_at, ema_update_, sample_latent, sn_cached
from ...nn.utils import ADAM_EPS
from . import losses

__all__ = ["NETS", "make_alad_optimisers", "make_alad_step"]

NETS = ("encoder", "generator", "d_xz", "d_xx", "d_zz")
_DISCS = ("d_xz", "d_xx", "d_zz")


def make_alad_optimisers(
    nets: dict[str, nn.Module], *, lr: float, beta1: float
) -> dict[str, torch.optim.Optimizer]:
    """One Adam (β₁ = 0.5) per network, as in the reference code."""
    return {k: adam(nets[k], lr, betas=(beta1, 0.999), eps=ADAM_EPS) for k in NETS}


def make_alad_step(
    nets: dict[str, nn.Module],
    optimisers: dict[str, torch.optim.Optimizer],
    *,
    latent_dim: int,
    use_dzz: bool,
    ema_decay: float,
):
    """Returns (step, phases). `nets` holds the live networks and their "<name>_ema" copies."""
    enc, gen = nets["encoder"], nets["generator"]
    d_xz, d_xx, d_zz = (nets[k] for k in _DISCS)
    counter = {"t": 0}

    def _modes(train: bool) -> None:
        for name in NETS:
            nets[name].train(train)

    def discriminator_phase(x: torch.Tensor) -> dict[str, torch.Tensor]:
        # 1. D_xz, D_xx, D_zz on detached outputs of E and G.
        _modes(True)
        z = sample_latent(len(x), latent_dim, "normal", device=x.device)
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
            if use_dzz:
                out["d_zz"] = losses.adversarial_pair_loss(d_zz(z, z), d_zz(z, z_rec))
        for name in out:
            optimisers[name].zero_grad(set_to_none=True)
        sum(out.values()).backward()
        for name in out:
            optimisers[name].step()
        return out

    def generator_encoder_phase(x: torch.Tensor) -> dict[str, torch.Tensor]:
        # 2. G and E, discriminators frozen. gen_xz depends on G only, enc_xz on E only, the
        #    cycle terms on both: one backward of the sum gives G ∇(gen_xz + cycle) and
        #    E ∇(enc_xz + cycle), exactly the reference code's two losses.
        _modes(True)
        z = sample_latent(len(x), latent_dim, "normal", device=x.device)
        with frozen(d_xz, d_xx, d_zz), sn_cached():
            z_enc = enc(x)
            x_gen = gen(z)
            gen_xz = bigan_losses.generator_loss(d_xz(x_gen, z))
            enc_xz = bigan_losses.encoder_loss(d_xz(x, z_enc))
            cycle = losses.flipped_pair_loss(d_xx(x, x), d_xx(x, gen(z_enc)))
            if use_dzz:
                cycle = cycle + losses.flipped_pair_loss(d_zz(z, z), d_zz(z, enc(x_gen)))
        optimisers["generator"].zero_grad(set_to_none=True)
        optimisers["encoder"].zero_grad(set_to_none=True)
        (gen_xz + enc_xz + cycle).backward()
        optimisers["generator"].step()
        optimisers["encoder"].step()
        return {"generator": gen_xz + cycle, "encoder": enc_xz + cycle}

    def ema_phase() -> None:
        # 3. Moving averages of every network's weights (scoring uses them).
        decay = ema_decay_at(counter["t"], ema_decay)
        counter["t"] += 1
        for name in NETS:
            ema_update_(nets[f"{name}_ema"], nets[name], decay)

    def step(x: torch.Tensor) -> dict[str, torch.Tensor]:
        out = discriminator_phase(x)
        out.update(generator_encoder_phase(x))
        ema_phase()
        return out

    return step, {
        "discriminators": discriminator_phase,
        "generator_encoder": generator_encoder_phase,
        "ema": ema_phase,
    }
