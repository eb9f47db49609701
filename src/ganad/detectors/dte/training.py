"""DTE's update step: classify the (binned) diffusion step of noised training rows."""

from __future__ import annotations

import torch
from torch import nn

from . import losses

__all__ = ["DTEStep"]


class DTEStep:
    """One DTE mini-batch update: 1. each row noised to a random diffusion step
    t ~ U{0..n_steps-1} (x_t = x_0 + sigma_t eps), 2. the classifier's update on the bin of t
    (`n_steps` steps in `n_bins` equal bins). `sigmas[t]` is sigma_t.

    Parameters
    ----------
    classifier : torch.nn.Module
        Noised row -> logits over the bins.
    optimiser : torch.optim.Optimizer
        Its optimiser.
    sigmas : torch.Tensor of shape (n_steps,)
        Noise standard deviation of each step.
    n_steps : int
        Diffusion steps T.
    n_bins : int
        Bins of the steps.
    """

    def __init__(
        self,
        classifier: nn.Module,
        optimiser: torch.optim.Optimizer,
        *,
        sigmas: torch.Tensor,
        n_steps: int,
        n_bins: int,
    ):
        self.classifier = classifier
        self.optimiser = optimiser
        self.sigmas = sigmas
        self.n_steps = n_steps
        self.n_bins = n_bins

    def __call__(self, x0: torch.Tensor) -> dict[str, torch.Tensor]:
        t, x_t = self.noise_phase(x0)
        return {"time_classification": self.classifier_phase(t, x_t)}

    def noise_phase(self, x0: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Phase 1: noise each row to a random diffusion step.

        Parameters
        ----------
        x0 : torch.Tensor of shape (n, ...)
            The clean mini-batch (flattened here).

        Returns
        -------
        tuple of (torch.Tensor, torch.Tensor)
            The steps t (n,) and the noised rows x_t (n, d).
        """
        # 1. Noise each row to a random diffusion step.
        x0 = x0.flatten(1)
        t = torch.randint(0, self.n_steps, (len(x0),), device=x0.device)
        x_t = losses.noised(x0, self.sigmas[t], torch.randn_like(x0))
        return t, x_t

    def classifier_phase(self, t: torch.Tensor, x_t: torch.Tensor) -> torch.Tensor:
        """Phase 2: one classifier update on the bins of the steps.

        Parameters
        ----------
        t : torch.Tensor of shape (n,)
            The diffusion steps.
        x_t : torch.Tensor of shape (n, d)
            The noised rows.

        Returns
        -------
        torch.Tensor
            The 0-d classification loss.
        """
        # 2. Classify the step's bin and update the classifier.
        self.classifier.train()
        target = losses.bin_of_step(t, self.n_steps, self.n_bins)
        loss = losses.step_classification_loss(self.classifier(x_t), target)
        self.optimiser.zero_grad(set_to_none=True)
        loss.backward()
        self.optimiser.step()
        return loss
