"""Detectors whose anomaly score is a documented weighted sum of named components (METHODS §5.6).

A detector mixes in `ComponentScoringMixin` and provides
  * `_score_components_batch(x) -> dict[str, Tensor]`: every component for one scaled batch
    (residual, cross-entropy / feature-matching term, latent norm, latent error, ...);
  * `score_weights() -> dict[str, float]`: the weights of the reported score.
The mixin then gives `_score_batch` (the weighted sum, the score `decision_function` reports) and
the public `score_components(X)`, which runs the *same* seeded, batched loop as
`BaseDetector.decision_function`, so `sum(w[k] * score_components(X)[k]) == decision_function(X)`
also for randomised scores such as AnoGAN's latent search.

A detector may instead report a *composed* score ([REV]'s score composition): `composed()` names
components whose logs are standardised with their mean and std on the training rows
(`fit_component_stats`, kept in the `component_stats` buffers and saved with the model) and
summed, so components of different scales count equally.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, cast

import numpy as np
import torch
from numpy.typing import ArrayLike
from sklearn.utils.validation import check_is_fitted

from ..nn.utils import ScoreStats

if TYPE_CHECKING:
    # For the type checker the mixin is a BaseDetector (it is only ever mixed into one and uses
    # its fitted state and scoring loop); at run time it stays a plain mixin.
    from ..base import BaseDetector as _MixinBase
else:
    _MixinBase = object

__all__ = ["COMPONENT_STATS", "ComponentScoringMixin", "weighted_sum"]

#: Name of the composed score's statistics in `networks_`.
COMPONENT_STATS = "component_stats"
#: Added before the log so that a component of exactly 0 stays finite.
_LOG_EPS = 1e-12


def weighted_sum(
    components: Mapping[str, torch.Tensor], weights: Mapping[str, float]
) -> torch.Tensor:
    """Σ_k w_k·c_k in float64 (components with weight 0 are reported but do not contribute).

    Parameters
    ----------
    components : mapping of str to torch.Tensor
        Per-row score components by name (tensors of one shape).
    weights : mapping of str to float
        Weight of each component in the sum; every name must be in `components` (else
        `KeyError`), and there must be at least one.

    Returns
    -------
    torch.Tensor
        The float64 weighted sum, shaped like the components.
    """
    missing = sorted(set(weights) - set(components))
    if missing:
        raise KeyError(f"score weights name components {missing} that were not computed.")
    total: torch.Tensor | None = None
    for name, w in weights.items():
        term = components[name].double() * float(w)
        total = term if total is None else total + term
    if total is None:
        raise ValueError("score weights are empty.")
    return total


def _log_stack(components: Mapping[str, torch.Tensor], names: tuple[str, ...]) -> torch.Tensor:
    """(n, len(names)) float64 logs of the named (non-negative) components."""
    return torch.stack(
        [torch.log(components[k].double().reshape(-1).clamp_min(0) + _LOG_EPS) for k in names],
        dim=1,
    )


class ComponentScoringMixin(_MixinBase):
    """Adds `score_components(X)` and a weighted-sum `_score_batch` to a `BaseDetector`."""

    def score_weights(self) -> dict[str, float]:
        """Weights of the reported score over the components (documented per detector)."""
        raise NotImplementedError

    def _score_components_batch(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    def composed(self) -> tuple[str, ...]:
        """Components of a composed score (log, standardised on the training rows, summed); ()
        for the weighted sum of `score_weights()`."""
        return ()

    def _score_batch(self, x: torch.Tensor) -> torch.Tensor:
        components = self._score_components_batch(x)
        names = self.composed()
        if not names:
            return weighted_sum(components, self.score_weights())
        if COMPONENT_STATS not in self.networks_:
            raise ValueError(
                f"{type(self).__name__} was fitted with another score; refit it to use "
                f"{'+'.join(names)}."
            )
        stats = cast(ScoreStats, self.networks_[COMPONENT_STATS])
        return stats.standardised(_log_stack(components, names)).sum(1)

    def _component_stats_network(self) -> dict[str, ScoreStats]:
        """`{COMPONENT_STATS: ScoreStats}` for `_build_networks` when the score is composed."""
        names = self.composed()
        return {COMPONENT_STATS: ScoreStats(len(names))} if names else {}

    @torch.no_grad()
    def fit_component_stats(self, x: torch.Tensor) -> None:
        """Mean and std of the composed score's log components on the scaled training rows `x`
        (eval mode, the scoring batches); call at the end of `_fit`.

        Does nothing when the score is not composed (`composed()` is empty).

        Parameters
        ----------
        x : torch.Tensor
            The scaled training rows, on the fitting device.
        """
        names = self.composed()
        if not names:
            return
        self.networks_.eval()
        cast(ScoreStats, self.networks_[COMPONENT_STATS]).set_batched(
            lambda xb: _log_stack(self._score_components_batch(xb), names),
            x,
            self._score_rows(None),
        )

    def score_components(
        self, X: ArrayLike, *, batch_size: int | None = None
    ) -> dict[str, np.ndarray]:
        """Every score component of `X` as float64 arrays of shape (n_samples,).

        The reported score is `sum(self.score_weights()[k] * components[k])`; components outside
        `score_weights()` (e.g. the latent norm) are diagnostics for `ganad.scoring.ScoreComposer`.
        Pass the same `batch_size` as to `decision_function` for randomised scores.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Rows to score, shaped like the training data.
        batch_size : int or None, default None
            Rows per scoring pass; None: the detector's `score_batch_size`.

        Returns
        -------
        dict of str to ndarray of shape (n_samples,)
            Every component by name.
        """
        check_is_fitted(self, "networks_")
        X = self._checked_input(X)
        out: dict[str, np.ndarray] = {}
        # The same batches (and random draws) as decision_function.
        for rows, xb in self._scaled_batches(X, batch_size):
            for name, value in self._score_components_batch(xb).items():
                arr = out.setdefault(name, np.empty(len(X), dtype=np.float64))
                arr[rows] = value.detach().double().cpu().numpy().reshape(-1)
        return out
