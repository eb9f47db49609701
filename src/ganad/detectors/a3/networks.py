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

__all__ = ["ConvTarget28", "DenseTarget", "build_alarm", "build_target"]


class DenseTarget(nn.Module):
    """Symmetric dense autoencoder whose hidden activations feed the alarm."""

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
        """Reconstruction logits (sigmoid output layer, applied in the loss)."""
        return self.decoder(self.encoder(x)).reshape(x.shape)

    def activations(self, x: torch.Tensor) -> torch.Tensor:
        code, enc_hidden = self.encoder(x, return_hidden=True)
        parts = [*enc_hidden, code] if self.read_code else list(enc_hidden)
        parts.append(self.decoder.hidden_activations(code))
        return torch.cat(parts, dim=1)


class ConvTarget28(nn.Module):
    """The Keras-blog convolutional autoencoder for 28x28 images (both A3 codes use it).

    Encoder: Conv16 -> MaxPool -> ReLU, Conv8 -> MaxPool -> ReLU, Conv8 -> MaxPool -> ReLU (4x4x8);
    decoder: Conv8 -> ReLU -> Up, Conv8 -> ReLU -> Up, Conv16 'valid' -> ReLU -> Up, Conv1 (sigmoid).
    Spatial dropout follows each block. The alarm reads all six ReLU maps (7432 values).
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
        return self._run(x, collect=False)[0]

    def activations(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([a.flatten(1) for a in self._run(x, collect=True)[1]], dim=1)


def build_target(
    input_shape: Sequence[int], dims: Sequence[int], *, architecture: str, dropout: float
) -> nn.Module:
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
    """Activations -> logit of "anomalous"."""
    if architecture == "a3":
        return MLP(activation_dim, hidden, 1, activation="relu", output_dropout=dropout)
    return MLP(activation_dim, hidden, 1, activation="relu", dropout=dropout)
