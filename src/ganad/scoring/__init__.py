"""Score composition for the GAN detectors (METHODS §5.6–5.7): component scoring, the
`ScoreComposer` (weighted or learned combination) and the χ latent-norm check."""

from .components import ComponentScoringMixin, weighted_sum
from .composer import ScoreComposer
from .latent import ChiStats, chi_accept, chi_deviation, chi_stats

__all__ = [
    "ChiStats",
    "ComponentScoringMixin",
    "ScoreComposer",
    "chi_accept",
    "chi_deviation",
    "chi_stats",
    "weighted_sum",
]
