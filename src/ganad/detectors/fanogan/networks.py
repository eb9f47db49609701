"""f-AnoGAN networks (METHODS §5.2).

"dcgan" (stand-alone f-AnoGAN): dense or DCGAN generator, critic (no BatchNorm: WGAN-GP) and
encoder with a linear code.
"aae" (the DA3D-table variant, [CODE-DA3D] `baselines/anogan/AnoGAN.py`): fresh copies of the
data set's AAE shapes —
  G = Linear(latent -> code_dim) -> AAE decoder (sigmoid output),
  E = AAE encoder -> Linear(latent),
  D = AAE encoder -> Linear(1) -> sigmoid, with f = the encoder trunk's code.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from ...nn import MLP, ConvDecoder28, ConvEncoder28
from ...nn.gan import Critic, Head, make_encoder, make_generator, make_trunk
from ...nn.sizing import CONV_CODE_DIM, default_aae_dims, is_conv_input

__all__ = ["AAECodeTrunk", "AAEGenerator", "build_fanogan"]


class AAECodeTrunk(nn.Module):
    """A fresh AAE encoder used as a trunk; its (linear) code is the feature vector."""

    def __init__(
        self, input_shape: Sequence[int], dims: Sequence[int], *, activation: str, dropout: float
    ):
        super().__init__()
        if len(input_shape) == 3:
            self.net: nn.Module = ConvEncoder28(int(input_shape[0]), CONV_CODE_DIM)
            self.out_features = CONV_CODE_DIM
        else:
            self.net = MLP(
                math.prod(input_shape),
                tuple(dims[:-1]),
                int(dims[-1]),
                activation=activation,
                dropout=dropout,
            )
            self.out_features = int(dims[-1])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).flatten(1)


class AAEGenerator(nn.Module):
    """Linear(latent -> code) -> a fresh AAE decoder -> sigmoid."""

    def __init__(
        self,
        latent_dim: int,
        output_shape: Sequence[int],
        dims: Sequence[int],
        *,
        activation: str,
        dropout: float,
    ):
        super().__init__()
        self.output_shape = tuple(int(s) for s in output_shape)
        if len(output_shape) == 3:
            code = CONV_CODE_DIM
            self.decoder: nn.Module = ConvDecoder28(int(output_shape[0]), code)
        else:
            code = int(dims[-1])
            self.decoder = MLP(
                code,
                tuple(reversed(dims[:-1])),
                math.prod(output_shape),
                activation=activation,
                dropout=dropout,
            )
        self.lift = nn.Linear(int(latent_dim), code)
        nn.init.xavier_uniform_(self.lift.weight)
        nn.init.zeros_(self.lift.bias)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.decoder(self.lift(z))).reshape(-1, *self.output_shape)


def _aae_dims(input_shape: Sequence[int], aae_dims: Sequence[int] | None) -> tuple[int, ...]:
    if len(input_shape) == 3:
        if not is_conv_input(input_shape):
            raise ValueError(
                f"architecture='aae' on images needs (C, 28, 28) input (the conv AAE), got {tuple(input_shape)}."
            )
        return ()
    return tuple(aae_dims) if aae_dims is not None else default_aae_dims(math.prod(input_shape))


def build_fanogan(
    input_shape: Sequence[int],
    *,
    architecture: str,
    latent_dim: int,
    g_hidden: Sequence[int],
    d_hidden: Sequence[int],
    e_hidden: Sequence[int],
    conv_widths: Sequence[int],
    aae_dims: Sequence[int] | None,
    activation: str,
    negative_slope: float,
    dropout: float,
) -> dict[str, nn.Module]:
    """{"generator", "critic", "encoder"}; the critic returns [features] with return_hidden."""
    if architecture == "aae":
        dims = _aae_dims(input_shape, aae_dims)
        return {
            "generator": AAEGenerator(
                latent_dim, input_shape, dims, activation=activation, dropout=dropout
            ),
            "critic": Critic(
                AAECodeTrunk(input_shape, dims, activation=activation, dropout=dropout),
                out_activation="sigmoid",
            ),
            "encoder": Head(
                AAECodeTrunk(input_shape, dims, activation=activation, dropout=dropout), latent_dim
            ),
        }
    generator = make_generator(
        latent_dim,
        input_shape,
        hidden=g_hidden,
        conv_widths=conv_widths,
        activation="relu",
        negative_slope=negative_slope,
    )
    # WGAN-GP: no BatchNorm in the critic (the penalty is per sample).
    critic = Critic(
        make_trunk(
            input_shape,
            hidden=d_hidden,
            conv_widths=conv_widths,
            activation=activation,
            negative_slope=negative_slope,
            dropout=dropout,
            norm="none",
        )
    )
    encoder = make_encoder(
        input_shape,
        latent_dim,
        hidden=e_hidden,
        conv_widths=conv_widths,
        activation=activation,
        negative_slope=negative_slope,
        norm="batch",
    )
    return {"generator": generator, "critic": critic, "encoder": encoder}
