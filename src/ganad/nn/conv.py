"""Convolutional encoder/decoder for 28x28x1 images: DA3D's AAE (METHODS §2.2.2)."""

from __future__ import annotations

import torch
from torch import nn

from .init import keras_init_

__all__ = ["ConvDecoder28", "ConvEncoder28", "keras_batchnorm"]


def keras_batchnorm(channels: int) -> nn.BatchNorm2d:
    """BatchNorm with Keras defaults (momentum 0.99 == torch 0.01, eps 1e-3)."""
    return nn.BatchNorm2d(channels, momentum=0.01, eps=1e-3)


class ConvEncoder28(nn.Module):
    """28x28xC -> 32C3s2 -> 16C3s2 -> 8C3s2 (BN, LReLU) -> code_dim C3s2 'valid' (linear): code 1x1xcode_dim."""

    def __init__(self, in_channels: int = 1, code_dim: int = 16, negative_slope: float = 0.01):
        super().__init__()
        widths = (32, 16, 8)
        blocks = []
        c = in_channels
        for w in widths:
            blocks.append(
                nn.Sequential(nn.Conv2d(c, w, 3, stride=2, padding=1), keras_batchnorm(w))
            )
            c = w
        self.blocks = nn.ModuleList(blocks)
        self.act = nn.LeakyReLU(negative_slope)
        self.code = nn.Conv2d(c, code_dim, 3, stride=2, padding=0)
        keras_init_(self)

    def forward(self, x: torch.Tensor, return_hidden: bool = False):
        hidden = []
        h = x
        for block in self.blocks:
            h = self.act(block(h))
            if return_hidden:
                hidden.append(h.flatten(1))
        z = self.code(h).flatten(1)
        return (z, hidden) if return_hidden else z


class ConvDecoder28(nn.Module):
    """code -> ConvT8 4s2 'same' -> ConvT16 4s2 'valid' -> ConvT32 4s2 'valid' (BN, LReLU) -> ConvT C 4s2 'same'.

    Returns the *logits* of the sigmoid output (use `torch.sigmoid` for the image), so the
    reconstruction loss can be a numerically stable BCE-with-logits. Hidden activations
    (2x2x8, 6x6x16, 14x14x32 = 6880 values) are what DA3D's alarm reads.
    """

    def __init__(self, out_channels: int = 1, code_dim: int = 16, negative_slope: float = 0.01):
        super().__init__()
        self.code_dim = code_dim
        specs = ((code_dim, 8, 1), (8, 16, 0), (16, 32, 0))
        self.blocks = nn.ModuleList(
            nn.Sequential(
                nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=pad), keras_batchnorm(cout)
            )
            for cin, cout, pad in specs
        )
        self.act = nn.LeakyReLU(negative_slope)
        self.out = nn.ConvTranspose2d(32, out_channels, 4, stride=2, padding=1)
        keras_init_(self)

    @property
    def hidden_dim(self) -> int:
        return 2 * 2 * 8 + 6 * 6 * 16 + 14 * 14 * 32

    def hidden_activations(self, z: torch.Tensor) -> torch.Tensor:
        """Concatenated hidden activations, shape (n, 6880); the output layer is skipped."""
        h = z.reshape(-1, self.code_dim, 1, 1)
        hidden = []
        for block in self.blocks:
            h = self.act(block(h))
            hidden.append(h.flatten(1))
        return torch.cat(hidden, dim=1)

    def forward(self, z: torch.Tensor, return_hidden: bool = False):
        h = z.reshape(-1, self.code_dim, 1, 1)
        hidden = []
        for block in self.blocks:
            h = self.act(block(h))
            if return_hidden:
                hidden.append(h.flatten(1))
        logits = self.out(h)
        return (logits, hidden) if return_hidden else logits
