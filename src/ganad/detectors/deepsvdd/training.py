"""Deep SVDD's update steps (METHODS §5.9): autoencoder pre-training, then the one-class stage."""

from __future__ import annotations

import torch
from torch import nn
from torch.optim.lr_scheduler import LRScheduler

from . import losses

__all__ = ["OneClassStep", "PretrainStep"]


class PretrainStep:
    """One autoencoder pre-training mini-batch update: 1. the reconstruction loss of encoder and
    decoder (sigmoid on the decoder output when `ae_output == "sigmoid"`), one Adam step on both.

    Parameters
    ----------
    encoder : torch.nn.Module
        The encoder phi.
    decoder : torch.nn.Module
        The pre-training decoder.
    optimiser : torch.optim.Optimizer
        One optimiser over both.
    ae_output : {"linear", "sigmoid"}
        Output of the decoder.
    """

    def __init__(
        self,
        encoder: nn.Module,
        decoder: nn.Module,
        optimiser: torch.optim.Optimizer,
        *,
        ae_output: str,
    ):
        self.encoder = encoder
        self.decoder = decoder
        self.optimiser = optimiser
        self.ae_output = ae_output

    def __call__(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"reconstruction": self.reconstruction_phase(x)}

    def reconstruction_phase(self, x: torch.Tensor) -> torch.Tensor:
        """Phase 1: one reconstruction update of encoder and decoder.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The mini-batch.

        Returns
        -------
        torch.Tensor
            The 0-d mean squared error.
        """
        # 1. Encoder and decoder in train mode, mean squared reconstruction error, one update.
        self.encoder.train()
        self.decoder.train()
        out = self.decoder(self.encoder(x))
        recon = torch.sigmoid(out) if self.ae_output == "sigmoid" else out
        loss = losses.pretrain_loss(recon, x)
        self.optimiser.zero_grad(set_to_none=True)
        loss.backward()
        self.optimiser.step()
        return loss


class OneClassStep:
    """One one-class mini-batch update: 1. mean ‖phi(x) − c‖² around the fixed centre `center`,
    one Adam step on the encoder, then one step of its Keras-style decay `schedule`.

    The centre is this object's state (`state_dict`), saved with checkpoints: it was fixed from
    the *pre-trained* encoder before the stage, so a fit resumed in the middle of the stage must
    not take it from the restored, partly trained encoder; `load_state_dict` copies the saved
    centre back into `center` (in place).

    Parameters
    ----------
    encoder : torch.nn.Module
        The encoder phi.
    center : torch.Tensor
        The fixed centre c (the detector's centre buffer, updated in place on restore).
    optimiser : torch.optim.Optimizer
        The encoder's optimiser.
    schedule : torch.optim.lr_scheduler.LRScheduler
        Its learning-rate schedule, stepped after every update.
    """

    def __init__(
        self,
        encoder: nn.Module,
        center: torch.Tensor,
        optimiser: torch.optim.Optimizer,
        schedule: LRScheduler,
    ):
        self.encoder = encoder
        self.center = center
        self.optimiser = optimiser
        self.schedule = schedule

    def __call__(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"one_class": self.one_class_phase(x)}

    def one_class_phase(self, x: torch.Tensor) -> torch.Tensor:
        """Phase 1: one update of the encoder towards the centre, then one schedule step.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            The mini-batch.

        Returns
        -------
        torch.Tensor
            The 0-d one-class loss.
        """
        # 1. Encoder in train mode, distance to the centre, one update and one schedule step.
        self.encoder.train()
        loss = losses.one_class_loss(self.encoder(x), self.center)
        self.optimiser.zero_grad(set_to_none=True)
        loss.backward()
        self.optimiser.step()
        self.schedule.step()
        return loss

    def state_dict(self) -> dict[str, torch.Tensor]:
        """The step's state for checkpoints.

        Returns
        -------
        dict of str to torch.Tensor
            "center": a copy of the centre c.
        """
        return {"center": self.center.detach().clone()}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        """Restore the state saved by `state_dict`: the centre, copied into `center` in place.

        Parameters
        ----------
        state : dict of str to torch.Tensor
            "center".
        """
        with torch.no_grad():
            self.center.copy_(state["center"])
