"""Keras-equivalent initialisation (METHODS §2.12): Glorot-uniform kernels, zero biases."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["keras_init_"]

_WEIGHTED = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.ConvTranspose2d)


def keras_init_(module: nn.Module) -> nn.Module:
    """Re-initialise every Linear/Conv/ConvTranspose in `module` in place; returns `module`.

    Parameters
    ----------
    module : torch.nn.Module
        Network whose Linear, Conv1d, Conv2d and ConvTranspose2d layers (at any depth) get
        Glorot-uniform kernels and zero biases.

    Returns
    -------
    torch.nn.Module
        `module` itself.
    """
    for m in module.modules():
        if isinstance(m, _WEIGHTED):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return module


@torch.no_grad()
def normal_init_(module: nn.Module, std: float = 0.02) -> nn.Module:
    """DCGAN-style N(0, std) kernels and zero biases (Fence GAN's MNIST networks).

    Parameters
    ----------
    module : torch.nn.Module
        Network whose Linear, Conv1d, Conv2d and ConvTranspose2d layers (at any depth) are
        re-initialised in place.
    std : float, default=0.02
        Standard deviation of the normal kernels.

    Returns
    -------
    torch.nn.Module
        `module` itself.
    """
    for m in module.modules():
        if isinstance(m, _WEIGHTED):
            nn.init.normal_(m.weight, 0.0, std)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return module
