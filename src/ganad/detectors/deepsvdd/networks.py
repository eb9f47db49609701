"""Deep SVDD networks (METHODS §5.9): bias-free encoder/decoder pairs and the stored centre.

Ruff et al. drop every bias (and use no affine batch norm) so that the one-class objective cannot
collapse to a constant map onto the centre. The dense networks use the AAE dims of METHODS §2.2.7;
images (C, 28, 28) use the LeNet-style conv network of the DA3D baseline.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from ...nn import MLP, keras_init_
from ...nn.sizing import default_aae_dims, is_conv_input

__all__ = ["CONV_REP_DIM", "SVDDCenter", "build_deepsvdd"]

CONV_REP_DIM = 32
_NEGATIVE_SLOPE = 0.01


class SVDDCenter(nn.Module):
    """Holds the hypersphere centre c as a buffer, so it is saved and loaded with the weights.

    Parameters
    ----------
    dim : int
        Width of the embeddings (and of c).
    """

    c: torch.Tensor

    def __init__(self, dim: int):
        super().__init__()
        self.register_buffer("c", torch.zeros(dim))

    @torch.no_grad()
    def set_(self, c: torch.Tensor) -> None:
        """Store a new centre (in place).

        Parameters
        ----------
        c : torch.Tensor of shape (dim,)
            The centre.
        """
        self.c.copy_(c)


class ConvEncoderSVDD(nn.Module):
    """Conv8 5x5 -> LReLU -> MaxPool -> Conv4 5x5 -> LReLU -> MaxPool -> Linear(32), no biases.

    The DA3D baseline puts a non-trainable BatchNorm (eps 1e-4) after each conv. TF2 runs it in
    inference mode with its initial statistics (mean 0, variance 1), i.e. it multiplies by
    1/sqrt(1 + 1e-4) ≈ 1 (METHODS §5.9); it is therefore left out.
    """

    def __init__(self, in_channels: int, rep_dim: int = CONV_REP_DIM):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 8, 5, padding=2, bias=False)
        self.conv2 = nn.Conv2d(8, 4, 5, padding=2, bias=False)
        self.pool = nn.MaxPool2d(2)
        self.act = nn.LeakyReLU(_NEGATIVE_SLOPE)
        self.fc = nn.Linear(4 * 7 * 7, rep_dim, bias=False)
        keras_init_(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.pool(self.act(self.conv1(x)))
        h = self.pool(self.act(self.conv2(h)))
        return self.fc(h.flatten(1))


class ConvDecoderSVDD(nn.Module):
    """Mirror of the conv encoder (used only for pre-training): Linear -> (4, 7, 7) -> upsample ->
    Conv8 5x5 -> upsample -> Conv C 5x5 (raw output). No biases. The DA3D code's decoder is not
    documented; this is the decoder of Ruff et al.'s MNIST autoencoder with nearest upsampling."""

    def __init__(self, out_channels: int, rep_dim: int = CONV_REP_DIM):
        super().__init__()
        self.fc = nn.Linear(rep_dim, 4 * 7 * 7, bias=False)
        self.conv1 = nn.Conv2d(4, 8, 5, padding=2, bias=False)
        self.conv2 = nn.Conv2d(8, out_channels, 5, padding=2, bias=False)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.act = nn.LeakyReLU(_NEGATIVE_SLOPE)
        keras_init_(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.act(self.fc(z)).reshape(-1, 4, 7, 7)
        h = self.act(self.conv1(self.up(h)))
        return self.conv2(self.up(h))


def build_deepsvdd(input_shape: Sequence[int], dims: Sequence[int] | None) -> dict[str, nn.Module]:
    """Encoder phi (linear code, no biases), decoder (raw output; the detector applies a sigmoid
    when `ae_output="sigmoid"`) and
    the centre holder. `dims=None` picks the AAE dims rule of `ganad.nn.sizing`.

    Parameters
    ----------
    input_shape : sequence of int
        Shape of one sample: ``(d,)`` (dense) or ``(C, 28, 28)`` (convolutional); other image
        shapes are refused.
    dims : sequence of int or None
        Dense encoder widths, the last one the code size (ignored for images).

    Returns
    -------
    dict of str to torch.nn.Module
        "encoder", "decoder" and "center".
    """
    if len(input_shape) == 3:
        if not is_conv_input(input_shape):
            raise ValueError(
                f"Deep SVDD's conv network expects (C, 28, 28) images, got {tuple(input_shape)}; "
                "flatten the images to use the dense network."
            )
        channels = int(input_shape[0])
        encoder: nn.Module = ConvEncoderSVDD(channels)
        decoder: nn.Module = ConvDecoderSVDD(channels)
        rep_dim = CONV_REP_DIM
    else:
        d = int(np.prod(input_shape))
        dims = tuple(dims) if dims is not None else default_aae_dims(d)
        rep_dim = dims[-1]
        encoder = MLP(d, dims[:-1], rep_dim, activation="lrelu", bias=False)
        decoder = MLP(rep_dim, tuple(reversed(dims[:-1])), d, activation="lrelu", bias=False)
    return {"encoder": encoder, "decoder": decoder, "center": SVDDCenter(rep_dim)}
