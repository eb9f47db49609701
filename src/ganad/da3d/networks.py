"""DA3D's own networks (METHODS §2.2.4–§2.2.6); the AAE lives in `ganad.aae`."""

from __future__ import annotations

from collections.abc import Sequence

from ..nn import MLP
from ..nn.utils import ScoreStats

__all__ = [
    "BIG_ALARM",
    "SMALL_ALARM",
    "ScoreStats",
    "build_alarm",
    "build_critic",
    "build_generator",
    "default_alarm_hidden",
]

BIG_ALARM = (1000, 500, 200, 75)
SMALL_ALARM = (100, 50, 25, 10)


def default_alarm_hidden(activation_dim: int) -> tuple[int, ...]:
    """Rule for data without a preset: the paper's small alarm for tiny activation vectors
    (Mammography's 39), the big one otherwise (every other data set has >= 150)."""
    return SMALL_ALARM if activation_dim < 100 else BIG_ALARM


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
