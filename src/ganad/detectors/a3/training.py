"""A3's update steps (METHODS §3.1): the target autoencoder, then the alarm on its activations."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from . import losses
from .networks import Target

__all__ = ["AlarmStep", "TargetStep"]


class TargetStep:
    """One target-autoencoder mini-batch update on normal rows: 1. the reconstruction update.

    Parameters
    ----------
    target : torch.nn.Module
        The target autoencoder (reconstruction logits).
    optimiser : torch.optim.Optimizer
        Its optimiser.
    """

    def __init__(self, target: nn.Module, optimiser: torch.optim.Optimizer):
        self.target = target
        self.optimiser = optimiser

    def __call__(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"reconstruction": self.reconstruction_phase(x)}

    def reconstruction_phase(self, x: torch.Tensor) -> torch.Tensor:
        """Phase 1: one reconstruction update of the target.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            A mini-batch of normal rows, scaled to [0, 1].

        Returns
        -------
        torch.Tensor
            The 0-d reconstruction loss.
        """
        # 1. Target autoencoder in train mode, mean binary cross-entropy, one update.
        self.target.train()
        loss = losses.reconstruction_loss(self.target(x), x)
        self.optimiser.zero_grad(set_to_none=True)
        loss.backward()
        self.optimiser.step()
        return loss


class AlarmStep:
    """One alarm mini-batch update on a batch (activations, labels) of the frozen target:
    1. as many noise anomalies N(trivial_mean, trivial_std²) of `input_shape` as rows, through
    the frozen target without gradients, 2. the alarm update on the labelled activations plus
    the noise anomalies' (weight `noise_weight`).

    Parameters
    ----------
    target : torch.nn.Module
        The frozen target autoencoder (its `activations(x)` are read).
    alarm : torch.nn.Module
        The alarm network, activations -> logit.
    optimiser : torch.optim.Optimizer
        The alarm's optimiser.
    input_shape : sequence of int
        Shape of one input sample (of the noise anomalies).
    trivial_mean : float
        Mean of the noise anomalies.
    trivial_std : float
        Standard deviation of the noise anomalies.
    noise_weight : float
        Weight of the noise term of the alarm loss.
    """

    def __init__(
        self,
        target: Target,
        alarm: nn.Module,
        optimiser: torch.optim.Optimizer,
        *,
        input_shape: Sequence[int],
        trivial_mean: float,
        trivial_std: float,
        noise_weight: float,
    ):
        self.target = target
        self.alarm = alarm
        self.optimiser = optimiser
        self.input_shape = tuple(input_shape)
        self.trivial_mean = trivial_mean
        self.trivial_std = trivial_std
        self.noise_weight = noise_weight

    def __call__(self, batch: tuple[torch.Tensor, torch.Tensor]) -> dict[str, torch.Tensor]:
        a, labels = batch
        a_noise = self.noise_activations(len(a), a.device)
        return {"alarm": self.alarm_phase(a, labels, a_noise)}

    def noise_activations(self, n: int, device: torch.device) -> torch.Tensor:
        """Phase 1: the frozen target's activations of `n` fresh noise anomalies.

        Parameters
        ----------
        n : int
            Number of noise anomalies.
        device : torch.device
            Where they are drawn.

        Returns
        -------
        torch.Tensor of shape (n, activation_dim)
            Their activations, without gradients.
        """
        # 1. Noise anomalies through the frozen target, without gradients.
        with torch.no_grad():
            noise = (
                torch.randn(n, *self.input_shape, device=device) * self.trivial_std
                + self.trivial_mean
            )
            return self.target.activations(noise).detach()

    def alarm_phase(
        self, a: torch.Tensor, labels: torch.Tensor, a_noise: torch.Tensor
    ) -> torch.Tensor:
        """Phase 2: one alarm update on the labelled and the noise activations.

        Parameters
        ----------
        a : torch.Tensor of shape (n, activation_dim)
            Activations of the mini-batch's training rows.
        labels : torch.Tensor of shape (n,)
            Their labels: 1 known anomaly, 0 normal.
        a_noise : torch.Tensor of shape (n, activation_dim)
            Activations of the noise anomalies.

        Returns
        -------
        torch.Tensor
            The 0-d alarm loss.
        """
        # 2. Alarm update: one fused forward pass over data and noise activations.
        self.alarm.train()
        n = len(a)
        logits, noise_logits = self.alarm(torch.cat([a, a_noise])).squeeze(1).split(n)
        loss = losses.alarm_loss(logits, labels, noise_logits, self.noise_weight)
        self.optimiser.zero_grad(set_to_none=True)
        loss.backward()
        self.optimiser.step()
        return loss
