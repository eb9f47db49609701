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
    "NetworkOptimiser",
    "make_adversarial_step",
    "make_discriminator_step",
    "make_generator_step",
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
    """An optimiser and its Keras-style decay schedule, stepped together once per update."""

    optimizer: torch.optim.Optimizer
    scheduler: LambdaLR

    def state_dict(self) -> dict[str, Any]:
        """Optimiser and schedule state together, for checkpoints (`ganad.checkpoint`)."""
        return {"optimizer": self.optimizer.state_dict(), "scheduler": self.scheduler.state_dict()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])

    def update(self, loss: torch.Tensor) -> None:
        """zero_grad -> backward -> step -> schedule step: one Keras `train_on_batch` update."""
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
    lr_t = lr / (1 + decay * t), t = number of updates already made by this optimiser."""
    params = list(params)
    if kind == "adam":
        opt: torch.optim.Optimizer = adam(params, lr, betas=tuple(betas), eps=KERAS_EPSILON)
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


def make_discriminator_step(
    generator: nn.Module,
    discriminator: nn.Module,
    optimiser: NetworkOptimiser,
    *,
    gamma: float,
    sample_latent: LatentSampler,
    mode: str = "two_step",
) -> Callable[[torch.Tensor], Losses]:
    """The D update for one real mini-batch x (already in the [-1, 1] training space); as many
    fakes as reals, like the code's equal-sized batches. Changes only D."""
    if mode not in D_UPDATES:
        raise ValueError(f"d_update must be one of {D_UPDATES}, got {mode!r}.")

    def step(x: torch.Tensor) -> Losses:
        # 1. Fakes from G in inference mode (code: G.predict, which matters for G's BN),
        #    detached: nothing of this update may reach G.
        generator.eval()
        with torch.no_grad():
            fake = generator(sample_latent(len(x)))
        fake = fake.detach()

        # 2. Discriminator in train mode.
        discriminator.train()
        if mode == "two_step":
            # 2a. Real step (label 1, weight 1), its own optimiser update.
            real_loss = losses.discriminator_real_loss(discriminator(x))
            optimiser.update(real_loss)
            # 2b. Fake step (label 0, weight gamma), its own optimiser update.
            fake_loss = losses.discriminator_fake_loss(discriminator(fake), gamma)
            optimiser.update(fake_loss)
        else:
            # 2. Joint weighted loss (Eq. 6), one update.
            real_loss = losses.discriminator_real_loss(discriminator(x))
            fake_loss = losses.discriminator_fake_loss(discriminator(fake), gamma)
            optimiser.update(real_loss + fake_loss)
        real_loss, fake_loss = real_loss.detach(), fake_loss.detach()
        return {"d_loss": real_loss + fake_loss, "d_real": real_loss, "d_fake": fake_loss}

    return step


def make_generator_step(
    generator: nn.Module,
    discriminator: nn.Module,
    optimiser: NetworkOptimiser,
    *,
    alpha: float,
    beta: float,
    sample_latent: LatentSampler,
    batch_size: int,
    encirclement: str = "bce",
) -> Callable[[], Losses]:
    """The G update on a fresh latent batch: L_G = EL + beta * DL. Changes only G."""
    if encirclement not in losses.ENCIRCLEMENT_VARIANTS:
        raise ValueError(
            f"encirclement must be one of {losses.ENCIRCLEMENT_VARIANTS}, got {encirclement!r}."
        )

    def step() -> Losses:
        # 1. G in train mode. D in train mode too, as in the code's combined GAN model (Keras
        #    training phase: dropout on, BN on batch statistics), but frozen and with its BN
        #    running statistics held, so this update changes G only.
        generator.train()
        discriminator.train()
        with frozen(discriminator), running_stats_held(discriminator):
            fake = generator(sample_latent(batch_size))
            fake_logits = discriminator(fake)
        # 2. Encirclement + beta * dispersion, one G update.
        total, el, dl = losses.generator_loss(
            fake_logits, fake, alpha=alpha, beta=beta, variant=encirclement
        )
        optimiser.update(total)
        return {"g_loss": total.detach(), "encirclement": el.detach(), "dispersion": dl.detach()}

    return step


def make_adversarial_step(
    d_step: Callable[[torch.Tensor], Mapping[str, torch.Tensor]],
    g_step: Callable[[], Mapping[str, torch.Tensor]],
    order: str = "d_first",
) -> Callable[[torch.Tensor], Losses]:
    """One adversarial iteration: D then G (code, F-3) or G then D (paper Algorithm 1)."""
    if order not in UPDATE_ORDERS:
        raise ValueError(f"update_order must be one of {UPDATE_ORDERS}, got {order!r}.")

    def step(x: torch.Tensor) -> Losses:
        if order == "d_first":
            d_losses = d_step(x)
            g_losses = g_step()
        else:
            g_losses = g_step()
            d_losses = d_step(x)
        return {**d_losses, **g_losses}

    return step
