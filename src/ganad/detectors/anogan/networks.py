"""AnoGAN networks (METHODS §5.1): generator G: z -> x and discriminator D: x -> logit.

Tabular input: dense nets (the KDD preset is Zenati et al.'s reimplementation: G 64-128 ReLU,
D 256-128-128 LeakyReLU(0.2) + dropout 0.2, the last hidden layer is the feature-matching layer).
Images (C, 28, 28) / (C, 32, 32): DCGAN generator and discriminator.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from ...nn.gan import Critic, make_generator, make_trunk, spectral_norm_all_

__all__ = ["build_anogan"]


def build_anogan(
    input_shape: Sequence[int],
    *,
    latent_dim: int,
    g_hidden: Sequence[int],
    d_hidden: Sequence[int],
    conv_widths: Sequence[int],
    g_activation: str = "relu",
    d_activation: str = "lrelu",
    negative_slope: float = 0.2,
    dropout: float = 0.2,
    spectral_norm: bool = False,
    g_output: str = "sigmoid",
) -> dict[str, nn.Module]:
    """{"generator": z -> x, "discriminator": x -> logit (features with return_hidden)}.

    `g_output`: "sigmoid" keeps G(z) in [0, 1] like the scaled data; "linear" is Zenati et al.'s
    KDD generator (a saturated sigmoid on one-hot columns starves G of gradient there).

    Parameters
    ----------
    input_shape : sequence of int
        Shape of one sample: ``(d,)`` (dense networks) or ``(C, H, W)`` (DCGAN).
    latent_dim : int
        Width of the codes z.
    g_hidden : sequence of int
        Hidden widths of the dense generator.
    d_hidden : sequence of int
        Hidden widths of the dense discriminator.
    conv_widths : sequence of int
        Channels of the DCGAN stride-2 stages (image input).
    g_activation : str, default="relu"
        Hidden activation of the dense generator.
    d_activation : str, default="lrelu"
        Hidden activation of the dense discriminator.
    negative_slope : float, default=0.2
        LeakyReLU slope of both networks.
    dropout : float, default=0.2
        Dropout rate of the dense discriminator.
    spectral_norm : bool, default=False
        Spectral normalisation on every discriminator weight (which then drops batch norm).
    g_output : {"sigmoid", "linear"}, default="sigmoid"
        Output activation of the generator (see above).

    Returns
    -------
    dict of str to torch.nn.Module
        The "generator" and the "discriminator".
    """
    generator = make_generator(
        latent_dim,
        input_shape,
        hidden=g_hidden,
        conv_widths=conv_widths,
        activation=g_activation,
        negative_slope=negative_slope,
        out_activation=None if g_output == "linear" else "sigmoid",
    )
    trunk = make_trunk(
        input_shape,
        hidden=d_hidden,
        conv_widths=conv_widths,
        activation=d_activation,
        negative_slope=negative_slope,
        dropout=dropout,
        norm="none" if spectral_norm else "batch",
    )
    discriminator = Critic(trunk)
    if spectral_norm:
        spectral_norm_all_(discriminator)
    return {"generator": generator, "discriminator": discriminator}
