"""Building blocks shared by the review's GAN detectors (AnoGAN, f-AnoGAN, EGBAD, ALAD, GANomaly).

* Networks that work for tabular input (n, d) and for images (n, C, 28, 28) / (n, C, 32, 32):
  `make_trunk` (features), `Critic` (trunk + one logit), `JointCritic` (BiGAN's D(x, z)),
  `make_generator` (z -> x), `make_encoder` (x -> z). Every critic returns its intermediate
  features with `return_hidden=True`, which is what the feature-matching scores read.
* Stabilisers (METHODS §5.8): `spectral_norm_all_`, `clip_weights_`, `gradient_penalty`.
* Weight averaging for inference: `ema_update_` (the averaged copy lives as its own module in
  the detector's `networks_`, so it is saved with the weights).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import SupportsInt, TypeVar, cast

import torch
from torch import nn

from .init import keras_init_, normal_init_
from .layers import make_activation

__all__ = [
    "ConvDecoder",
    "ConvTrunk",
    "Critic",
    "DenseDecoder",
    "DenseTrunk",
    "Head",
    "JointCritic",
    "check_image_shape",
    "clip_weights_",
    "ema_decay_at",
    "ema_reset_",
    "ema_update_",
    "gradient_penalty",
    "has_spectral_norm",
    "is_image_shape",
    "make_encoder",
    "make_generator",
    "make_trunk",
    "sample_latent",
    "sn_cached",
    "spectral_norm_all_",
]

_WEIGHTED = (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)
_NORMS = ("batch", "layer", "none")
_ModuleT = TypeVar("_ModuleT", bound=nn.Module)


def _out_features(trunk: nn.Module) -> int:
    """A trunk's `out_features`: a plain number attribute (`nn.Module.__getattr__` types every
    unknown attribute as a tensor or module)."""
    return int(cast(SupportsInt, trunk.out_features))


# ---------------------------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------------------------


def is_image_shape(shape: Sequence[int]) -> bool:
    """Whether a sample shape is an image, ``(C, H, W)``, rather than a table row ``(d,)``.

    Parameters
    ----------
    shape : sequence of int
        Shape of one sample.

    Returns
    -------
    bool
        True for three dimensions.
    """
    return len(shape) == 3


def check_image_shape(shape: Sequence[int], n_stages: int) -> int:
    """Side length of the smallest feature map, for square images the stride-2 stages divide.

    DCGAN-style nets halve the side `n_stages` times, so 28x28 allows 1-2 stages (7x7 at the
    bottom) and 32x32 up to 5; anything else is refused with the reason.

    Parameters
    ----------
    shape : sequence of int
        Image shape ``(C, H, W)``.
    n_stages : int
        Stride-2 stages of the network (one per entry of `conv_widths`).

    Returns
    -------
    int
        The side ``H / 2**n_stages`` of the bottom feature map.

    Raises
    ------
    ValueError
        For non-square images, or sides that `n_stages` halvings do not divide.
    """
    _, h, w = (int(s) for s in shape)
    if h != w:
        raise ValueError(f"The convolutional GAN networks need square images, got {h}x{w}.")
    bottom, rem = divmod(h, 2**n_stages)
    if rem or bottom < 1:
        raise ValueError(
            f"{h}x{w} images cannot be halved {n_stages} times (conv_widths has {n_stages} "
            f"entries); use at most {_max_stages(h)} entries, or flatten the images."
        )
    return bottom


def _max_stages(side: int) -> int:
    n = 0
    while side % 2 == 0 and side > 1:
        side //= 2
        n += 1
    return n


def _norm2d(kind: str, channels: int, side: int) -> nn.Module:
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "layer":
        return nn.LayerNorm([channels, side, side])
    return nn.Identity()


def _check_norm(kind: str) -> None:
    if kind not in _NORMS:
        raise ValueError(f"norm must be one of {_NORMS}, got {kind!r}.")


# ---------------------------------------------------------------------------------------------
# Networks
# ---------------------------------------------------------------------------------------------


class DenseTrunk(nn.Module):
    """Flatten -> (Linear -> activation -> dropout) per width. Output = the last block's output.

    Parameters
    ----------
    in_features : int
        Values per input sample (after flattening).
    widths : sequence of int
        Width of each Linear layer, in order; the last is `out_features`.
    activation : str, default="lrelu"
        Activation after each layer (a name of `ganad.nn.layers.ACTIVATIONS`).
    negative_slope : float, default=0.2
        Slope of LeakyReLU for negative inputs ("lrelu" only).
    dropout : float, default=0.0
        Dropout rate after each activation; 0 for none.
    """

    def __init__(
        self,
        in_features: int,
        widths: Sequence[int],
        *,
        activation: str = "lrelu",
        negative_slope: float = 0.2,
        dropout: float = 0.0,
    ):
        super().__init__()
        layers: list[nn.Module] = []
        width = int(in_features)
        for w in widths:
            layers += [nn.Linear(width, int(w)), make_activation(activation, negative_slope)]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = int(w)
        self.net = nn.Sequential(*layers)
        self.out_features = width
        keras_init_(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The trunk's features.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            Input batch; flattened to (n, in_features).

        Returns
        -------
        torch.Tensor of shape (n, out_features)
            The last block's output.
        """
        return self.net(x.flatten(1))


class ConvTrunk(nn.Module):
    """DCGAN discriminator/encoder body: Conv 4x4 stride 2 per width (LeakyReLU 0.2; normalisation
    from the second stage on), flattened. 28x28 with two widths ends at 7x7, 32x32 at 8x8.

    Parameters
    ----------
    input_shape : sequence of int
        Image shape ``(C, H, W)``, square, with H divisible by ``2**len(widths)``.
    widths : sequence of int
        Output channels of each stride-2 convolution, in order.
    norm : {"batch", "layer", "none"}, default="batch"
        Normalisation after each convolution but the first.
    negative_slope : float, default=0.2
        Slope of the LeakyReLU activations for negative inputs.
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        widths: Sequence[int],
        *,
        norm: str = "batch",
        negative_slope: float = 0.2,
    ):
        super().__init__()
        _check_norm(norm)
        side = int(input_shape[1])
        check_image_shape(input_shape, len(widths))
        layers: list[nn.Module] = []
        c = int(input_shape[0])
        for i, w in enumerate(widths):
            side //= 2
            layers.append(nn.Conv2d(c, int(w), 4, stride=2, padding=1))
            if i > 0:
                layers.append(_norm2d(norm, int(w), side))
            layers.append(nn.LeakyReLU(negative_slope))
            c = int(w)
        self.net = nn.Sequential(*layers)
        self.out_features = c * side * side
        normal_init_(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The trunk's flattened features.

        Parameters
        ----------
        x : torch.Tensor of shape (n, C, H, W)
            Images.

        Returns
        -------
        torch.Tensor of shape (n, out_features)
            The last feature map, flattened.
        """
        return self.net(x).flatten(1)


class ConvDecoder(nn.Module):
    """DCGAN generator: Linear(z -> w_last x s x s) -> BN -> ReLU, then ConvTranspose 4x4 stride 2
    per width in reverse (BN, ReLU), the last to the image channels; sigmoid output in [0, 1].

    Parameters
    ----------
    latent_dim : int
        Width of the codes z.
    output_shape : sequence of int
        Image shape ``(C, H, W)``, square, with H divisible by ``2**len(widths)``.
    widths : sequence of int
        Channels of the stages as in the matching `ConvTrunk` (used in reverse order).
    norm : {"batch", "layer", "none"}, default="batch"
        Normalisation of the hidden stages (and batch norm after the Linear layer for "batch").
    out_activation : str or None, default="sigmoid"
        Activation of the image (a name of `ganad.nn.layers.ACTIVATIONS`); None: linear.
    """

    def __init__(
        self,
        latent_dim: int,
        output_shape: Sequence[int],
        widths: Sequence[int],
        *,
        norm: str = "batch",
        out_activation: str | None = "sigmoid",
    ):
        super().__init__()
        _check_norm(norm)
        self.output_shape = tuple(int(s) for s in output_shape)
        side = check_image_shape(self.output_shape, len(widths))
        rev = [int(w) for w in reversed(widths)]
        self.base = (rev[0], side, side)
        self.fc = nn.Linear(int(latent_dim), rev[0] * side * side)
        self.fc_norm = nn.BatchNorm1d(rev[0] * side * side) if norm == "batch" else nn.Identity()
        layers: list[nn.Module] = [nn.ReLU()]
        outs = [*rev[1:], self.output_shape[0]]
        for i, (cin, cout) in enumerate(zip(rev, outs, strict=True)):
            side *= 2
            layers.append(nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1))
            if i < len(outs) - 1:  # no normalisation/ReLU on the image itself
                layers += [_norm2d(norm, cout, side), nn.ReLU()]
        self.net = nn.Sequential(*layers)
        self.out_act = make_activation(out_activation) if out_activation else nn.Identity()
        normal_init_(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Decode codes to images.

        Parameters
        ----------
        z : torch.Tensor of shape (n, latent_dim)
            Codes.

        Returns
        -------
        torch.Tensor of shape (n, C, H, W)
            The generated images.
        """
        h = self.fc_norm(self.fc(z.flatten(1))).reshape(-1, *self.base)
        return self.out_act(self.net(h))


class DenseDecoder(nn.Module):
    """z -> (Linear -> activation [-> dropout]) per width -> Linear(d) -> out activation, reshaped.

    Parameters
    ----------
    latent_dim : int
        Width of the codes z.
    output_shape : sequence of int
        Shape of one generated sample; d is its number of values.
    widths : sequence of int
        Hidden widths, in order.
    activation : str, default="relu"
        Hidden activation (a name of `ganad.nn.layers.ACTIVATIONS`).
    negative_slope : float, default=0.2
        Slope of LeakyReLU for negative inputs ("lrelu" only).
    dropout : float, default=0.0
        Dropout rate after each hidden activation; 0 for none.
    out_activation : str or None, default="sigmoid"
        Activation of the output layer; None: linear.
    """

    def __init__(
        self,
        latent_dim: int,
        output_shape: Sequence[int],
        widths: Sequence[int],
        *,
        activation: str = "relu",
        negative_slope: float = 0.2,
        dropout: float = 0.0,
        out_activation: str | None = "sigmoid",
    ):
        super().__init__()
        self.output_shape = tuple(int(s) for s in output_shape)
        self.trunk = DenseTrunk(
            latent_dim,
            widths,
            activation=activation,
            negative_slope=negative_slope,
            dropout=dropout,
        )
        self.out = nn.Linear(self.trunk.out_features, math.prod(self.output_shape))
        self.out_act = make_activation(out_activation) if out_activation else nn.Identity()
        keras_init_(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Decode codes to samples.

        Parameters
        ----------
        z : torch.Tensor of shape (n, latent_dim)
            Codes.

        Returns
        -------
        torch.Tensor of shape (n, *output_shape)
            The generated samples.
        """
        return self.out_act(self.out(self.trunk(z))).reshape(-1, *self.output_shape)


class Head(nn.Module):
    """A trunk followed by one Linear layer. `forward(x, return_hidden=True)` also returns
    [features], the trunk output the feature-matching losses read.

    Parameters
    ----------
    trunk : torch.nn.Module
        Feature trunk with an `out_features` attribute (e.g. `DenseTrunk`, `ConvTrunk`).
    out_features : int
        Width of the output layer.
    out_activation : str or None, default=None
        Activation of the output (a name of `ganad.nn.layers.ACTIVATIONS`); None: linear.
    """

    def __init__(self, trunk: nn.Module, out_features: int, out_activation: str | None = None):
        super().__init__()
        self.trunk = trunk
        self.out = nn.Linear(_out_features(trunk), int(out_features))
        self.out_act = make_activation(out_activation) if out_activation else nn.Identity()
        keras_init_(self.out)

    def forward(
        self, x: torch.Tensor, return_hidden: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, list[torch.Tensor]]:
        """The head's output, optionally with the trunk's features.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            Input batch, as the trunk takes it.
        return_hidden : bool, default=False
            Also return ``[features]``, the trunk output.

        Returns
        -------
        torch.Tensor or tuple of (torch.Tensor, list of torch.Tensor)
            The (n, out_features) output, and with `return_hidden` the one-element feature list.
        """
        h = self.trunk(x)
        y = self.out_act(self.out(h))
        return (y, [h]) if return_hidden else y


class Critic(Head):
    """A discriminator/critic: trunk -> one output per sample, returned with shape (n,).

    Parameters
    ----------
    trunk : torch.nn.Module
        Feature trunk with an `out_features` attribute (e.g. `DenseTrunk`, `ConvTrunk`).
    out_activation : str or None, default=None
        Activation of the output (e.g. "sigmoid"); None: a logit or WGAN critic value.
    """

    def __init__(self, trunk: nn.Module, out_activation: str | None = None):
        super().__init__(trunk, 1, out_activation)

    def forward(
        self, x: torch.Tensor, return_hidden: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, list[torch.Tensor]]:
        """One critic output per sample, optionally with the trunk's features.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            Input batch, as the trunk takes it.
        return_hidden : bool, default=False
            Also return ``[features]``, the trunk output.

        Returns
        -------
        torch.Tensor or tuple of (torch.Tensor, list of torch.Tensor)
            The (n,) outputs, and with `return_hidden` the one-element feature list.
        """
        h = self.trunk(x)
        y = self.out_act(self.out(h)).squeeze(1)
        return (y, [h]) if return_hidden else y


class JointCritic(nn.Module):
    """BiGAN's D(x, z): an x branch and a z branch, concatenated, a joint dense block (the
    intermediate layer of the feature-matching score), then one logit per sample.

    Parameters
    ----------
    x_trunk : torch.nn.Module
        Feature trunk of x, with an `out_features` attribute.
    z_trunk : torch.nn.Module
        Feature trunk of z, with an `out_features` attribute.
    joint_widths : sequence of int
        Widths of the joint dense block (LeakyReLU) on the concatenated features.
    negative_slope : float, default=0.2
        Slope of the joint block's LeakyReLU for negative inputs.
    dropout : float, default=0.0
        Dropout rate after each joint activation; 0 for none.
    """

    def __init__(
        self,
        x_trunk: nn.Module,
        z_trunk: nn.Module,
        joint_widths: Sequence[int],
        *,
        negative_slope: float = 0.2,
        dropout: float = 0.0,
    ):
        super().__init__()
        self.x_trunk = x_trunk
        self.z_trunk = z_trunk
        self.joint = DenseTrunk(
            _out_features(x_trunk) + _out_features(z_trunk),
            joint_widths,
            negative_slope=negative_slope,
            dropout=dropout,
        )
        self.out = nn.Linear(self.joint.out_features, 1)
        keras_init_(self.out)

    def forward(
        self, x: torch.Tensor, z: torch.Tensor, return_hidden: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, list[torch.Tensor]]:
        """D(x, z) per pair, optionally with the joint block's features.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            Samples, as `x_trunk` takes them.
        z : torch.Tensor of shape (n, latent_dim)
            Codes paired with them.
        return_hidden : bool, default=False
            Also return ``[features]``, the joint block's output.

        Returns
        -------
        torch.Tensor or tuple of (torch.Tensor, list of torch.Tensor)
            The (n,) logits, and with `return_hidden` the one-element feature list.
        """
        h = self.joint(torch.cat([self.x_trunk(x), self.z_trunk(z)], dim=1))
        y = self.out(h).squeeze(1)
        return (y, [h]) if return_hidden else y


def make_trunk(
    input_shape: Sequence[int],
    *,
    hidden: Sequence[int],
    conv_widths: Sequence[int],
    activation: str = "lrelu",
    negative_slope: float = 0.2,
    dropout: float = 0.0,
    norm: str = "batch",
) -> nn.Module:
    """Feature trunk: dense (`hidden`) for tabular input, DCGAN conv (`conv_widths`) for images.

    Parameters
    ----------
    input_shape : sequence of int
        Shape of one sample: ``(C, H, W)`` gives a `ConvTrunk`, anything else a `DenseTrunk`.
    hidden : sequence of int
        Widths of the dense trunk.
    conv_widths : sequence of int
        Channels of the convolutional trunk's stride-2 stages.
    activation : str, default="lrelu"
        Activation of the dense trunk (the convolutional one always uses LeakyReLU).
    negative_slope : float, default=0.2
        Slope of LeakyReLU for negative inputs.
    dropout : float, default=0.0
        Dropout rate of the dense trunk.
    norm : {"batch", "layer", "none"}, default="batch"
        Normalisation of the convolutional trunk.

    Returns
    -------
    torch.nn.Module
        The trunk, with an `out_features` attribute.
    """
    if is_image_shape(input_shape):
        return ConvTrunk(input_shape, conv_widths, norm=norm, negative_slope=negative_slope)
    return DenseTrunk(
        math.prod(input_shape),
        hidden,
        activation=activation,
        negative_slope=negative_slope,
        dropout=dropout,
    )


def make_generator(
    latent_dim: int,
    output_shape: Sequence[int],
    *,
    hidden: Sequence[int],
    conv_widths: Sequence[int],
    activation: str = "relu",
    negative_slope: float = 0.2,
    dropout: float = 0.0,
    norm: str = "batch",
    out_activation: str | None = "sigmoid",
) -> nn.Module:
    """z -> x. Sigmoid output by default: every detector sees min-max scaled data in [0, 1].

    Parameters
    ----------
    latent_dim : int
        Width of the codes z.
    output_shape : sequence of int
        Shape of one sample: ``(C, H, W)`` gives a `ConvDecoder`, anything else a
        `DenseDecoder`.
    hidden : sequence of int
        Hidden widths of the dense decoder.
    conv_widths : sequence of int
        Channels of the convolutional decoder's stages (as in the matching `ConvTrunk`).
    activation : str, default="relu"
        Hidden activation of the dense decoder (the convolutional one uses ReLU).
    negative_slope : float, default=0.2
        Slope of LeakyReLU for negative inputs ("lrelu" only).
    dropout : float, default=0.0
        Dropout rate of the dense decoder.
    norm : {"batch", "layer", "none"}, default="batch"
        Normalisation of the convolutional decoder.
    out_activation : str or None, default="sigmoid"
        Activation of the output; None: linear.

    Returns
    -------
    torch.nn.Module
        The generator, mapping (n, latent_dim) codes to (n, *output_shape) samples.
    """
    if is_image_shape(output_shape):
        return ConvDecoder(
            latent_dim, output_shape, conv_widths, norm=norm, out_activation=out_activation
        )
    return DenseDecoder(
        latent_dim,
        output_shape,
        hidden,
        activation=activation,
        negative_slope=negative_slope,
        dropout=dropout,
        out_activation=out_activation,
    )


def make_encoder(
    input_shape: Sequence[int],
    latent_dim: int,
    *,
    hidden: Sequence[int],
    conv_widths: Sequence[int],
    activation: str = "lrelu",
    negative_slope: float = 0.2,
    dropout: float = 0.0,
    norm: str = "batch",
) -> Head:
    """x -> z with a linear code.

    Parameters
    ----------
    input_shape : sequence of int
        Shape of one sample (see `make_trunk`).
    latent_dim : int
        Width of the code.
    hidden : sequence of int
        Widths of the dense trunk (tabular input).
    conv_widths : sequence of int
        Channels of the convolutional trunk's stride-2 stages (image input).
    activation : str, default="lrelu"
        Activation of the dense trunk.
    negative_slope : float, default=0.2
        Slope of LeakyReLU for negative inputs.
    dropout : float, default=0.0
        Dropout rate of the dense trunk.
    norm : {"batch", "layer", "none"}, default="batch"
        Normalisation of the convolutional trunk.

    Returns
    -------
    Head
        The encoder, mapping (n, *input_shape) samples to (n, latent_dim) codes.
    """
    trunk = make_trunk(
        input_shape,
        hidden=hidden,
        conv_widths=conv_widths,
        activation=activation,
        negative_slope=negative_slope,
        dropout=dropout,
        norm=norm,
    )
    return Head(trunk, latent_dim)


def sample_latent(
    n: int, latent_dim: int, prior: str, *, device: torch.device | str
) -> torch.Tensor:
    """Draws from the latent prior with the (seeded) global torch RNG: N(0, I) or U(-1, 1).

    Parameters
    ----------
    n : int
        Number of codes.
    latent_dim : int
        Width of each code.
    prior : {"normal", "uniform"}
        N(0, I) or U(-1, 1) per coordinate.
    device : torch.device or str
        Where the codes are drawn.

    Returns
    -------
    torch.Tensor of shape (n, latent_dim)
        The codes.
    """
    if prior == "normal":
        return torch.randn(n, latent_dim, device=device)
    if prior == "uniform":
        return torch.rand(n, latent_dim, device=device) * 2.0 - 1.0
    raise ValueError(f"latent prior must be 'normal' or 'uniform', got {prior!r}.")


# ---------------------------------------------------------------------------------------------
# Stabilisers (METHODS §5.8)
# ---------------------------------------------------------------------------------------------


def spectral_norm_all_(module: _ModuleT) -> _ModuleT:
    """Spectral normalisation (Miyato et al.) on every Linear/Conv/ConvTranspose weight, with
    PyTorch's parametrization (one power iteration per training-mode forward, persistent u, v).

    Apply after initialisation: the parametrization divides the initialised weight by its
    largest singular value.

    Parameters
    ----------
    module : torch.nn.Module
        The network changed in place (every Linear, Conv2d and ConvTranspose2d at any depth).

    Returns
    -------
    torch.nn.Module
        `module` itself.
    """
    from torch.nn.utils.parametrizations import spectral_norm

    for m in [m for m in module.modules() if isinstance(m, _WEIGHTED)]:
        spectral_norm(m)
    return module


def has_spectral_norm(module: nn.Module) -> bool:
    """Whether every weight layer of `module` carries the spectral-norm parametrization.

    Parameters
    ----------
    module : torch.nn.Module
        The network inspected.

    Returns
    -------
    bool
        True when it has weight layers and all of them are parametrized; False otherwise.
    """
    from torch.nn.utils import parametrize

    layers = [m for m in module.modules() if isinstance(m, _WEIGHTED)]
    return bool(layers) and all(parametrize.is_parametrized(m, "weight") for m in layers)


def sn_cached() -> AbstractContextManager[None]:
    """Compute every parametrized (spectral-norm) weight once inside the block.

    Without it each forward call of a spectrally normalised network in training mode runs its own
    power iteration; a training step that calls a discriminator six times would advance u six
    times. Inside the block there is one power iteration per network and step — Miyato et al.'s
    schedule — and frozen networks (latent search, scoring) skip recomputing W/σ per call.
    Leave the block before `optimizer.step()`."""
    from torch.nn.utils import parametrize

    return parametrize.cached()


@torch.no_grad()
def clip_weights_(module: nn.Module, clip_value: float) -> None:
    """WGAN weight clipping: clamp every parameter to [-c, c] after a critic step.

    Parameters
    ----------
    module : torch.nn.Module
        The critic, changed in place.
    clip_value : float
        The bound c > 0.
    """
    for p in module.parameters():
        p.clamp_(-clip_value, clip_value)


def gradient_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor], real: torch.Tensor, fake: torch.Tensor
) -> torch.Tensor:
    """WGAN-GP: E[(‖∇_x̂ D(x̂)‖₂ − 1)²] at x̂ = εx + (1 − ε)x̃, ε ~ U[0, 1] per sample.

    The graph is kept (create_graph) so the penalty trains the critic.

    Parameters
    ----------
    critic : callable
        Maps a batch of samples to one output per sample.
    real : torch.Tensor of shape (n, ...)
        Real samples x.
    fake : torch.Tensor of shape (n, ...)
        Generated samples x̃, shaped like `real`.

    Returns
    -------
    torch.Tensor
        The 0-d penalty (without its weight).
    """
    eps = torch.rand(len(real), *([1] * (real.dim() - 1)), device=real.device)
    mixed = (eps * real + (1.0 - eps) * fake).requires_grad_(True)
    out = critic(mixed)
    (grad,) = torch.autograd.grad(out.sum(), mixed, create_graph=True)
    return (grad.flatten(1).norm(dim=1) - 1.0).pow(2).mean()


# ---------------------------------------------------------------------------------------------
# Weight averaging
# ---------------------------------------------------------------------------------------------


def ema_decay_at(step: int, decay: float) -> float:
    """TensorFlow's `ExponentialMovingAverage(decay, num_updates=step)`: min(decay, (1+t)/(10+t)),
    so the average follows the live weights early on instead of sitting at the initialisation.

    Parameters
    ----------
    step : int
        Updates made so far, t.
    decay : float
        The nominal decay in [0, 1).

    Returns
    -------
    float
        The decay applied at this step.
    """
    return min(decay, (1.0 + step) / (10.0 + step))


@torch.no_grad()
def ema_update_(average: nn.Module, live: nn.Module, decay: float) -> None:
    """average ← decay·average + (1 − decay)·live for parameters; buffers (BatchNorm statistics,
    spectral-norm u/v) are copied, as TF's EMA getter falls back to the live non-trainables.

    Parameters
    ----------
    average : torch.nn.Module
        The averaged copy, updated in place.
    live : torch.nn.Module
        The trained network, of the same architecture.
    decay : float
        Weight of the old average in [0, 1] (see `ema_decay_at`).
    """
    averaged: list[torch.Tensor] = list(average.parameters())
    current: list[torch.Tensor] = list(live.parameters())
    if len(averaged) != len(current):
        raise ValueError("EMA and live networks differ in their parameters.")
    torch._foreach_lerp_(averaged, current, 1.0 - decay)  # one fused call, not one per tensor
    for ba, bl in zip(average.buffers(), live.buffers(), strict=True):
        ba.copy_(bl)


@torch.no_grad()
def ema_reset_(average: nn.Module, live: nn.Module) -> None:
    """Start the average at the live weights (and freeze it: it is never trained directly).

    Parameters
    ----------
    average : torch.nn.Module
        The averaged copy, overwritten in place.
    live : torch.nn.Module
        The trained network, of the same architecture.
    """
    average.load_state_dict(live.state_dict())
    for p in average.parameters():
        p.requires_grad_(False)
