"""f-AnoGAN's two training stages (METHODS §5.2, §5.8): the GAN, then the encoder."""

from __future__ import annotations

import torch
from torch import nn

from ...nn import adam, frozen
from ...nn.gan import clip_weights_, gradient_penalty, sample_latent
from . import losses

__all__ = ["adam_eps", "make_encoder_step", "make_gan_optimisers", "make_gan_step"]


def make_gan_optimisers(
    generator: nn.Module, critic: nn.Module, *, gan_loss: str, lr: float, betas: tuple[float, float]
) -> dict[str, torch.optim.Optimizer]:
    """WGAN with clipping: RMSProp (Arjovsky et al.); WGAN-GP: Adam (ε 1e-8, the reference
    code's); the DA3D variant: Keras Adam (ε 1e-7)."""
    if gan_loss == "wgan-clip":
        return {
            "generator": torch.optim.RMSprop(generator.parameters(), lr=lr),
            "critic": torch.optim.RMSprop(critic.parameters(), lr=lr),
        }
    eps = adam_eps(gan_loss)
    return {
        "generator": adam(generator, lr, betas=betas, eps=eps),
        "critic": adam(critic, lr, betas=betas, eps=eps),
    }


def adam_eps(gan_loss: str) -> float:
    """Keras' 1e-7 for the DA3D (Keras) variant, 1e-8 otherwise."""
    return 1e-7 if gan_loss == "linear" else 1e-8


def make_gan_step(
    generator: nn.Module,
    critic: nn.Module,
    optimisers: dict[str, torch.optim.Optimizer],
    *,
    gan_loss: str,
    latent_dim: int,
    n_critic: int,
    gp_weight: float,
    clip_value: float,
):
    """Returns (step, phases). WGAN(-GP): a critic update every mini-batch, a generator update
    every `n_critic`-th. "linear" (DA3D variant): G and D from the same forward pass."""
    calls = {"n": 0}
    last: dict[str, torch.Tensor] = {}

    def critic_phase(x: torch.Tensor) -> dict[str, torch.Tensor]:
        # 1. Critic on real vs detached fakes (+ gradient penalty or weight clipping).
        generator.train()
        critic.train()
        with torch.no_grad():
            fake = generator(sample_latent(len(x), latent_dim, "normal", device=x.device))
        d_loss = losses.wgan_critic_loss(critic(x), critic(fake.detach()))
        out = {"critic": d_loss}
        if gan_loss == "wgan-gp":
            gp = gradient_penalty(critic, x, fake.detach())
            out["gradient_penalty"] = gp
            d_loss = d_loss + gp_weight * gp
        optimisers["critic"].zero_grad(set_to_none=True)
        d_loss.backward()
        optimisers["critic"].step()
        if gan_loss == "wgan-clip":
            clip_weights_(critic, clip_value)
        return out

    def generator_phase(x: torch.Tensor) -> dict[str, torch.Tensor]:
        # 2. Generator against the frozen critic.
        generator.train()
        critic.train()
        with frozen(critic):
            g_loss = losses.wgan_generator_loss(
                critic(generator(sample_latent(len(x), latent_dim, "normal", device=x.device)))
            )
        optimisers["generator"].zero_grad(set_to_none=True)
        g_loss.backward()
        optimisers["generator"].step()
        return {"generator": g_loss}

    def joint_phase(x: torch.Tensor) -> dict[str, torch.Tensor]:
        # DA3D code: one forward pass, each network stepped on its own loss's gradient.
        generator.train()
        critic.train()
        fake = generator(sample_latent(len(x), latent_dim, "normal", device=x.device))
        d_real, d_fake = critic(x), critic(fake)
        d_loss = losses.da3d_critic_loss(d_real, d_fake)
        g_loss = losses.da3d_generator_loss(d_fake)
        optimisers["critic"].zero_grad(set_to_none=True)
        optimisers["generator"].zero_grad(set_to_none=True)
        g_loss.backward(inputs=list(generator.parameters()), retain_graph=True)
        d_loss.backward(inputs=list(critic.parameters()))
        optimisers["critic"].step()
        optimisers["generator"].step()
        return {"critic": d_loss, "generator": g_loss}

    def current_generator_loss(x: torch.Tensor) -> torch.Tensor:
        # Reported on steps without a generator update, so the per-epoch mean of
        # train_epochs (sum over *all* batches / number of batches) is not diluted.
        if "g" not in last:
            with torch.no_grad():
                z = sample_latent(len(x), latent_dim, "normal", device=x.device)
                last["g"] = losses.wgan_generator_loss(critic(generator(z)))
        return last["g"]

    def step(x: torch.Tensor) -> dict[str, torch.Tensor]:
        if gan_loss == "linear":
            return joint_phase(x)
        out = critic_phase(x)
        calls["n"] += 1
        if calls["n"] % n_critic == 0:
            out.update(generator_phase(x))
            last["g"] = out["generator"].detach()
        else:
            out["generator"] = current_generator_loss(x)
        return out

    return step, {"critic": critic_phase, "generator": generator_phase, "joint": joint_phase}


def make_encoder_step(
    encoder: nn.Module,
    generator: nn.Module,
    critic: nn.Module,
    optimiser: torch.optim.Optimizer,
    *,
    mode: str,
    kappa: float,
    latent_dim: int,
):
    """Encoder training with G and the critic frozen in eval mode (ziz, izi or izi_f)."""

    def step(x: torch.Tensor) -> dict[str, torch.Tensor]:
        encoder.train()
        generator.eval()
        critic.eval()
        with frozen(generator, critic):
            if mode == "ziz":
                z = sample_latent(len(x), latent_dim, "normal", device=x.device)
                with torch.no_grad():
                    x_gen = generator(z)
                loss = losses.ziz_loss(z, encoder(x_gen))
            else:
                x_rec = generator(encoder(x))
                if mode == "izi":
                    loss = losses.izi_loss(x, x_rec)
                else:
                    with torch.no_grad():
                        _, (f_x,) = critic(x, return_hidden=True)
                    _, (f_rec,) = critic(x_rec, return_hidden=True)
                    loss = losses.izi_f_loss(x, x_rec, f_x, f_rec, kappa)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        return {mode: loss}

    return step
