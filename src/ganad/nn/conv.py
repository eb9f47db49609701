"""Convolutional encoder/decoder for 28x28x1 images: DA3D's AAE (METHODS §2.2.2)."""

from __future__ import annotations

import torch
from torch import nn

from .init import keras_init_

__all__ = ["ConvDecoder28", "ConvEncoder28", "keras_batchnorm"]


def keras_batchnorm(channels: int) -> nn.BatchNorm2d:
    """BatchNorm with Keras defaults (momentum 0.99 == torch 0.01, eps 1e-3).

    Parameters
    ----------
    channels : int
        Channels of the feature maps normalised.

    Returns
    -------
    torch.nn.BatchNorm2d
        The batch-norm layer.
    """
    return nn.BatchNorm2d(channels, momentum=0.01, eps=1e-3)


class ConvEncoder28(nn.Module):
    """28x28xC -> 32C3s2 -> 16C3s2 -> 8C3s2 (BN, LReLU) -> code_dim C3s2 'valid' (linear): code 1x1xcode_dim.

    Parameters
    ----------
    in_channels : int, default=1
        Channels C of the input images.
    code_dim : int, default=16
        Width of the (linear) code.
    negative_slope : float, default=0.01
        Slope of the LeakyReLU activations for negative inputs.
    """

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

    def forward(
        self, x: torch.Tensor, return_hidden: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, list[torch.Tensor]]:
        """Encode a batch of images.

        Parameters
        ----------
        x : torch.Tensor of shape (n, C, 28, 28)
            Images.
        return_hidden : bool, default=False
            Also return the three hidden activations, each flattened to (n, values).

        Returns
        -------
        torch.Tensor or tuple of (torch.Tensor, list of torch.Tensor)
            The (n, code_dim) codes, and with `return_hidden` the hidden activations.
        """
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

    Parameters
    ----------
    out_channels : int, default=1
        Channels C of the output images.
    code_dim : int, default=16
        Width of the code decoded.
    negative_slope : float, default=0.01
        Slope of the LeakyReLU activations for negative inputs.
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
        """Concatenated hidden activations, shape (n, 6880); the output layer is skipped.

        Parameters
        ----------
        z : torch.Tensor of shape (n, code_dim)
            Codes.

        Returns
        -------
        torch.Tensor of shape (n, 6880)
            The three hidden activations, flattened and concatenated.
        """
        h = z.reshape(-1, self.code_dim, 1, 1)
        hidden = []
        for block in self.blocks:
            h = self.act(block(h))
            hidden.append(h.flatten(1))
        return torch.cat(hidden, dim=1)

    def forward(
        self, z: torch.Tensor, return_hidden: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, list[torch.Tensor]]:
        """Decode a batch of codes to image logits.

        Parameters
        ----------
        z : torch.Tensor of shape (n, code_dim)
            Codes.
        return_hidden : bool, default=False
            Also return the three hidden activations, each flattened to (n, values).

        Returns
        -------
        torch.Tensor or tuple of (torch.Tensor, list of torch.Tensor)
            The (n, C, 28, 28) logits, and with `return_hidden` the hidden activations.
        """
        h = z.reshape(-1, self.code_dim, 1, 1)
        hidden = []
        for block in self.blocks:
            h = self.act(block(h))
            if return_hidden:
                hidden.append(h.flatten(1))
        logits = self.out(h)
        return (logits, hidden) if return_hidden else logits
