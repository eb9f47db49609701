"""A3's target autoencoders and alarm (METHODS §3.1, §3.2).

Two architectures:
  * "da3d": the "A3" column of DA3D's Table 2 (`baselines/a3/A3v2.py`): ReLU + dropout 0.1 after
    every hidden layer, the code's ReLU is inside its layer (not read), the alarm reads encoder
    and decoder hidden activations, alarm dropout after every hidden layer.
  * "a3": the original A3 code: no hidden dropout, the code activation is read too, a single
    dropout before each output layer (target and alarm).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ...nn import MLP, keras_init_

__all__ = ["ConvTarget28", "DenseTarget", "Target", "build_alarm", "build_target"]


class DenseTarget(nn.Module):
    """Symmetric dense autoencoder whose hidden activations feed the alarm.

    Parameters
    ----------
    in_features : int
        Input features d.
    dims : sequence of int
        Encoder widths, the last one the code size; the decoder mirrors the hidden ones.
    architecture : {"da3d", "a3"}
        "da3d": dropout after every hidden layer, the code not read by the alarm; "a3": no
        hidden dropout, one dropout before the output layer, the code read too.
    dropout : float, default=0.1
        Dropout rate (placed as `architecture` says).
    """

    def __init__(
        self, in_features: int, dims: Sequence[int], *, architecture: str, dropout: float = 0.1
    ):
        super().__init__()
        hidden, code = tuple(dims[:-1]), int(dims[-1])
        original = architecture == "a3"
        self.read_code = original
        self.encoder = MLP(
            in_features,
            hidden,
            code,
            activation="relu",
            dropout=0.0 if original else dropout,
            out_activation="relu",
        )
        self.decoder = MLP(
            code,
            tuple(reversed(hidden)),
            in_features,
            activation="relu",
            dropout=0.0 if original else dropout,
            output_dropout=dropout if original else 0.0,
        )
        self.activation_dim = 2 * sum(hidden) + (code if original else 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Reconstruction logits (sigmoid output layer, applied in the loss).

        Parameters
        ----------
        x : torch.Tensor of shape (n, in_features)
            Input rows.

        Returns
        -------
        torch.Tensor
            Logits shaped like `x`.
        """
        return self.decoder(self.encoder(x)).reshape(x.shape)

    def activations(self, x: torch.Tensor) -> torch.Tensor:
        """The hidden activations the alarm reads: encoder, (code,) decoder, concatenated.

        Parameters
        ----------
        x : torch.Tensor of shape (n, in_features)
            Input rows.

        Returns
        -------
        torch.Tensor of shape (n, activation_dim)
            The activations.
        """
        code, enc_hidden = self.encoder(x, return_hidden=True)
        parts = [*enc_hidden, code] if self.read_code else list(enc_hidden)
        parts.append(self.decoder.hidden_activations(code))
        return torch.cat(parts, dim=1)


class ConvTarget28(nn.Module):
    """The Keras-blog convolutional autoencoder for 28x28 images (both A3 codes use it).

    Encoder: Conv16 -> MaxPool -> ReLU, Conv8 -> MaxPool -> ReLU, Conv8 -> MaxPool -> ReLU (4x4x8);
    decoder: Conv8 -> ReLU -> Up, Conv8 -> ReLU -> Up, Conv16 'valid' -> ReLU -> Up, Conv1 (sigmoid).
    Spatial dropout follows each block. The alarm reads all six ReLU maps (7432 values).

    Parameters
    ----------
    channels : int, default=1
        Channels of the input (and output) images.
    dropout : float, default=0.1
        Spatial (2-d) dropout rate after each block; 0 for none.
    """

    def __init__(self, channels: int = 1, dropout: float = 0.1):
        super().__init__()
        self.enc = nn.ModuleList(
            [
                nn.Conv2d(channels, 16, 3, padding=1),
                nn.Conv2d(16, 8, 3, padding=1),
                nn.Conv2d(8, 8, 3, padding=1),
            ]
        )
        self.dec = nn.ModuleList(
            [
                nn.Conv2d(8, 8, 3, padding=1),
                nn.Conv2d(8, 8, 3, padding=1),
                nn.Conv2d(8, 16, 3, padding=0),
            ]
        )
        self.out = nn.Conv2d(16, channels, 3, padding=1)
        self.pool = nn.MaxPool2d(2, ceil_mode=True)  # 'same' pooling: 7 -> 4
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.drop = nn.Dropout2d(dropout) if dropout > 0 else nn.Identity()
        self.activation_dim = 3136 + 392 + 128 + 128 + 512 + 3136
        keras_init_(self)

    def _run(self, x: torch.Tensor, collect: bool):
        acts = []
        h = x
        for conv in self.enc:
            h = torch.relu(self.pool(conv(h)))
            acts.append(h)
            h = self.drop(h)
        for conv in self.dec:
            h = torch.relu(conv(h))
            acts.append(h)
            h = self.up(self.drop(h))
        logits = self.out(h) if not collect else None
        return logits, acts

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Reconstruction logits (sigmoid applied in the loss).

        Parameters
        ----------
        x : torch.Tensor of shape (n, C, 28, 28)
            Images.

        Returns
        -------
        torch.Tensor of shape (n, C, 28, 28)
            The logits.
        """
        return self._run(x, collect=False)[0]

    def activations(self, x: torch.Tensor) -> torch.Tensor:
        """The six ReLU maps the alarm reads, flattened and concatenated.

        Parameters
        ----------
        x : torch.Tensor of shape (n, C, 28, 28)
            Images.

        Returns
        -------
        torch.Tensor of shape (n, 7432)
            The activations.
        """
        return torch.cat([a.flatten(1) for a in self._run(x, collect=True)[1]], dim=1)


#: A target autoencoder: `activations(x)` and an `activation_dim` attribute.
Target = DenseTarget | ConvTarget28


def build_target(
    input_shape: Sequence[int], dims: Sequence[int], *, architecture: str, dropout: float
) -> Target:
    """The target autoencoder: `ConvTarget28` for (C, 28, 28) images, else `DenseTarget`.

    Parameters
    ----------
    input_shape : sequence of int
        Shape of one sample; other image shapes than (C, 28, 28) are refused.
    dims : sequence of int
        Encoder widths of the dense target (ignored for images).
    architecture : {"da3d", "a3"}
        Dropout placement and code reading of the dense target (see `DenseTarget`).
    dropout : float
        Dropout rate.

    Returns
    -------
    DenseTarget or ConvTarget28
        The target, with `activations(x)` and an `activation_dim` attribute.
    """
    if len(input_shape) == 3:
        if tuple(input_shape[1:]) != (28, 28):
            raise ValueError(
                f"A3's convolutional target expects (C, 28, 28) images, got {tuple(input_shape)}."
            )
        return ConvTarget28(int(input_shape[0]), dropout)
    return DenseTarget(int(input_shape[0]), dims, architecture=architecture, dropout=dropout)


def build_alarm(
    activation_dim: int, hidden: Sequence[int], *, architecture: str, dropout: float
) -> MLP:
    """Activations -> logit of "anomalous".

    Parameters
    ----------
    activation_dim : int
        Width of the target's activation vector.
    hidden : sequence of int
        Hidden widths of the alarm (ReLU).
    architecture : {"da3d", "a3"}
        "da3d": dropout after every hidden layer; "a3": one dropout before the output layer.
    dropout : float
        Dropout rate.

    Returns
    -------
    MLP
        The alarm, one logit per row.
    """
    if architecture == "a3":
        return MLP(activation_dim, hidden, 1, activation="relu", output_dropout=dropout)
    return MLP(activation_dim, hidden, 1, activation="relu", dropout=dropout)
