"""K-DSM's update step: denoising score matching with per-feature noise scales."""

from __future__ import annotations

import torch
from torch import nn

from . import losses

__all__ = ["KDSMStep"]


class KDSMStep:
    """One K-DSM mini-batch update: 1. the batch repeated `copies` times and each copy noised
    with the per-feature scales `sigma`, 2. the score network's denoising score-matching update
    (f(x + sigma eps) should be -eps). A batch of one row in all (BatchNorm needs two) is
    skipped, before any noise is drawn."""

    def __init__(
        self,
        net: nn.Module,
        sigma: torch.Tensor,
        optimiser: torch.optim.Optimizer,
        *,
        copies: int,
    ):
        self.net = net
        self.sigma = sigma
        self.optimiser = optimiser
        self.copies = copies

    def __call__(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        x = x.repeat(self.copies, 1)
        if len(x) < 2:  # BatchNorm needs two rows; a lone remainder row is skipped
            return {}
        noisy, eps = self.noise_phase(x)
        return {"dsm": self.denoising_phase(noisy, eps)}

    def noise_phase(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # 1. Noise each (repeated) row with the per-feature scales.
        eps = torch.randn_like(x)
        return x + self.sigma * eps, eps

    def denoising_phase(self, noisy: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        # 2. Denoising score matching: f(x + sigma eps) should be -eps.
        self.net.train()
        loss = losses.dsm_loss(self.net(noisy), eps)
        self.optimiser.zero_grad(set_to_none=True)
        loss.backward()
        self.optimiser.step()
        return loss
