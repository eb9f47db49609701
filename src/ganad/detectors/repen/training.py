"""REPEN's update step (Pang et al. 2018; METHODS §5.9): triplets drawn as the REPEN code does,
then the triplet ranking loss in the learned representation."""

from __future__ import annotations

import torch
from torch import nn

from . import losses

__all__ = ["TripletStep"]


class TripletStep:
    """One REPEN mini-batch update: 1. `batch_size` triplets of row indices (anchor inliers
    weighted by `anchor_weights`, uniform positive inliers, outlier candidates weighted by
    `negative_weights`), 2. the triplet ranking loss in the representation and one optimiser
    step.

    The step draws its own triplets (`context.run(step, None, steps_per_epoch=...)`), from the
    global torch generator only: a checkpoint saves and restores that generator with the
    optimiser, so the step has no state of its own and a resumed fit draws the same triplets.

    Parameters
    ----------
    net : torch.nn.Module
        The representation network.
    optimiser : torch.optim.Optimizer
        Its optimiser (Adadelta in the REPEN code).
    data : torch.Tensor of shape (n, d)
        The training rows.
    inliers : torch.Tensor of shape (n_inliers,)
        Row indices of the inliers.
    outliers : torch.Tensor of shape (n_outliers,)
        Row indices of the outlier candidates.
    anchor_weights : torch.Tensor of shape (n_inliers,)
        Sampling weights of the anchor inliers.
    negative_weights : torch.Tensor of shape (n_outliers,)
        Sampling weights of the outlier candidates.
    batch_size : int
        Triplets per mini-batch.
    margin : float
        Margin of the triplet ranking loss (squared distances).
    """

    def __init__(
        self,
        net: nn.Module,
        optimiser: torch.optim.Optimizer,
        data: torch.Tensor,
        inliers: torch.Tensor,
        outliers: torch.Tensor,
        anchor_weights: torch.Tensor,
        negative_weights: torch.Tensor,
        *,
        batch_size: int,
        margin: float,
    ):
        self.net = net
        self.optimiser = optimiser
        self.data = data
        self.inliers = inliers
        self.outliers = outliers
        self.anchor_weights = anchor_weights
        self.negative_weights = negative_weights
        self.batch_size = batch_size
        self.margin = margin

    def __call__(self) -> dict[str, torch.Tensor]:
        anchor, positive, negative = self.triplet_phase()
        return {"triplet": self.update_phase(anchor, positive, negative)}

    def triplet_phase(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Phase 1: the row indices of `batch_size` triplets (global torch generator).

        Returns
        -------
        tuple of (torch.Tensor, torch.Tensor, torch.Tensor)
            Anchor, positive and negative row indices into `data`, each of shape (batch_size,).
        """
        # 1. Triplets: weighted anchor inliers, uniform positive inliers, weighted candidates.
        n = self.batch_size
        anchor = self.inliers[torch.multinomial(self.anchor_weights, n, replacement=True)]
        positive = self.inliers[torch.randint(len(self.inliers), (n,), device=self.data.device)]
        negative = self.outliers[torch.multinomial(self.negative_weights, n, replacement=True)]
        return anchor, positive, negative

    def update_phase(
        self, anchor: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor
    ) -> torch.Tensor:
        """Phase 2: the triplet ranking loss in the shared representation, one optimiser step.

        Parameters
        ----------
        anchor : torch.Tensor of shape (batch_size,)
            Row indices of the anchor inliers.
        positive : torch.Tensor of shape (batch_size,)
            Row indices of the positive inliers.
        negative : torch.Tensor of shape (batch_size,)
            Row indices of the outlier candidates.

        Returns
        -------
        torch.Tensor
            The 0-d triplet loss.
        """
        # 2. Triplet ranking loss in the shared representation, one update.
        self.net.train()
        loss = losses.triplet_loss(
            self.net(self.data[anchor]),
            self.net(self.data[positive]),
            self.net(self.data[negative]),
            self.margin,
        )
        self.optimiser.zero_grad(set_to_none=True)
        loss.backward()
        self.optimiser.step()
        return loss
