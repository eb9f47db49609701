"""f-AnoGAN losses (METHODS §5.2, §5.8). Pure functions of network outputs.

WGAN / WGAN-GP (critic output linear, high = real):
  L_D = E[D(G(z))] − E[D(x)] (+ λ·GP),  L_G = −E[D(G(z))].
DA3D-table variant ([CODE-DA3D] `baselines/anogan`; sigmoid D, *low* = real, no GP, no clipping):
  L_D = E[D(x)] − E[D(G(z))],  L_G = E[D(G(z))].
Encoder stage (G and D frozen):
  ziz:   (1/d_z)·‖z − E(G(z))‖²
  izi:   (1/n)·‖x − G(E(x))‖²
  izi_f: (1/n)·‖x − G(E(x))‖² + κ·(1/n_f)·‖f(x) − f(G(E(x)))‖²
Score: A(x) = A_R(x) + κ·A_D(x), the two izi_f terms per sample.
"""

from __future__ import annotations

import torch

from ...nn.losses import mean_squared_per_sample

__all__ = [
    "da3d_critic_loss",
    "da3d_generator_loss",
    "izi_f_loss",
    "izi_loss",
    "mean_squared_per_sample",
    "wgan_critic_loss",
    "wgan_generator_loss",
    "ziz_loss",
]


def wgan_critic_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """E[D(G(z))] − E[D(x)]: low when the critic rates real data above generated data.

    Parameters
    ----------
    real : torch.Tensor
        Critic outputs D(x) of real samples.
    fake : torch.Tensor
        Critic outputs D(G(z)) of generated samples.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    return fake.mean() - real.mean()


def wgan_generator_loss(fake: torch.Tensor) -> torch.Tensor:
    """−E[D(G(z))]: low when the critic rates the generated data high (real-like).

    Parameters
    ----------
    fake : torch.Tensor
        Critic outputs D(G(z)) of generated samples.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    return -fake.mean()


def da3d_critic_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """E[D(x)] − E[D(G(z))] (DA3D code): D learns *low* outputs for real data.

    Parameters
    ----------
    real : torch.Tensor
        Sigmoid outputs D(x) of real samples.
    fake : torch.Tensor
        Sigmoid outputs D(G(z)) of generated samples.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    return real.mean() - fake.mean()


def da3d_generator_loss(fake: torch.Tensor) -> torch.Tensor:
    """E[D(G(z))] (DA3D code): G moves its samples to where D is low (real-like).

    Parameters
    ----------
    fake : torch.Tensor
        Sigmoid outputs D(G(z)) of generated samples.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    return fake.mean()


def izi_loss(x: torch.Tensor, x_rec: torch.Tensor) -> torch.Tensor:
    """izi: (1/n)·‖x − G(E(x))‖², averaged over the batch.

    Parameters
    ----------
    x : torch.Tensor of shape (batch, ...)
        Real samples.
    x_rec : torch.Tensor of shape (batch, ...)
        Their reconstructions G(E(x)).

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    return mean_squared_per_sample(x, x_rec).mean()


def izi_f_loss(
    x: torch.Tensor, x_rec: torch.Tensor, f_x: torch.Tensor, f_rec: torch.Tensor, kappa: float
) -> torch.Tensor:
    """izi_f: the izi loss + κ·(1/n_f)·‖f(x) − f(G(E(x)))‖², averaged over the batch.

    Parameters
    ----------
    x : torch.Tensor of shape (batch, ...)
        Real samples.
    x_rec : torch.Tensor of shape (batch, ...)
        Their reconstructions G(E(x)).
    f_x : torch.Tensor of shape (batch, n_f)
        Critic features f(x).
    f_rec : torch.Tensor of shape (batch, n_f)
        Critic features f(G(E(x))).
    kappa : float
        κ, the weight of the feature term.

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    return izi_loss(x, x_rec) + kappa * mean_squared_per_sample(f_x, f_rec).mean()


def ziz_loss(z: torch.Tensor, z_rec: torch.Tensor) -> torch.Tensor:
    """ziz: (1/d_z)·‖z − E(G(z))‖², averaged over the batch.

    Parameters
    ----------
    z : torch.Tensor of shape (batch, d_z)
        Latent samples.
    z_rec : torch.Tensor of shape (batch, d_z)
        Their re-encodings E(G(z)).

    Returns
    -------
    torch.Tensor
        The 0-d loss.
    """
    return mean_squared_per_sample(z, z_rec).mean()
