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
    """E[D(G(z))] − E[D(x)]: low when the critic rates real data above generated data."""
    return fake.mean() - real.mean()


def wgan_generator_loss(fake: torch.Tensor) -> torch.Tensor:
    """−E[D(G(z))]: low when the critic rates the generated data high (real-like)."""
    return -fake.mean()


def da3d_critic_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """E[D(x)] − E[D(G(z))] (DA3D code): D learns *low* outputs for real data."""
    return real.mean() - fake.mean()


def da3d_generator_loss(fake: torch.Tensor) -> torch.Tensor:
    """E[D(G(z))] (DA3D code): G moves its samples to where D is low (real-like)."""
    return fake.mean()


def izi_loss(x: torch.Tensor, x_rec: torch.Tensor) -> torch.Tensor:
    return mean_squared_per_sample(x, x_rec).mean()


def izi_f_loss(
    x: torch.Tensor, x_rec: torch.Tensor, f_x: torch.Tensor, f_rec: torch.Tensor, kappa: float
) -> torch.Tensor:
    return izi_loss(x, x_rec) + kappa * mean_squared_per_sample(f_x, f_rec).mean()


def ziz_loss(z: torch.Tensor, z_rec: torch.Tensor) -> torch.Tensor:
    return mean_squared_per_sample(z, z_rec).mean()
