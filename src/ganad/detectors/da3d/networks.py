"""DA3D's own networks (METHODS §2.2.4–§2.2.6); the AAE block lives in `ganad.nn.aae`."""

from __future__ import annotations

from collections.abc import Sequence

from ...nn import MLP
from ...nn.utils import ScoreStats

__all__ = [
    "ScoreStats",
    "build_alarm",
    "build_critic",
    "build_generator",
]


def build_alarm(
    activation_dim: int, hidden: Sequence[int], *, activation: str, dropout: float
) -> MLP:
    """Decoder activations -> logit of "anomalous" (the sigmoid is applied by the caller).

    Parameters
    ----------
    activation_dim : int
        Width of the decoder's hidden activations.
    hidden : sequence of int
        Hidden widths.
    activation : str
        Hidden activation (a name of `ganad.nn.layers.HIDDEN_ACTIVATIONS`).
    dropout : float
        Dropout rate after every hidden activation.

    Returns
    -------
    MLP
        The alarm, one logit per row.
    """
    return MLP(activation_dim, hidden, 1, activation=activation, dropout=dropout)


def build_generator(
    input_dim: int, hidden: Sequence[int], code_dim: int, *, activation: str, dropout: float
) -> MLP:
    """n_gen ~ N(0, I) -> a code vector (linear output); decoded by the frozen AAE decoder.

    Parameters
    ----------
    input_dim : int
        Width of the N(0, I) input.
    hidden : sequence of int
        Hidden widths.
    code_dim : int
        Width of the AAE's codes (the output).
    activation : str
        Hidden activation (a name of `ganad.nn.layers.HIDDEN_ACTIVATIONS`).
    dropout : float
        Dropout rate after every hidden activation.

    Returns
    -------
    MLP
        The generator.
    """
    return MLP(input_dim, hidden, code_dim, activation=activation, dropout=dropout)


def build_critic(code_dim: int, hidden: Sequence[int], *, activation: str, dropout: float) -> MLP:
    """Architecturally a clone of D_prior (sigmoid output), freshly initialised.

    Parameters
    ----------
    code_dim : int
        Width of the codes it rates.
    hidden : sequence of int
        Hidden widths.
    activation : str
        Hidden activation (a name of `ganad.nn.layers.HIDDEN_ACTIVATIONS`).
    dropout : float
        Dropout rate after every hidden activation.

    Returns
    -------
    MLP
        The critic, one value in (0, 1) per code.
    """
    return MLP(
        code_dim, hidden, 1, activation=activation, dropout=dropout, out_activation="sigmoid"
    )
