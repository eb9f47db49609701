"""EGBAD networks (METHODS §5.3): encoder E: x -> z, generator G: z -> x, joint D(x, z).

Tabular defaults follow Zenati et al.'s KDD code: E 64 LReLU(0.1) -> 32; G 64-128 ReLU; D: x
branch 128 and z branch 128 (LReLU 0.1, dropout 0.2), joint 128 (the feature-matching layer),
one logit. Images: DCGAN encoder/generator, conv x branch.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from ...nn.bigan import build_joint_critic
from ...nn.gan import make_encoder, make_generator

__all__ = ["build_bigan"]


def build_bigan(
    input_shape: Sequence[int],
    *,
    latent_dim: int,
    e_hidden: Sequence[int],
    g_hidden: Sequence[int],
    d_x_hidden: Sequence[int],
    d_z_hidden: Sequence[int],
    d_joint_hidden: Sequence[int],
    conv_widths: Sequence[int],
    negative_slope: float,
    dropout: float,
    spectral_norm: bool,
) -> dict[str, nn.Module]:
    """{"encoder", "generator", "discriminator"} (live networks; EMA copies are built alike).

    Parameters
    ----------
    input_shape : sequence of int
        Shape of one sample: ``(d,)`` (dense networks) or ``(C, H, W)`` (convolutional).
    latent_dim : int
        Width of the codes z.
    e_hidden : sequence of int
        Hidden widths of the dense encoder.
    g_hidden : sequence of int
        Hidden widths of the dense generator (ReLU).
    d_x_hidden : sequence of int
        Widths of D's dense x branch.
    d_z_hidden : sequence of int
        Widths of D's z branch.
    d_joint_hidden : sequence of int
        Widths of D's joint layers.
    conv_widths : sequence of int
        Channels of the convolutional stages (image input).
    negative_slope : float
        LeakyReLU slope of the encoder and the discriminator.
    dropout : float
        Dropout rate of the discriminator's dense layers.
    spectral_norm : bool
        Spectral normalisation on every discriminator weight.

    Returns
    -------
    dict of str to torch.nn.Module
        The three networks by name.
    """
    encoder = make_encoder(
        input_shape,
        latent_dim,
        hidden=e_hidden,
        conv_widths=conv_widths,
        negative_slope=negative_slope,
    )
    generator = make_generator(
        latent_dim,
        input_shape,
        hidden=g_hidden,
        conv_widths=conv_widths,
        activation="relu",
        negative_slope=negative_slope,
    )
    discriminator = build_joint_critic(
        input_shape,
        latent_dim,
        x_hidden=d_x_hidden,
        z_hidden=d_z_hidden,
        joint_hidden=d_joint_hidden,
        conv_widths=conv_widths,
        negative_slope=negative_slope,
        dropout=dropout,
        spectral_norm=spectral_norm,
    )
    return {"encoder": encoder, "generator": generator, "discriminator": discriminator}
