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
    skipped, before any noise is drawn.

    Parameters
    ----------
    net : torch.nn.Module
        The score network f.
    sigma : torch.Tensor of shape (d,)
        Per-feature noise scales.
    optimiser : torch.optim.Optimizer
        The network's optimiser.
    copies : int
        Noised copies of each row per update.
    """

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
        """Phase 1: noise each (repeated) row with the per-feature scales.

        Parameters
        ----------
        x : torch.Tensor of shape (n, d)
            The repeated mini-batch.

        Returns
        -------
        tuple of (torch.Tensor, torch.Tensor)
            The noised rows x + sigma·eps and the noise eps.
        """
        # 1. Noise each (repeated) row with the per-feature scales.
        eps = torch.randn_like(x)
        return x + self.sigma * eps, eps

    def denoising_phase(self, noisy: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        """Phase 2: one denoising score-matching update of the network.

        Parameters
        ----------
        noisy : torch.Tensor of shape (n, d)
            The noised rows.
        eps : torch.Tensor of shape (n, d)
            Their noise.

        Returns
        -------
        torch.Tensor
            The 0-d DSM loss.
        """
        # 2. Denoising score matching: f(x + sigma eps) should be -eps.
        self.net.train()
        loss = losses.dsm_loss(self.net(noisy), eps)
        self.optimiser.zero_grad(set_to_none=True)
        loss.backward()
        self.optimiser.step()
        return loss
