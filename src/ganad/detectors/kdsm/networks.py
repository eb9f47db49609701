"""K-DSM's score network: a ResNet MLP (RTDL style) from x to a vector of x's size."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["NoiseScales", "ResidualBlock", "ScoreResNet"]


class ResidualBlock(nn.Module):
    """x + Dropout(Linear(Dropout(ReLU(Linear(BatchNorm(x)))))).

    Parameters
    ----------
    width : int
        Width of the block's input, hidden layer and output.
    hidden_dropout : float
        Dropout rate after the ReLU.
    residual_dropout : float
        Dropout rate on the residual branch's output.
    """

    def __init__(self, width: int, hidden_dropout: float, residual_dropout: float):
        super().__init__()
        self.norm = nn.BatchNorm1d(width)
        self.linear1 = nn.Linear(width, width)
        self.linear2 = nn.Linear(width, width)
        self.hidden_dropout = nn.Dropout(hidden_dropout)
        self.residual_dropout = nn.Dropout(residual_dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The block's output, x plus its residual branch.

        Parameters
        ----------
        x : torch.Tensor of shape (n, width)
            Input.

        Returns
        -------
        torch.Tensor of shape (n, width)
            Output.
        """
        h = self.hidden_dropout(torch.relu(self.linear1(self.norm(x))))
        return x + self.residual_dropout(self.linear2(h))


class ScoreResNet(nn.Module):
    """Linear(d, width) -> n_blocks residual blocks -> BatchNorm -> ReLU -> Linear(width, d).

    Parameters
    ----------
    n_features : int
        Features d of the input and the output.
    width : int
        Width of the residual blocks.
    n_blocks : int
        Number of residual blocks.
    hidden_dropout : float, default=0.2
        Dropout rate inside each block.
    residual_dropout : float, default=0.1
        Dropout rate on each block's residual branch.
    """

    def __init__(
        self,
        n_features: int,
        width: int,
        n_blocks: int,
        hidden_dropout: float = 0.2,
        residual_dropout: float = 0.1,
    ):
        super().__init__()
        self.inp = nn.Linear(n_features, width)
        self.blocks = nn.Sequential(
            *(ResidualBlock(width, hidden_dropout, residual_dropout) for _ in range(n_blocks))
        )
        self.norm = nn.BatchNorm1d(width)
        self.out = nn.Linear(width, n_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """f(x), the estimate of sigma times the score.

        Parameters
        ----------
        x : torch.Tensor of shape (n, ...)
            Rows; flattened to (n, n_features).

        Returns
        -------
        torch.Tensor of shape (n, n_features)
            f(x).
        """
        h = self.blocks(self.inp(x.flatten(1)))
        return self.out(torch.relu(self.norm(h)))


class NoiseScales(nn.Module):
    """The per-feature noise scales sigma_j, a buffer saved with the model.

    Parameters
    ----------
    n_features : int
        Number of features (scales).
    """

    sigma: torch.Tensor

    def __init__(self, n_features: int):
        super().__init__()
        self.register_buffer("sigma", torch.ones(n_features))
