"""Fence GAN optimisers and update steps (METHODS §4.1–§4.3), shared by the detector and the
2D experiment script.

One optimiser per network. The discriminator step comes in two flavours:
  * "two_step" (code, F-2): a real step (label 1, weight 1) then a fake step (label 0, weight
    gamma), each followed by its own optimiser update, so D's optimiser (and its Keras-style
    `decay` schedule) advances twice per iteration and both half-steps share Adam's moments;
  * "joint" (paper Eq. 6): one update on -log D(x) - gamma log(1 - D(G(z))).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.optim.lr_scheduler import LambdaLR

from ...nn import frozen
from ...nn.utils import adam, keras_time_decay
from . import losses

__all__ = [
    "D_UPDATES",
    "OPTIMISERS",
    "UPDATE_ORDERS",
    "AdversarialStep",
    "DiscriminatorStep",
    "GeneratorStep",
    "NetworkOptimiser",
    "make_optimiser",
    "running_stats_held",
]

OPTIMISERS = ("adam", "sgd")
D_UPDATES = ("two_step", "joint")
UPDATE_ORDERS = ("d_first", "g_first")

#: Keras' Adam epsilon (torch's default is 1e-8).
KERAS_EPSILON = 1e-7

LatentSampler = Callable[[int], torch.Tensor]
Losses = dict[str, torch.Tensor]


@dataclass
class NetworkOptimiser:
    """An optimiser and its Keras-style decay schedule, stepped together once per update.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        The optimiser.
    scheduler : torch.optim.lr_scheduler.LambdaLR
        Its learning-rate schedule (see `ganad.nn.utils.keras_time_decay`).
    """

    optimizer: torch.optim.Optimizer
    scheduler: LambdaLR

    def state_dict(self) -> dict[str, Any]:
        """Optimiser and schedule state together, for checkpoints (`ganad.checkpoint`)."""
        return {"optimizer": self.optimizer.state_dict(), "scheduler": self.scheduler.state_dict()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore the state saved by `state_dict`.

        Parameters
        ----------
        state : mapping of str to Any
            "optimizer" and "scheduler" states.
        """
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])

    def update(self, loss: torch.Tensor) -> None:
        """zero_grad -> backward -> step -> schedule step: one Keras `train_on_batch` update.

        Parameters
        ----------
        loss : torch.Tensor
            The 0-d loss to minimise.
        """
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        self.scheduler.step()


def make_optimiser(
    params: Sequence[nn.Parameter] | Iterator[nn.Parameter],
    kind: str,
    lr: float,
    *,
    betas: tuple[float, float] = (0.9, 0.999),
    decay: float = 0.0,
) -> NetworkOptimiser:
    """Adam (Keras epsilon 1e-7, given betas) or plain SGD, with Keras' `decay`:
    lr_t = lr / (1 + decay * t), t = number of updates already made by this optimiser.

    Parameters
    ----------
    params : sequence or iterator of torch.nn.Parameter
        The parameters optimised.
    kind : {"adam", "sgd"}
        The optimiser.
    lr : float
        Initial learning rate.
    betas : tuple of (float, float), default=(0.9, 0.999)
        Adam's betas (unused by SGD).
    decay : float, default=0.0
        Keras' `decay`; 0 keeps the learning rate constant.

    Returns
    -------
    NetworkOptimiser
        The optimiser with its schedule.
    """
    params = list(params)
    if kind == "adam":
        opt: torch.optim.Optimizer = adam(params, lr, betas=(*betas,), eps=KERAS_EPSILON)
    elif kind == "sgd":
        opt = torch.optim.SGD(params, lr=lr)
    else:
        raise ValueError(f"optimiser must be one of {OPTIMISERS}, got {kind!r}.")
    return NetworkOptimiser(opt, keras_time_decay(opt, float(decay)))


@contextlib.contextmanager
def running_stats_held(module: nn.Module) -> Iterator[None]:
    """Let train-mode BatchNorm layers of `module` normalise with batch statistics while their
    running statistics stay unchanged (restored on exit).

    Why: in the code's G step the discriminator is a non-trainable Keras sub-model run in the
    training phase; it normalises with batch statistics but collects no moving-average updates.

    Parameters
    ----------
    module : torch.nn.Module
        The network whose batch-norm running statistics are held.

    Yields
    ------
    None
    """
    norms = [m for m in module.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    saved = [{k: v.detach().clone() for k, v in m.named_buffers(recurse=False)} for m in norms]
    try:
        yield
    finally:
        # Re-bind the saved copies instead of copying into the updated tensors: autograd keeps
        # the updated ones for BN's backward, which may still run after this block.
        for m, buffers in zip(norms, saved, strict=True):
            for name, value in buffers.items():
                setattr(m, name, value)


class DiscriminatorStep:
    """The D update for one real mini-batch x (already in the [-1, 1] training space): 1. as
    many fakes as reals from G in inference mode, like the code's equal-sized batches; 2. the
    discriminator update, "two_step" or "joint". Changes only D.

    Parameters
    ----------
    generator : torch.nn.Module
        G (run in eval mode, without gradients).
    discriminator : torch.nn.Module
        D, returning logits.
    optimiser : NetworkOptimiser
        D's optimiser.
    gamma : float
        Weight of the generated samples' loss.
    sample_latent : callable
        n -> n latent codes.
    mode : {"two_step", "joint"}, default="two_step"
        The discriminator update (see the module docstring).
    """

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module,
        optimiser: NetworkOptimiser,
        *,
        gamma: float,
        sample_latent: LatentSampler,
        mode: str = "two_step",
    ):
        if mode not in D_UPDATES:
            raise ValueError(f"d_update must be one of {D_UPDATES}, got {mode!r}.")
        self.generator = generator
        self.discriminator = discriminator
        self.optimiser = optimiser
        self.gamma = gamma
        self.sample_latent = sample_latent
        self.mode = mode

    def __call__(self, x: torch.Tensor) -> Losses:
        fake = self.fake_phase(x)
        real_loss, fake_loss = self.discriminator_phase(x, fake)
        real_loss, fake_loss = real_loss.detach(), fake_loss.detach()
        return {"d_loss": real_loss + fake_loss, "d_real": real_loss, "d_fake": fake_loss}

    def fake_phase(self, x: torch.Tensor) -> torch.Tensor:
        """Phase 1: as many generated samples as real ones, G in eval mode, detached.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The real mini-batch (only its size is used).

        Returns
        -------
        torch.Tensor
            The n generated samples.
        """
        # 1. Fakes from G in inference mode (code: G.predict, which matters for G's BN),
        #    detached: nothing of this update may reach G.
        self.generator.eval()
        with torch.no_grad():
            fake = self.generator(self.sample_latent(len(x)))
        return fake.detach()

    def discriminator_phase(
        self, x: torch.Tensor, fake: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Phase 2: the discriminator update(s), "two_step" or "joint".

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The real mini-batch, in the training space.
        fake : torch.Tensor of shape (n, ...)
            Generated samples.

        Returns
        -------
        tuple of (torch.Tensor, torch.Tensor)
            The 0-d real and (gamma-weighted) fake losses.
        """
        # 2. Discriminator in train mode.
        self.discriminator.train()
        if self.mode == "two_step":
            # 2a. Real step (label 1, weight 1), its own optimiser update.
            real_loss = losses.discriminator_real_loss(self.discriminator(x))
            self.optimiser.update(real_loss)
            # 2b. Fake step (label 0, weight gamma), its own optimiser update.
            fake_loss = losses.discriminator_fake_loss(self.discriminator(fake), self.gamma)
            self.optimiser.update(fake_loss)
        else:
            # 2. Joint weighted loss (Eq. 6), one update.
            real_loss = losses.discriminator_real_loss(self.discriminator(x))
            fake_loss = losses.discriminator_fake_loss(self.discriminator(fake), self.gamma)
            self.optimiser.update(real_loss + fake_loss)
        return real_loss, fake_loss


class GeneratorStep:
    """The G update on a fresh latent batch of `batch_size` (it takes no data batch):
    1. fakes through the frozen D, 2. L_G = EL + beta * DL, one G update. Changes only G.

    Parameters
    ----------
    generator : torch.nn.Module
        G.
    discriminator : torch.nn.Module
        D, frozen (batch-norm running statistics held).
    optimiser : NetworkOptimiser
        G's optimiser.
    alpha : float
        Target level of the encirclement loss.
    beta : float
        Weight of the dispersion loss.
    sample_latent : callable
        n -> n latent codes.
    batch_size : int
        Latent codes per update (>= 2 for the dispersion loss).
    encirclement : {"bce", "paper"}, default="bce"
        Form of the encirclement loss.
    """

    def __init__(
        self,
        generator: nn.Module,
        discriminator: nn.Module,
        optimiser: NetworkOptimiser,
        *,
        alpha: float,
        beta: float,
        sample_latent: LatentSampler,
        batch_size: int,
        encirclement: str = "bce",
    ):
        if encirclement not in losses.ENCIRCLEMENT_VARIANTS:
            raise ValueError(
                f"encirclement must be one of {losses.ENCIRCLEMENT_VARIANTS}, got {encirclement!r}."
            )
        self.generator = generator
        self.discriminator = discriminator
        self.optimiser = optimiser
        self.alpha = alpha
        self.beta = beta
        self.sample_latent = sample_latent
        self.batch_size = batch_size
        self.encirclement = encirclement

    def __call__(self) -> Losses:
        fake, fake_logits = self.forward_phase()
        return self.generator_phase(fake, fake_logits)

    def forward_phase(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Phase 1: a fresh latent batch through G and the frozen D.

        Returns
        -------
        tuple of (torch.Tensor, torch.Tensor)
            The generated samples and D's logits of them.
        """
        # 1. G in train mode. D in train mode too, as in the code's combined GAN model (Keras
        #    training phase: dropout on, BN on batch statistics), but frozen and with its BN
        #    running statistics held, so this update changes G only.
        self.generator.train()
        self.discriminator.train()
        with frozen(self.discriminator), running_stats_held(self.discriminator):
            fake = self.generator(self.sample_latent(self.batch_size))
            fake_logits = self.discriminator(fake)
        return fake, fake_logits

    def generator_phase(self, fake: torch.Tensor, fake_logits: torch.Tensor) -> Losses:
        """Phase 2: the generator loss and one G update.

        Parameters
        ----------
        fake : torch.Tensor of shape (batch_size, ...)
            Generated samples from `forward_phase`.
        fake_logits : torch.Tensor of shape (batch_size,)
            D's logits of them.

        Returns
        -------
        dict of str to torch.Tensor
            Detached 0-d "g_loss", "encirclement" and "dispersion".
        """
        # 2. Encirclement + beta * dispersion, one G update.
        total, el, dl = losses.generator_loss(
            fake_logits, fake, alpha=self.alpha, beta=self.beta, variant=self.encirclement
        )
        self.optimiser.update(total)
        return {"g_loss": total.detach(), "encirclement": el.detach(), "dispersion": dl.detach()}


class AdversarialStep:
    """One adversarial iteration: D then G (code, F-3) or G then D (paper Algorithm 1).

    Parameters
    ----------
    d_step : callable
        The discriminator step, real mini-batch -> losses (e.g. `DiscriminatorStep`).
    g_step : callable
        The generator step, () -> losses (e.g. `GeneratorStep`).
    order : {"d_first", "g_first"}, default="d_first"
        Which update runs first.
    """

    def __init__(
        self,
        d_step: Callable[[torch.Tensor], Mapping[str, torch.Tensor]],
        g_step: Callable[[], Mapping[str, torch.Tensor]],
        order: str = "d_first",
    ):
        if order not in UPDATE_ORDERS:
            raise ValueError(f"update_order must be one of {UPDATE_ORDERS}, got {order!r}.")
        self.d_step = d_step
        self.g_step = g_step
        self.order = order

    def __call__(self, x: torch.Tensor) -> Losses:
        if self.order == "d_first":
            # 1. D, 2. G.
            d_losses = self.d_step(x)
            g_losses = self.g_step()
        else:
            # 1. G, 2. D.
            g_losses = self.g_step()
            d_losses = self.d_step(x)
        return {**d_losses, **g_losses}
