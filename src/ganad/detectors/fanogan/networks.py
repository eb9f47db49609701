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
    """A fresh AAE encoder used as a trunk; its (linear) code is the feature vector.

    Parameters
    ----------
    input_shape : sequence of int
        Shape of one sample: ``(d,)`` (dense encoder) or ``(C, 28, 28)`` (`ConvEncoder28`).
    dims : sequence of int
        Dense encoder widths, the last one the code size (ignored for images).
    activation : str
        Hidden activation of the dense encoder.
    dropout : float
        Dropout rate of the dense encoder.
    """

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
        """The codes, flattened.

        Parameters
        ----------
        x : torch.Tensor of shape (n, *input_shape)
            Samples.

        Returns
        -------
        torch.Tensor of shape (n, out_features)
            Their codes.
        """
        return self.net(x).flatten(1)


class AAEGenerator(nn.Module):
    """Linear(latent -> code) -> a fresh AAE decoder -> sigmoid.

    Parameters
    ----------
    latent_dim : int
        Width of the latent codes z.
    output_shape : sequence of int
        Shape of one sample: ``(d,)`` (dense decoder) or ``(C, 28, 28)`` (`ConvDecoder28`).
    dims : sequence of int
        AAE encoder widths the dense decoder mirrors (ignored for images).
    activation : str
        Hidden activation of the dense decoder.
    dropout : float
        Dropout rate of the dense decoder.
    """

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
        """Generate samples in [0, 1].

        Parameters
        ----------
        z : torch.Tensor of shape (n, latent_dim)
            Latent codes.

        Returns
        -------
        torch.Tensor of shape (n, *output_shape)
            The generated samples.
        """
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
    """{"generator", "critic", "encoder"}; the critic returns [features] with return_hidden.

    Parameters
    ----------
    input_shape : sequence of int
        Shape of one sample.
    architecture : {"dcgan", "aae"}
        Network family (see the module docstring).
    latent_dim : int
        Width of the latent codes z.
    g_hidden : sequence of int
        Hidden widths of the dense generator ("dcgan").
    d_hidden : sequence of int
        Hidden widths of the dense critic ("dcgan").
    e_hidden : sequence of int
        Hidden widths of the dense encoder ("dcgan").
    conv_widths : sequence of int
        Channels of the DCGAN stages ("dcgan", image input).
    aae_dims : sequence of int or None
        AAE encoder widths ("aae"); None: `ganad.nn.sizing.default_aae_dims`.
    activation : str
        Hidden activation of the dense critic and encoder ("dcgan") or of every "aae" network.
    negative_slope : float
        LeakyReLU slope of the "dcgan" networks.
    dropout : float
        Dropout rate of the dense critic ("dcgan") or of every "aae" network.

    Returns
    -------
    dict of str to torch.nn.Module
        The three networks by name.
    """
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
