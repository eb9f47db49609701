"""Adversarial autoencoder networks (METHODS §2.2.1–§2.2.3)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from torch import nn

from ..nn import MLP, ConvDecoder28, ConvEncoder28

__all__ = ["build_aae", "decoder_hidden_dim", "default_aae_dims", "is_conv_input"]

CONV_CODE_DIM = 16


def is_conv_input(input_shape: Sequence[int]) -> bool:
    """The convolutional AAE applies to 28x28 images with one channel (MNIST-like)."""
    return len(input_shape) == 3 and tuple(input_shape[1:]) == (28, 28)


def default_aae_dims(n_features: int) -> tuple[int, ...]:
    """Encoder sizes for data sets without a paper preset.

    Fitted to DA3D's Table 1 (Mammo 6 -> 12..2, CC 29 -> 50..5, KDD 126 -> 150..10, Census 510 ->
    600..15): code = clip(round(sqrt(d)), 2, 16); first width = round(1.2 d + 10); six layers in
    total, widths geometric between the first width and the code.
    """
    code = int(np.clip(round(math.sqrt(n_features)), 2, 16))
    first = round(1.2 * n_features + 10)
    widths = np.geomspace(first, code, 6)
    dims = [max(round(float(w)), code) for w in widths[:-1]] + [code]
    return tuple(dims)


def build_aae(
    input_shape: Sequence[int],
    dims: Sequence[int] | None,
    *,
    prior_hidden: Sequence[int] = (40, 20, 10, 5),
    activation: str = "lrelu",
    dropout: float = 0.1,
) -> dict[str, nn.Module]:
    """Encoder (linear code), decoder (logit output; sigmoid applied by the caller) and the prior
    discriminator D_prior (sigmoid output). Image input 1x28x28 uses the conv AAE of §2.2.2."""
    if len(input_shape) == 3:
        if not is_conv_input(input_shape):
            raise ValueError(
                f"The convolutional AAE expects (C, 28, 28) images, got {tuple(input_shape)}; "
                "flatten the images to use the dense AAE."
            )
        channels = int(input_shape[0])
        encoder: nn.Module = ConvEncoder28(channels, CONV_CODE_DIM)
        decoder: nn.Module = ConvDecoder28(channels, CONV_CODE_DIM)
        code_dim = CONV_CODE_DIM
    else:
        d = int(np.prod(input_shape))
        dims = tuple(dims) if dims is not None else default_aae_dims(d)
        code_dim = dims[-1]
        encoder = MLP(d, dims[:-1], code_dim, activation=activation, dropout=dropout)
        decoder = MLP(
            code_dim, tuple(reversed(dims[:-1])), d, activation=activation, dropout=dropout
        )
    prior = MLP(
        code_dim, prior_hidden, 1, activation=activation, dropout=dropout, out_activation="sigmoid"
    )
    return {"encoder": encoder, "decoder": decoder, "prior": prior}


def decoder_hidden_dim(decoder: nn.Module) -> int:
    """Width of the concatenated decoder hidden activations (DA3D's alarm input)."""
    return int(decoder.hidden_dim)
