"""Dense network that can return its hidden activations (A3/DA3D's alarm reads them)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from .init import keras_init_
from .layers import make_activation

__all__ = ["MLP"]


class MLP(nn.Module):
    """Linear -> activation -> dropout for each hidden size, then Linear(out_features) -> out_activation.

    `forward(x, return_hidden=True)` also returns the hidden activations, taken after the
    activation function and before dropout (METHODS §2.4), in forward order. Inputs of any shape
    are flattened per sample.
    """

    def __init__(
        self,
        in_features: int,
        hidden: Sequence[int],
        out_features: int,
        *,
        activation: str = "lrelu",
        negative_slope: float = 0.01,
        dropout: float = 0.0,
        out_activation: str | None = None,
        bias: bool = True,
        output_dropout: float = 0.0,
    ):
        super().__init__()
        self.hidden_sizes = tuple(int(h) for h in hidden)
        self.linears = nn.ModuleList()
        self.acts = nn.ModuleList()
        width = int(in_features)
        for h in self.hidden_sizes:
            self.linears.append(nn.Linear(width, h, bias=bias))
            self.acts.append(make_activation(activation, negative_slope))
            width = h
        self.drop = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        # A3's target AE and alarm put one dropout right before the output layer only.
        self.out_drop = nn.Dropout(output_dropout) if output_dropout > 0 else nn.Identity()
        self.out = nn.Linear(width, int(out_features), bias=bias)
        self.out_act = (
            make_activation(out_activation, negative_slope) if out_activation else nn.Identity()
        )
        keras_init_(self)

    @property
    def hidden_dim(self) -> int:
        """Total width of the hidden activations returned with `return_hidden=True`."""
        return sum(self.hidden_sizes)

    def hidden_activations(self, x: torch.Tensor) -> torch.Tensor:
        """Concatenated hidden activations, shape (n, hidden_dim); the output layer is skipped."""
        h = x.flatten(1)
        hidden: list[torch.Tensor] = []
        for linear, act in zip(self.linears, self.acts, strict=True):
            h = act(linear(h))
            hidden.append(h)
            h = self.drop(h)
        return torch.cat(hidden, dim=1)

    def forward(self, x: torch.Tensor, return_hidden: bool = False):
        h = x.flatten(1)
        hidden: list[torch.Tensor] = []
        for linear, act in zip(self.linears, self.acts, strict=True):
            h = act(linear(h))
            if return_hidden:
                hidden.append(h)
            h = self.drop(h)
        y = self.out_act(self.out(self.out_drop(h)))
        return (y, hidden) if return_hidden else y
