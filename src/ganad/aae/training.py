"""The AAE's three-phase update step (METHODS §2.3), shared by the AAE, DA3D and their presets."""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import nn

from ..nn import adam, clip_grad_norm, frozen
from . import losses

__all__ = ["make_aae_optimisers", "make_aae_step"]


def make_aae_optimisers(
    encoder: nn.Module, decoder: nn.Module, prior: nn.Module, lr: float
) -> dict[str, torch.optim.Optimizer]:
    """Three Adam optimisers as in the code: reconstruction (encoder + decoder), prior
    discriminator, encoder regularisation. Keras' epsilon 1e-7."""
    return {
        "reconstruction": adam([*encoder.parameters(), *decoder.parameters()], lr),
        "prior": adam(prior, lr),
        "regularisation": adam(encoder, lr),
    }


def make_aae_step(
    encoder: nn.Module,
    decoder: nn.Module,
    prior: nn.Module,
    optimisers: Mapping[str, torch.optim.Optimizer],
    *,
    clip_norm: float | None = 0.01,
):
    """One AAE mini-batch update: reconstruction -> prior discriminator -> encoder regularisation."""

    def step(x: torch.Tensor) -> dict[str, torch.Tensor]:
        # 1. Reconstruction: encoder and decoder in train mode, no clipping.
        encoder.train()
        decoder.train()
        with frozen(prior):
            rec = losses.reconstruction_loss(decoder(encoder(x)), x)
        optimisers["reconstruction"].zero_grad(set_to_none=True)
        rec.backward()
        optimisers["reconstruction"].step()

        # 2. Prior discriminator: codes from the encoder in eval mode, detached.
        encoder.eval()
        prior.train()
        with torch.no_grad():
            h = encoder(x).flatten(1)
        p = torch.randn_like(h)
        d_prior, d_codes = prior(torch.cat([p, h.detach()])).split(len(h))  # one pass, both inputs
        d_loss = losses.prior_discriminator_loss(d_prior, d_codes)
        optimisers["prior"].zero_grad(set_to_none=True)
        d_loss.backward()
        clip_grad_norm(prior, clip_norm)
        optimisers["prior"].step()

        # 3. Encoder regularisation: encoder in train mode, D_prior in eval mode and frozen.
        encoder.train()
        prior.eval()
        with frozen(prior):
            e_loss = losses.encoder_regularisation_loss(prior(encoder(x).flatten(1)))
        optimisers["regularisation"].zero_grad(set_to_none=True)
        e_loss.backward()
        clip_grad_norm(encoder, clip_norm)
        optimisers["regularisation"].step()
        return {"reconstruction": rec, "prior": d_loss, "regularisation": e_loss}

    return step
