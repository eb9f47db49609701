"""DAGMM's update step (METHODS §5.9): compression and estimation networks trained end to end."""

from __future__ import annotations

import torch
from torch import nn

from . import losses

__all__ = ["DAGMMStep"]


class DAGMMStep:
    """One DAGMM mini-batch update of both networks with one optimiser: 1. the forward pass
    (compression -> z -> memberships), 2. the mini-batch mixture and the objective, 3. one Adam
    step. A trailing 1-row batch has no covariance and is skipped (no loss reported).

    Parameters
    ----------
    compression : torch.nn.Module
        The compression network, x -> (code, reconstruction).
    estimation : torch.nn.Module
        The estimation network, z -> membership logits.
    optimiser : torch.optim.Optimizer
        One optimiser over both networks.
    jitter : float
        Jitter of the mini-batch covariances' Cholesky factors.
    lambda_energy : float
        Weight of the mean energy.
    lambda_cov : float
        Weight of the covariance penalty.
    """

    def __init__(
        self,
        compression: nn.Module,
        estimation: nn.Module,
        optimiser: torch.optim.Optimizer,
        *,
        jitter: float,
        lambda_energy: float,
        lambda_cov: float,
    ):
        self.compression = compression
        self.estimation = estimation
        self.optimiser = optimiser
        self.jitter = jitter
        self.lambda_energy = lambda_energy
        self.lambda_cov = lambda_cov

    def __call__(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        if len(x) < 2:
            # A trailing 1-row batch has no covariance (1/0 penalty): skip it. The logged epoch
            # mean then averages over one extra batch, a small bias in the log only.
            return {}
        flat, recon, z, gamma = self.forward_phase(x)
        out = self.objective_phase(flat, recon, z, gamma)
        self.update_phase(out["loss"])
        return out

    def forward_phase(
        self, x: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Phase 1: compression -> z -> memberships, both networks in train mode.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The mini-batch.

        Returns
        -------
        tuple of torch.Tensor
            The flattened batch, its reconstruction, z and the memberships gamma.
        """
        # 1. Forward: compression -> z -> memberships (dropout active in the estimation net).
        self.compression.train()
        self.estimation.train()
        flat = x.flatten(1)
        code, recon = self.compression(flat)
        z = torch.cat([code, losses.reconstruction_features(flat, recon)], dim=1)
        gamma = torch.softmax(self.estimation(z), dim=1)
        return flat, recon, z, gamma

    def objective_phase(
        self, flat: torch.Tensor, recon: torch.Tensor, z: torch.Tensor, gamma: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        """Phase 2: the mini-batch mixture, the energies and the objective.

        Parameters
        ----------
        flat : torch.Tensor of shape (n, d)
            The flattened batch.
        recon : torch.Tensor of shape (n, d)
            Its reconstruction.
        z : torch.Tensor of shape (n, z_dim)
            The latent rows.
        gamma : torch.Tensor of shape (n, K)
            Their memberships.

        Returns
        -------
        dict of str to torch.Tensor
            0-d "loss" (the objective), "reconstruction", "energy" and "cov_penalty".
        """
        # 2. Mini-batch mixture estimate and energies (gradients flow through phi, mu, Sigma).
        phi, mu, cov = losses.gmm_parameters(z, gamma)
        energy = losses.sample_energy(z, phi, mu, losses.cholesky_with_jitter(cov, self.jitter))
        rec = losses.reconstruction_loss(flat, recon)
        penalty = losses.covariance_penalty(cov)
        loss = losses.dagmm_objective(rec, energy, penalty, self.lambda_energy, self.lambda_cov)
        return {
            "loss": loss,
            "reconstruction": rec,
            "energy": energy.mean(),
            "cov_penalty": penalty,
        }

    def update_phase(self, loss: torch.Tensor) -> None:
        """Phase 3: one optimiser step on both networks.

        Parameters
        ----------
        loss : torch.Tensor
            The 0-d objective to minimise.
        """
        # 3. One Adam step on both networks.
        self.optimiser.zero_grad(set_to_none=True)
        loss.backward()
        self.optimiser.step()
