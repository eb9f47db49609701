"""f-AnoGAN's two training stages (METHODS §5.2, §5.8): the GAN, then the encoder."""

from __future__ import annotations

from typing import SupportsInt, cast

import torch
from torch import nn

from ...nn import adam, frozen
from ...nn.gan import clip_weights_, gradient_penalty, sample_latent
from . import losses

__all__ = ["EncoderStep", "GANStep", "adam_eps", "make_gan_optimisers"]


def make_gan_optimisers(
    generator: nn.Module, critic: nn.Module, *, gan_loss: str, lr: float, betas: tuple[float, float]
) -> dict[str, torch.optim.Optimizer]:
    """WGAN with clipping: RMSProp (Arjovsky et al.); WGAN-GP: Adam (ε 1e-8, the reference
    code's); the DA3D variant: Keras Adam (ε 1e-7).

    Parameters
    ----------
    generator : torch.nn.Module
        G.
    critic : torch.nn.Module
        The critic D.
    gan_loss : {"wgan-gp", "wgan-clip", "linear"}
        The GAN objective, which picks the optimiser.
    lr : float
        Learning rate of both.
    betas : tuple of (float, float)
        Adam's β₁ and β₂ (unused by RMSprop).

    Returns
    -------
    dict of str to torch.optim.Optimizer
        "generator" and "critic".
    """
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
    """Keras' 1e-7 for the DA3D (Keras) variant, 1e-8 otherwise.

    Parameters
    ----------
    gan_loss : {"wgan-gp", "wgan-clip", "linear"}
        The GAN objective ("linear" is the DA3D variant).

    Returns
    -------
    float
        Adam's epsilon.
    """
    return 1e-7 if gan_loss == "linear" else 1e-8


class GANStep:
    """One f-AnoGAN GAN mini-batch update. WGAN(-GP): 1. a critic update every mini-batch,
    2. a generator update every `n_critic`-th; "linear" (DA3D variant): generator and critic
    from the same forward pass (`joint_phase`). The critic-update counter and the last
    generator loss (reported on batches without a generator update) are this object's state
    (`state_dict`), saved with checkpoints so a resumed fit continues them.

    Parameters
    ----------
    generator : torch.nn.Module
        G.
    critic : torch.nn.Module
        The critic D.
    optimisers : dict of str to torch.optim.Optimizer
        "generator" and "critic" (see `make_gan_optimisers`).
    gan_loss : {"wgan-gp", "wgan-clip", "linear"}
        The GAN objective.
    latent_dim : int
        Width of the codes z drawn from N(0, I).
    n_critic : int
        Critic updates per generator update (WGAN losses).
    gp_weight : float
        Weight of the gradient penalty ("wgan-gp").
    clip_value : float
        Weight-clipping bound ("wgan-clip").
    """

    def __init__(
        self,
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
        self.generator = generator
        self.critic = critic
        self.optimisers = optimisers
        self.gan_loss = gan_loss
        self.latent_dim = latent_dim
        self.n_critic = n_critic
        self.gp_weight = gp_weight
        self.clip_value = clip_value
        self.critic_updates = 0
        self.last_generator_loss: torch.Tensor | None = None

    def __call__(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        if self.gan_loss == "linear":
            return self.joint_phase(x)
        out = self.critic_phase(x)
        self.critic_updates += 1
        if self.critic_updates % self.n_critic == 0:
            out.update(self.generator_phase(x))
            self.last_generator_loss = out["generator"].detach()
        else:
            out["generator"] = self._current_generator_loss(x)
        return out

    def _latent(self, x: torch.Tensor) -> torch.Tensor:
        return sample_latent(len(x), self.latent_dim, "normal", device=x.device)

    def critic_phase(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Phase 1: one critic update on real vs detached generated samples.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The mini-batch of real samples.

        Returns
        -------
        dict of str to torch.Tensor
            The 0-d "critic" loss (and "gradient_penalty" for "wgan-gp").
        """
        # 1. Critic on real vs detached fakes (+ gradient penalty or weight clipping).
        self.generator.train()
        self.critic.train()
        with torch.no_grad():
            fake = self.generator(self._latent(x))
        d_loss = losses.wgan_critic_loss(self.critic(x), self.critic(fake.detach()))
        out = {"critic": d_loss}
        if self.gan_loss == "wgan-gp":
            gp = gradient_penalty(self.critic, x, fake.detach())
            out["gradient_penalty"] = gp
            d_loss = d_loss + self.gp_weight * gp
        self.optimisers["critic"].zero_grad(set_to_none=True)
        d_loss.backward()
        self.optimisers["critic"].step()
        if self.gan_loss == "wgan-clip":
            clip_weights_(self.critic, self.clip_value)
        return out

    def generator_phase(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Phase 2: one generator update against the frozen critic.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The mini-batch (only its size and device are used).

        Returns
        -------
        dict of str to torch.Tensor
            The 0-d "generator" loss.
        """
        # 2. Generator against the frozen critic.
        self.generator.train()
        self.critic.train()
        with frozen(self.critic):
            g_loss = losses.wgan_generator_loss(self.critic(self.generator(self._latent(x))))
        self.optimisers["generator"].zero_grad(set_to_none=True)
        g_loss.backward()
        self.optimisers["generator"].step()
        return {"generator": g_loss}

    def joint_phase(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """The "linear" variant's update: critic and generator from one forward pass.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The mini-batch of real samples.

        Returns
        -------
        dict of str to torch.Tensor
            The 0-d "critic" and "generator" losses.
        """
        # DA3D code: one forward pass, each network stepped on its own loss's gradient.
        self.generator.train()
        self.critic.train()
        fake = self.generator(self._latent(x))
        d_real, d_fake = self.critic(x), self.critic(fake)
        d_loss = losses.da3d_critic_loss(d_real, d_fake)
        g_loss = losses.da3d_generator_loss(d_fake)
        self.optimisers["critic"].zero_grad(set_to_none=True)
        self.optimisers["generator"].zero_grad(set_to_none=True)
        g_loss.backward(inputs=list(self.generator.parameters()), retain_graph=True)
        d_loss.backward(inputs=list(self.critic.parameters()))
        self.optimisers["critic"].step()
        self.optimisers["generator"].step()
        return {"critic": d_loss, "generator": g_loss}

    def _current_generator_loss(self, x: torch.Tensor) -> torch.Tensor:
        # Reported on steps without a generator update, so the per-epoch mean of
        # train_epochs (sum over *all* batches / number of batches) is not diluted.
        if self.last_generator_loss is None:
            with torch.no_grad():
                fake = self.generator(self._latent(x))
                self.last_generator_loss = losses.wgan_generator_loss(self.critic(fake))
        return self.last_generator_loss

    def state_dict(self) -> dict[str, object]:
        """The step's state for checkpoints.

        Returns
        -------
        dict of str to object
            "critic_updates" (int) and "last_generator_loss" (tensor or None).
        """
        return {
            "critic_updates": self.critic_updates,
            "last_generator_loss": self.last_generator_loss,
        }

    def load_state_dict(self, state: dict[str, object]) -> None:
        """Restore the state saved by `state_dict`.

        Parameters
        ----------
        state : dict of str to object
            "critic_updates" and "last_generator_loss".
        """
        self.critic_updates = int(cast(SupportsInt, state["critic_updates"]))  # saved as an int
        last = state["last_generator_loss"]
        self.last_generator_loss = last if isinstance(last, torch.Tensor) else None


class EncoderStep:
    """One f-AnoGAN encoder mini-batch update with G and the critic frozen in eval mode:
    1. the `mode` loss ("ziz", "izi" or "izi_f"), 2. the encoder update.

    Parameters
    ----------
    encoder : torch.nn.Module
        E, trained.
    generator : torch.nn.Module
        G, frozen.
    critic : torch.nn.Module
        The critic, frozen (its features f for "izi_f").
    optimiser : torch.optim.Optimizer
        The encoder's optimiser.
    mode : {"ziz", "izi", "izi_f"}
        The encoder loss.
    kappa : float
        κ, the weight of the feature term ("izi_f").
    latent_dim : int
        Width of the codes z ("ziz" draws them from N(0, I)).
    """

    def __init__(
        self,
        encoder: nn.Module,
        generator: nn.Module,
        critic: nn.Module,
        optimiser: torch.optim.Optimizer,
        *,
        mode: str,
        kappa: float,
        latent_dim: int,
    ):
        self.encoder = encoder
        self.generator = generator
        self.critic = critic
        self.optimiser = optimiser
        self.mode = mode
        self.kappa = kappa
        self.latent_dim = latent_dim

    def __call__(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        loss = self.loss_phase(x)
        self.encoder_phase(loss)
        return {self.mode: loss}

    def loss_phase(self, x: torch.Tensor) -> torch.Tensor:
        """Phase 1: the `mode` loss through the frozen G (and critic).

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The mini-batch.

        Returns
        -------
        torch.Tensor
            The 0-d encoder loss (with its graph to E).
        """
        # 1. The encoder loss through the frozen G (and critic for izi_f), both in eval mode.
        self.encoder.train()
        self.generator.eval()
        self.critic.eval()
        with frozen(self.generator, self.critic):
            if self.mode == "ziz":
                z = sample_latent(len(x), self.latent_dim, "normal", device=x.device)
                with torch.no_grad():
                    x_gen = self.generator(z)
                return losses.ziz_loss(z, self.encoder(x_gen.detach()))
            x_rec = self.generator(self.encoder(x))
            if self.mode == "izi":
                return losses.izi_loss(x, x_rec)
            with torch.no_grad():
                _, (f_x,) = self.critic(x, return_hidden=True)
            _, (f_rec,) = self.critic(x_rec, return_hidden=True)
            return losses.izi_f_loss(x, x_rec, f_x.detach(), f_rec, self.kappa)

    def encoder_phase(self, loss: torch.Tensor) -> None:
        """Phase 2: one encoder update.

        Parameters
        ----------
        loss : torch.Tensor
            The 0-d loss from `loss_phase`.
        """
        # 2. Encoder update (G and the critic get no gradient: frozen).
        self.optimiser.zero_grad(set_to_none=True)
        loss.backward()
        self.optimiser.step()
