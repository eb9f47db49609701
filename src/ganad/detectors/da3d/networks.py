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
    """Decoder activations -> logit of "anomalous" (the sigmoid is applied by the caller)."""
    return MLP(activation_dim, hidden, 1, activation=activation, dropout=dropout)


def build_generator(
    input_dim: int, hidden: Sequence[int], code_dim: int, *, activation: str, dropout: float
) -> MLP:
    """n_gen ~ N(0, I) -> a code vector (linear output); decoded by the frozen AAE decoder."""
    return MLP(input_dim, hidden, code_dim, activation=activation, dropout=dropout)


def build_critic(code_dim: int, hidden: Sequence[int], *, activation: str, dropout: float) -> MLP:
    """Architecturally a clone of D_prior (sigmoid output), freshly initialised."""
    return MLP(
        code_dim, hidden, 1, activation=activation, dropout=dropout, out_activation="sigmoid"
    )
