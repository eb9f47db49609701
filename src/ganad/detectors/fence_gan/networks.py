"""Fence GAN generators and discriminators (METHODS §4.3, §4.5). Pure `nn.Module`s.

Every discriminator returns **logits** of shape (n,); D(x) = sigmoid(logit). Generators return
samples shaped like the input, in the [-1, 1] space Fence GAN trains in.

Architectures:
  * "dense": MLP generator (linear output) and MLP discriminator; the KDD99 networks of
    Table IV are this with G (64, 128) ReLU + dropout 0.2 and D (256, 128, 128) LReLU(0.1).
  * "residual": the 2D experiment's generator G(z) = z + MLP(z) (needs latent_dim == n_features)
    with a dense discriminator.
  * "dcgan28": the MNIST DCGAN of the code (`get_mnist_model`), for (C, 28, 28) images.
  * "dcgan32": the CIFAR-10 DCGAN of the code (`get_cifar10_model`), for (C, 32, 32) images.
  * "auto": dcgan28 / dcgan32 for 28x28 / 32x32 images, "dense" for everything else.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from ...nn import MLP, keras_batchnorm, normal_init_

__all__ = [
    "ARCHITECTURES",
    "DCGANDiscriminator28",
    "DCGANDiscriminator32",
    "DCGANGenerator28",
    "DCGANGenerator32",
    "DenseDiscriminator",
    "DenseGenerator",
    "ResidualGenerator",
    "build_fence_gan",
    "resolve_architecture",
]

ARCHITECTURES = ("auto", "dense", "residual", "dcgan28", "dcgan32")

#: LeakyReLU slopes of the two DCGANs (paper Tables II and III).
MNIST_SLOPE = 0.1
CIFAR_SLOPE = 0.2


def _keras_batchnorm1d(features: int) -> nn.BatchNorm1d:
    """BatchNorm1d with Keras defaults (momentum 0.99 == torch 0.01, eps 1e-3)."""
    return nn.BatchNorm1d(features, momentum=0.01, eps=1e-3)


@torch.no_grad()
def _glorot_normal_(module: nn.Module) -> nn.Module:
    """Keras 2 'glorot_normal': truncated normal, std sqrt(2 / (fan_in + fan_out)) / 0.8796,
    cut at two std; zero biases (the CIFAR-10 networks of the code)."""
    for m in module.modules():
        if isinstance(m, nn.Linear | nn.Conv2d | nn.ConvTranspose2d):
            fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(m.weight)
            std = math.sqrt(2.0 / (fan_in + fan_out)) / 0.87962566103423978
            nn.init.trunc_normal_(m.weight, 0.0, std, -2 * std, 2 * std)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return module


# ---------------------------------------------------------------------------------------------
# Dense (tabular, KDD99) and residual (2D experiment)
# ---------------------------------------------------------------------------------------------


class DenseGenerator(nn.Module):
    """z -> MLP(hidden, activation, dropout) -> prod(output_shape), linear, reshaped.

    Parameters
    ----------
    latent_dim : int
        Width of the latent input.
    output_shape : sequence of int
        Shape of one generated sample.
    hidden : sequence of int
        Hidden widths.
    activation : str, default="relu"
        Hidden activation (a name of `ganad.nn.layers.ACTIVATIONS`).
    negative_slope : float, default=0.01
        LeakyReLU slope ("lrelu" only).
    dropout : float, default=0.0
        Dropout rate after every hidden activation.
    """

    def __init__(
        self,
        latent_dim: int,
        output_shape: Sequence[int],
        hidden: Sequence[int],
        *,
        activation: str = "relu",
        negative_slope: float = 0.01,
        dropout: float = 0.0,
    ):
        super().__init__()
        self.output_shape = tuple(int(s) for s in output_shape)
        self.mlp = MLP(
            latent_dim,
            hidden,
            math.prod(self.output_shape),
            activation=activation,
            negative_slope=negative_slope,
            dropout=dropout,
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Generate samples.

        Parameters
        ----------
        z : torch.Tensor of shape (n, latent_dim)
            Latent codes.

        Returns
        -------
        torch.Tensor of shape (n, *output_shape)
            The generated samples (linear output).
        """
        return self.mlp(z).reshape(-1, *self.output_shape)


class ResidualGenerator(nn.Module):
    """G(z) = z + MLP(z): the 2D experiment's generator (`2D_fgan.py`, Keras `Add()`).

    Parameters
    ----------
    dim : int
        Width of z and of the output (the number of features).
    hidden : sequence of int
        Hidden widths of the MLP.
    activation : str, default="relu"
        Hidden activation (a name of `ganad.nn.layers.ACTIVATIONS`).
    negative_slope : float, default=0.01
        LeakyReLU slope ("lrelu" only).
    """

    def __init__(
        self,
        dim: int,
        hidden: Sequence[int],
        *,
        activation: str = "relu",
        negative_slope: float = 0.01,
    ):
        super().__init__()
        self.mlp = MLP(dim, hidden, dim, activation=activation, negative_slope=negative_slope)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """G(z) = z + MLP(z).

        Parameters
        ----------
        z : torch.Tensor of shape (n, dim)
            Latent codes.

        Returns
        -------
        torch.Tensor of shape (n, dim)
            The generated samples.
        """
        return z + self.mlp(z)


class DenseDiscriminator(nn.Module):
    """x (any shape, flattened) -> MLP(hidden, activation, dropout) -> one logit per sample.

    Parameters
    ----------
    in_features : int
        Values per input sample (after flattening).
    hidden : sequence of int
        Hidden widths.
    activation : str, default="lrelu"
        Hidden activation (a name of `ganad.nn.layers.ACTIVATIONS`).
    negative_slope : float, default=0.1
        LeakyReLU slope ("lrelu" only).
    dropout : float, default=0.0
        Dropout rate after every hidden activation.
    """

    def __init__(
        self,
        in_features: int,
        hidden: Sequence[int],
        *,
        activation: str = "lrelu",
        negative_slope: float = 0.1,
        dropout: float = 0.0,
    ):
        super().__init__()
        self.mlp = MLP(
            in_features,
            hidden,
            1,
            activation=activation,
            negative_slope=negative_slope,
            dropout=dropout,
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """One logit per sample (D(x) = sigmoid(logit)).

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            Samples; flattened to (n, in_features).

        Returns
        -------
        torch.Tensor of shape (n,)
            The logits.
        """
        return self.mlp(x).reshape(-1)


# ---------------------------------------------------------------------------------------------
# MNIST DCGAN (code column of METHODS §4.3)
# ---------------------------------------------------------------------------------------------


class DCGANGenerator28(nn.Module):
    """Dense 1024, ReLU -> BN -> Dense 7*7*128, ReLU -> BN -> ConvT 64 4x4 s2, ReLU -> BN ->
    ConvT C 4x4 s2 -> tanh. Activation *before* BN, as in the code; init N(0, 0.02).

    Parameters
    ----------
    latent_dim : int, default=200
        Width of the latent input.
    channels : int, default=1
        Channels C of the generated images.
    """

    def __init__(self, latent_dim: int = 200, channels: int = 1):
        super().__init__()
        self.dense = nn.Sequential(
            nn.Linear(latent_dim, 1024),
            nn.ReLU(),
            _keras_batchnorm1d(1024),
            nn.Linear(1024, 128 * 7 * 7),
            nn.ReLU(),
            _keras_batchnorm1d(128 * 7 * 7),
        )
        # Keras 'same' with stride 2 and kernel 4 doubles the size: torch padding 1.
        self.deconv = nn.Sequential(
            nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1),
            nn.ReLU(),
            keras_batchnorm(64),
            nn.ConvTranspose2d(64, channels, 4, stride=2, padding=1),
            nn.Tanh(),
        )
        normal_init_(self, 0.02)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Generate 28x28 images in [-1, 1].

        Parameters
        ----------
        z : torch.Tensor of shape (n, latent_dim)
            Latent codes.

        Returns
        -------
        torch.Tensor of shape (n, channels, 28, 28)
            The generated images.
        """
        return self.deconv(self.dense(z).reshape(-1, 128, 7, 7))


class DCGANDiscriminator28(nn.Module):
    """Conv 64 4x4 s2 -> LReLU(0.1) -> Conv 64 4x4 s2 -> LReLU(0.1) -> Dense 1024 -> LReLU(0.1)
    -> Dense 1 (logit). No BN. Init N(0, 0.02).

    Parameters
    ----------
    channels : int, default=1
        Channels C of the input images.
    """

    def __init__(self, channels: int = 1):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(channels, 64, 4, stride=2, padding=1),
            nn.LeakyReLU(MNIST_SLOPE),
            nn.Conv2d(64, 64, 4, stride=2, padding=1),
            nn.LeakyReLU(MNIST_SLOPE),
            nn.Flatten(),
            nn.Linear(64 * 7 * 7, 1024),
            nn.LeakyReLU(MNIST_SLOPE),
            nn.Linear(1024, 1),
        )
        normal_init_(self, 0.02)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """One logit per image (D(x) = sigmoid(logit)).

        Parameters
        ----------
        x : torch.Tensor of shape (n, channels, 28, 28)
            Images.

        Returns
        -------
        torch.Tensor of shape (n,)
            The logits.
        """
        return self.net(x).reshape(-1)


# ---------------------------------------------------------------------------------------------
# CIFAR-10 DCGAN (code column of METHODS §4.3)
# ---------------------------------------------------------------------------------------------


def _up5(cin: int, cout: int) -> nn.ConvTranspose2d:
    """Keras ConvT 5x5, stride 2, 'same' (doubles the size)."""
    return nn.ConvTranspose2d(cin, cout, 5, stride=2, padding=2, output_padding=1)


def _down5(cin: int, cout: int) -> nn.Conv2d:
    """Conv 5x5, stride 2, halving the size. Keras 'same' pads 1 before / 2 after; torch pads
    2 on both sides: the output size is equal, the sampling grid is shifted by one pixel."""
    return nn.Conv2d(cin, cout, 5, stride=2, padding=2)


class DCGANGenerator32(nn.Module):
    """Dense 2*2*256 -> BN -> LReLU(0.2) -> ConvT 128, 64, 32 (5x5 s2, BN, LReLU) -> ConvT C 5x5 s2
    -> tanh (32x32). Glorot-normal init.

    Parameters
    ----------
    latent_dim : int, default=256
        Width of the latent input.
    channels : int, default=3
        Channels C of the generated images.
    """

    def __init__(self, latent_dim: int = 256, channels: int = 3):
        super().__init__()
        self.dense = nn.Linear(latent_dim, 256 * 2 * 2)
        blocks: list[nn.Module] = [keras_batchnorm(256), nn.LeakyReLU(CIFAR_SLOPE)]
        for cin, cout in ((256, 128), (128, 64), (64, 32)):
            blocks += [_up5(cin, cout), keras_batchnorm(cout), nn.LeakyReLU(CIFAR_SLOPE)]
        blocks += [_up5(32, channels), nn.Tanh()]
        self.deconv = nn.Sequential(*blocks)
        _glorot_normal_(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Generate 32x32 images in [-1, 1].

        Parameters
        ----------
        z : torch.Tensor of shape (n, latent_dim)
            Latent codes.

        Returns
        -------
        torch.Tensor of shape (n, channels, 32, 32)
            The generated images.
        """
        return self.deconv(self.dense(z).reshape(-1, 256, 2, 2))


class DCGANDiscriminator32(nn.Module):
    """Conv 32, 64, 128 (5x5 s2, BN, LReLU 0.2) -> Conv 256 (no BN), LReLU -> Flatten ->
    Dropout 0.2 -> Dense 1 (logit). Glorot-normal init; no L2 (`d_l2` = 0, F-7).

    Parameters
    ----------
    channels : int, default=3
        Channels C of the input images.
    dropout : float, default=0.2
        Dropout rate before the output layer.
    """

    def __init__(self, channels: int = 3, dropout: float = 0.2):
        super().__init__()
        layers: list[nn.Module] = []
        for cin, cout in ((channels, 32), (32, 64), (64, 128)):
            layers += [_down5(cin, cout), keras_batchnorm(cout), nn.LeakyReLU(CIFAR_SLOPE)]
        layers += [_down5(128, 256), nn.LeakyReLU(CIFAR_SLOPE), nn.Flatten(), nn.Dropout(dropout)]
        layers += [nn.Linear(256 * 2 * 2, 1)]
        self.net = nn.Sequential(*layers)
        _glorot_normal_(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """One logit per image (D(x) = sigmoid(logit)).

        Parameters
        ----------
        x : torch.Tensor of shape (n, channels, 32, 32)
            Images.

        Returns
        -------
        torch.Tensor of shape (n,)
            The logits.
        """
        return self.net(x).reshape(-1)


# ---------------------------------------------------------------------------------------------
# Factory
# ---------------------------------------------------------------------------------------------


def resolve_architecture(architecture: str, input_shape: Sequence[int]) -> str:
    """Resolve "auto" and check that an explicit choice fits the input shape.

    Parameters
    ----------
    architecture : {"auto", "dense", "residual", "dcgan28", "dcgan32"}
        The requested architecture.
    input_shape : sequence of int
        Shape of one sample.

    Returns
    -------
    str
        The architecture used: never "auto".

    Raises
    ------
    ValueError
        For an unknown name, or a DCGAN whose image size does not match.
    """
    shape = tuple(int(s) for s in input_shape)
    if architecture not in ARCHITECTURES:
        raise ValueError(f"architecture must be one of {ARCHITECTURES}, got {architecture!r}.")
    if architecture == "auto":
        if len(shape) == 3 and shape[1:] == (28, 28):
            return "dcgan28"
        if len(shape) == 3 and shape[1:] == (32, 32):
            return "dcgan32"
        return "dense"
    size = {"dcgan28": 28, "dcgan32": 32}.get(architecture)
    if size is not None and (len(shape) != 3 or shape[1:] != (size, size)):
        raise ValueError(
            f"architecture {architecture!r} needs (C, {size}, {size}) images, got input shape "
            f"{shape}; use architecture='dense' (flattened) or 'auto'."
        )
    return architecture


def build_fence_gan(
    input_shape: Sequence[int],
    *,
    architecture: str = "auto",
    latent_dim: int = 32,
    g_hidden: Sequence[int] = (64, 128),
    d_hidden: Sequence[int] = (256, 128, 128),
    g_activation: str = "relu",
    d_activation: str = "lrelu",
    negative_slope: float = 0.1,
    g_dropout: float = 0.2,
    d_dropout: float = 0.0,
) -> dict[str, nn.Module]:
    """The generator and discriminator for `input_shape`. The dense/residual hidden sizes,
    activations and dropouts apply only to those architectures; the DCGANs are fixed.

    Parameters
    ----------
    input_shape : sequence of int
        Shape of one sample.
    architecture : {"auto", "dense", "residual", "dcgan28", "dcgan32"}, default="auto"
        The networks (see `resolve_architecture`).
    latent_dim : int, default=32
        Width of the latent input ("residual" needs it equal to the feature count).
    g_hidden : sequence of int, default=(64, 128)
        Hidden widths of the dense or residual generator.
    d_hidden : sequence of int, default=(256, 128, 128)
        Hidden widths of the dense discriminator.
    g_activation : str, default="relu"
        Hidden activation of the dense or residual generator.
    d_activation : str, default="lrelu"
        Hidden activation of the dense discriminator.
    negative_slope : float, default=0.1
        LeakyReLU slope of the dense and residual networks.
    g_dropout : float, default=0.2
        Dropout rate of the dense generator.
    d_dropout : float, default=0.0
        Dropout rate of the dense discriminator.

    Returns
    -------
    dict of str to torch.nn.Module
        The "generator" and the "discriminator".
    """
    shape = tuple(int(s) for s in input_shape)
    arch = resolve_architecture(architecture, shape)
    if arch == "dcgan28":
        return {
            "generator": DCGANGenerator28(latent_dim, shape[0]),
            "discriminator": DCGANDiscriminator28(shape[0]),
        }
    if arch == "dcgan32":
        return {
            "generator": DCGANGenerator32(latent_dim, shape[0]),
            "discriminator": DCGANDiscriminator32(shape[0]),
        }
    d = math.prod(shape)
    discriminator = DenseDiscriminator(
        d, d_hidden, activation=d_activation, negative_slope=negative_slope, dropout=d_dropout
    )
    if arch == "residual":
        if len(shape) != 1 or latent_dim != d:
            raise ValueError(
                "architecture 'residual' (G(z) = z + MLP(z)) needs tabular input with latent_dim "
                f"== n_features; got input shape {shape} and latent_dim={latent_dim}."
            )
        generator: nn.Module = ResidualGenerator(
            d, g_hidden, activation=g_activation, negative_slope=negative_slope
        )
    else:
        generator = DenseGenerator(
            latent_dim,
            shape,
            g_hidden,
            activation=g_activation,
            negative_slope=negative_slope,
            dropout=g_dropout,
        )
    # MLP already applies Keras' Glorot-uniform / zero-bias init (the code's Dense default).
    return {"generator": generator, "discriminator": discriminator}
