"""The BiGAN core shared by EGBAD and ALAD (METHODS §5.3–§5.4): the joint critic D(x, z) and its
BCE losses. D(x, z) is trained to output 1 for "real" pairs (x, E(x)) and 0 for "fake" pairs
(G(z), z); G and E are trained with flipped labels. All BCE on logits, batch means."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from .gan import DenseTrunk, JointCritic, make_trunk, spectral_norm_all_

__all__ = ["build_joint_critic", "discriminator_loss", "encoder_loss", "generator_loss"]


def build_joint_critic(
    input_shape: Sequence[int],
    latent_dim: int,
    *,
    x_hidden: Sequence[int],
    z_hidden: Sequence[int],
    joint_hidden: Sequence[int],
    conv_widths: Sequence[int],
    negative_slope: float,
    dropout: float,
    spectral_norm: bool,
) -> JointCritic:
    """D(x, z) -> logit; spectral normalisation on every weight when asked.

    Parameters
    ----------
    input_shape : sequence of int
        Shape of one sample x: ``(d,)`` (dense x trunk) or ``(C, H, W)`` (convolutional).
    latent_dim : int
        Width of z.
    x_hidden : sequence of int
        Hidden widths of the dense x trunk (tabular input).
    z_hidden : sequence of int
        Hidden widths of the dense z trunk.
    joint_hidden : sequence of int
        Hidden widths of the joint layers on the concatenated trunk features.
    conv_widths : sequence of int
        Channels of the convolutional x trunk's stride-2 stages (image input).
    negative_slope : float
        Slope of the LeakyReLU activations for negative inputs.
    dropout : float
        Dropout rate after every dense hidden activation (the convolutional trunk has none).
    spectral_norm : bool
        Spectral normalisation on every weight (and then no batch norm in the x trunk).

    Returns
    -------
    JointCritic
        The critic, returning one logit per pair ("real" positive).
    """
    x_trunk = make_trunk(
        input_shape,
        hidden=x_hidden,
        conv_widths=conv_widths,
        activation="lrelu",
        negative_slope=negative_slope,
        dropout=dropout,
        norm="none" if spectral_norm else "batch",
    )
    z_trunk = DenseTrunk(latent_dim, z_hidden, negative_slope=negative_slope, dropout=dropout)
    critic = JointCritic(
        x_trunk, z_trunk, joint_hidden, negative_slope=negative_slope, dropout=dropout
    )
    return spectral_norm_all_(critic) if spectral_norm else critic


def _bce(logits: torch.Tensor, target: float) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """BCE(D(x, E(x)), 1) + BCE(D(G(z), z), 0).

    Parameters
    ----------
    real_logits : torch.Tensor
        D's logits of the real pairs (x, E(x)).
    fake_logits : torch.Tensor
        D's logits of the fake pairs (G(z), z).

    Returns
    -------
    torch.Tensor
        The 0-d loss (sum of the two batch means).
    """
    return _bce(real_logits, 1.0) + _bce(fake_logits, 0.0)


def generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """BCE(D(G(z), z), 1): G wants its pairs taken for real.

    Parameters
    ----------
    fake_logits : torch.Tensor
        D's logits of the fake pairs (G(z), z).

    Returns
    -------
    torch.Tensor
        The 0-d batch-mean loss.
    """
    return _bce(fake_logits, 1.0)


def encoder_loss(real_logits: torch.Tensor) -> torch.Tensor:
    """BCE(D(x, E(x)), 0): E wants its pairs taken for fake.

    Parameters
    ----------
    real_logits : torch.Tensor
        D's logits of the real pairs (x, E(x)).

    Returns
    -------
    torch.Tensor
        The 0-d batch-mean loss.
    """
    return _bce(real_logits, 0.0)
