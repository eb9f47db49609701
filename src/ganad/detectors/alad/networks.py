"""ALAD networks (METHODS §5.4): E, G, D_xz(x, z), D_xx(x, x'), D_zz(z, z').

Tabular defaults follow Zenati et al.'s KDD code (E 64 LReLU(0.2) -> 32; G 64-128 ReLU; D_xz
branches 128/128, joint 128; D_xx 128; D_zz 32; the last hidden layer of each is its
feature-matching layer). Spectral normalisation, when on, wraps every weight of E and of the
three discriminators (PyTorch parametrization); the discriminators then drop BatchNorm.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ...nn.bigan import build_joint_critic
from ...nn.gan import (
    Critic,
    DenseTrunk,
    Head,
    make_encoder,
    make_generator,
    make_trunk,
    spectral_norm_all_,
)

__all__ = ["PairCritic", "build_alad"]


class PairCritic(nn.Module):
    """D(a, b) = critic(concat(a, b)) along features (tabular/latent) or channels (images).

    Parameters
    ----------
    critic : Critic
        Critic of the concatenated pair (twice the features or channels of one input).
    """

    def __init__(self, critic: Critic):
        super().__init__()
        self.critic = critic

    def forward(
        self, a: torch.Tensor, b: torch.Tensor, return_hidden: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, list[torch.Tensor]]:
        """D(a, b) per pair, optionally with the critic's features.

        Parameters
        ----------
        a : torch.Tensor of shape (n, ...)
            First members of the pairs.
        b : torch.Tensor of shape (n, ...)
            Second members, shaped like `a`.
        return_hidden : bool, default=False
            Also return the critic's ``[features]``.

        Returns
        -------
        torch.Tensor or tuple of (torch.Tensor, list of torch.Tensor)
            The (n,) logits, and with `return_hidden` the one-element feature list.
        """
        return self.critic(torch.cat([a, b], dim=1), return_hidden=return_hidden)


def _pair_shape(input_shape: Sequence[int]) -> tuple[int, ...]:
    """Shape of concat(x, x'): doubled channels for images, doubled features otherwise."""
    shape = tuple(int(s) for s in input_shape)
    return (2 * shape[0], *shape[1:])


def build_alad(
    input_shape: Sequence[int],
    *,
    latent_dim: int,
    e_hidden: Sequence[int],
    g_hidden: Sequence[int],
    d_x_hidden: Sequence[int],
    d_z_hidden: Sequence[int],
    d_joint_hidden: Sequence[int],
    d_xx_hidden: Sequence[int],
    d_zz_hidden: Sequence[int],
    conv_widths: Sequence[int],
    negative_slope: float,
    dropout: float,
    spectral_norm: bool,
) -> dict[str, nn.Module]:
    """{"encoder", "generator", "d_xz", "d_xx", "d_zz"}.

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
        Widths of D_xz's dense x branch.
    d_z_hidden : sequence of int
        Widths of D_xz's z branch.
    d_joint_hidden : sequence of int
        Widths of D_xz's joint layers.
    d_xx_hidden : sequence of int
        Widths of D_xx's dense trunk.
    d_zz_hidden : sequence of int
        Widths of D_zz's trunk.
    conv_widths : sequence of int
        Channels of the convolutional stages (image input).
    negative_slope : float
        LeakyReLU slope of the encoder and the discriminators.
    dropout : float
        Dropout rate of the discriminators' dense layers.
    spectral_norm : bool
        Spectral normalisation on E and the discriminators (which then drop batch norm).

    Returns
    -------
    dict of str to torch.nn.Module
        The five networks by name.
    """
    encoder = _encoder(
        input_shape,
        latent_dim,
        hidden=e_hidden,
        conv_widths=conv_widths,
        negative_slope=negative_slope,
        spectral_norm=spectral_norm,
    )
    generator = make_generator(
        latent_dim,
        input_shape,
        hidden=g_hidden,
        conv_widths=conv_widths,
        activation="relu",
        negative_slope=negative_slope,
    )
    d_xz = build_joint_critic(
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
    d_xx, d_zz = _pair_critics(
        input_shape,
        latent_dim,
        xx_hidden=d_xx_hidden,
        zz_hidden=d_zz_hidden,
        conv_widths=conv_widths,
        negative_slope=negative_slope,
        dropout=dropout,
        spectral_norm=spectral_norm,
    )
    return {"encoder": encoder, "generator": generator, "d_xz": d_xz, "d_xx": d_xx, "d_zz": d_zz}


def _encoder(
    input_shape: Sequence[int],
    latent_dim: int,
    *,
    hidden: Sequence[int],
    conv_widths: Sequence[int],
    negative_slope: float,
    spectral_norm: bool,
) -> Head:
    """E, x -> z, spectrally normalised when `spectral_norm`."""
    encoder = make_encoder(
        input_shape,
        latent_dim,
        hidden=hidden,
        conv_widths=conv_widths,
        negative_slope=negative_slope,
    )
    # Normalised before G is built: spectral norm draws its power-iteration start vectors from
    # the global RNG, so this order is part of the seeded initialisation.
    if spectral_norm:
        spectral_norm_all_(encoder)
    return encoder


def _pair_critics(
    input_shape: Sequence[int],
    latent_dim: int,
    *,
    xx_hidden: Sequence[int],
    zz_hidden: Sequence[int],
    conv_widths: Sequence[int],
    negative_slope: float,
    dropout: float,
    spectral_norm: bool,
) -> tuple[PairCritic, PairCritic]:
    """(D_xx(x, x'), D_zz(z, z')); with `spectral_norm`, both normalised and without batch norm."""
    d_xx = PairCritic(
        Critic(
            make_trunk(
                _pair_shape(input_shape),
                hidden=xx_hidden,
                conv_widths=conv_widths,
                negative_slope=negative_slope,
                dropout=dropout,
                norm="none" if spectral_norm else "batch",
            )
        )
    )
    d_zz = PairCritic(
        Critic(
            DenseTrunk(2 * latent_dim, zz_hidden, negative_slope=negative_slope, dropout=dropout)
        )
    )
    if spectral_norm:
        spectral_norm_all_(d_xx)
        spectral_norm_all_(d_zz)
    return d_xx, d_zz
