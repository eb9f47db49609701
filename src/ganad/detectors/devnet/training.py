"""DevNet's update step (Pang et al. 2019; METHODS §5.9): a balanced batch, the deviation loss,
then RMSprop with Keras' per-tensor gradient clipping."""

from __future__ import annotations

import torch

from ...nn import MLP
from . import losses

__all__ = ["DeviationStep"]


class DeviationStep:
    """One DevNet mini-batch update, as the DevNet code's `batch_generator` + `train_on_batch`:
    1. a balanced batch, half normal rows and half anomalies, drawn with replacement,
    2. the deviation loss against fresh N(0, 1) reference scores plus the L2 penalty,
    3. Keras' per-tensor gradient-norm clipping and one optimiser step.

    The step draws its own rows (`context.run(step, None, steps_per_epoch=...)`), from the
    global torch generator only: a checkpoint saves and restores that generator with the
    optimiser, so the step has no state of its own and a resumed fit draws the same batches.

    Parameters
    ----------
    scorer : MLP
        The scoring network phi.
    optimiser : torch.optim.Optimizer
        Its optimiser (RMSprop in the DevNet code).
    normal : torch.Tensor of shape (n_normal, d)
        The unlabelled/normal rows.
    anomalies : torch.Tensor of shape (n_anomalies, d)
        The anomaly pool: known anomalies and synthetic ones.
    batch_size : int >= 2
        Rows per mini-batch: ``batch_size // 2`` anomalies, the rest normal rows.
    n_reference : int
        Reference scores r ~ N(0, 1) drawn per update.
    margin : float
        Deviation the anomalies are pushed beyond (a).
    l2 : float
        L2 weight on the hidden layers' kernels.
    clip_norm : float or None
        Largest norm of each gradient tensor; None: no clipping.
    """

    def __init__(
        self,
        scorer: MLP,
        optimiser: torch.optim.Optimizer,
        normal: torch.Tensor,
        anomalies: torch.Tensor,
        *,
        batch_size: int,
        n_reference: int,
        margin: float,
        l2: float,
        clip_norm: float | None,
    ):
        self.scorer = scorer
        self.optimiser = optimiser
        self.normal = normal
        self.anomalies = anomalies
        self.n_reference = n_reference
        self.margin = margin
        self.l2 = l2
        self.clip_norm = clip_norm
        self.n_anomalous = batch_size // 2
        self.n_normal = batch_size - self.n_anomalous
        self.labels = torch.cat([torch.zeros(self.n_normal), torch.ones(self.n_anomalous)]).to(
            normal.device
        )

    def __call__(self) -> dict[str, torch.Tensor]:
        x = self.batch_phase()
        loss, dev_loss = self.loss_phase(x)
        self.update_phase(loss)
        return {"loss": loss, "deviation": dev_loss}

    def batch_phase(self) -> torch.Tensor:
        """Phase 1: a balanced mini-batch drawn with replacement (global torch generator).

        Returns
        -------
        torch.Tensor of shape (batch_size, d)
            ``n_normal`` normal rows, then ``n_anomalous`` anomalies (the order of `labels`).
        """
        # 1. Balanced batch: half normal rows, half anomalies, drawn with replacement.
        device = self.normal.device
        idx_n = torch.randint(len(self.normal), (self.n_normal,), device=device)
        idx_a = torch.randint(len(self.anomalies), (self.n_anomalous,), device=device)
        return torch.cat([self.normal[idx_n], self.anomalies[idx_a]])

    def loss_phase(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Phase 2: the deviation loss against fresh reference scores, plus the L2 penalty.

        Parameters
        ----------
        x : torch.Tensor of shape (batch_size, d)
            The balanced mini-batch of `batch_phase`.

        Returns
        -------
        tuple of (torch.Tensor, torch.Tensor)
            The 0-d total loss (with its graph) and the 0-d deviation loss alone.
        """
        # 2. Deviation loss against fresh N(0, 1) reference scores, plus the L2 penalty.
        self.scorer.train()
        reference = torch.randn(self.n_reference, device=x.device)
        dev_loss = losses.deviation_loss(self.scorer(x), self.labels, reference, self.margin)
        return dev_loss + losses.l2_penalty(self.scorer, self.l2), dev_loss

    def update_phase(self, loss: torch.Tensor) -> None:
        """Phase 3: gradients, Keras' per-tensor clipping, one optimiser step.

        Parameters
        ----------
        loss : torch.Tensor
            The 0-d total loss from `loss_phase`.
        """
        self.optimiser.zero_grad(set_to_none=True)
        loss.backward()
        # 3. Keras clipnorm clips each gradient tensor on its own, not the global norm.
        if self.clip_norm is not None:
            for p in self.scorer.parameters():
                torch.nn.utils.clip_grad_norm_([p], self.clip_norm)
        self.optimiser.step()
