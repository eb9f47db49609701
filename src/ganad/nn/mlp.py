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

    Parameters
    ----------
    in_features : int
        Values per input sample (after flattening).
    hidden : sequence of int
        Width of each hidden layer, in order; empty for a single Linear layer.
    out_features : int
        Width of the output layer.
    activation : str, default="lrelu"
        Hidden activation, one of `ganad.nn.layers.ACTIVATIONS` ("lrelu", "relu", "selu",
        "tanh", "elu", "sigmoid").
    negative_slope : float, default=0.01
        Slope of LeakyReLU for negative inputs (hidden and output "lrelu" only).
    dropout : float, default=0.0
        Dropout rate after every hidden activation; 0 for none.
    out_activation : str or None, default=None
        Activation of the output layer (a name as for `activation`); None: linear output.
    bias : bool, default=True
        Whether every Linear layer has a bias.
    output_dropout : float, default=0.0
        Dropout rate right before the output layer (A3's networks); 0 for none.
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
        """Concatenated hidden activations, shape (n, hidden_dim); the output layer is skipped.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            Input batch; flattened to (n, in_features).

        Returns
        -------
        torch.Tensor of shape (n, hidden_dim)
            Every hidden layer's activations (after the activation, before dropout).
        """
        h = x.flatten(1)
        hidden: list[torch.Tensor] = []
        for linear, act in zip(self.linears, self.acts, strict=True):
            h = act(linear(h))
            hidden.append(h)
            h = self.drop(h)
        return torch.cat(hidden, dim=1)

    def forward(
        self, x: torch.Tensor, return_hidden: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, list[torch.Tensor]]:
        """The network's output, optionally with its hidden activations.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            Input batch; flattened to (n, in_features).
        return_hidden : bool, default=False
            Also return the list of hidden activations (after the activation, before dropout).

        Returns
        -------
        torch.Tensor or tuple of (torch.Tensor, list of torch.Tensor)
            The (n, out_features) output, and with `return_hidden` the hidden activations in
            forward order.
        """
        h = x.flatten(1)
        hidden: list[torch.Tensor] = []
        for linear, act in zip(self.linears, self.acts, strict=True):
            h = act(linear(h))
            if return_hidden:
                hidden.append(h)
            h = self.drop(h)
        y = self.out_act(self.out(self.out_drop(h)))
        return (y, hidden) if return_hidden else y
