"""Composing an anomaly score from its components (METHODS §5.6–5.7; [REV] Eq. 9).

`ScoreComposer` turns the component vectors of `detector.score_components(X)` into one score:

* `method="weighted"`: Σ_k λ_k·c_k with λ_k ≥ 0 and Σ λ_k = 1 (Eq. 9). No labels are needed;
  with `standardize=True` each component is first z-scored with statistics of the (unlabelled)
  data passed to `fit`.
* `method="logistic"` / `"svm"`: a learned combiner (logistic regression, or an RBF-SVM as in
  Lüer et al.) over the standardised component vector, fitted on a **labelled** validation split.
  The review warns that this tuning uses labels and biases the evaluation, so the composer
  records it: `used_labels_` and `report()["labels"]` say whether and how many labels were used.

The χ latent-norm check (§5.7) is optional: `latent_check="penalise"` adds
`penalty · max(0, dev − k)` to the score, where dev = |‖z‖ − mode_χ| / std_χ; `"component"` adds
dev as one more component ("latent_deviation"); `accepted(components)` gives the accept mask.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from .latent import chi_deviation

if TYPE_CHECKING:
    from .components import ComponentScoringMixin

__all__ = ["DIAGNOSTICS", "ScoreComposer"]

logger = logging.getLogger(__name__)

_METHODS = ("weighted", "logistic", "svm")
_LATENT_CHECKS = ("none", "penalise", "component")
_NORM_KEY = "latent_norm"
#: Diagnostics that detectors report next to their components but that are not anomaly evidence
#: (AnoGAN's number of search steps); used only when `weights` name them explicitly.
DIAGNOSTICS = frozenset({"search_steps"})
_DEV_KEY = "latent_deviation"


def _as_components(components: Mapping[str, Any]) -> dict[str, np.ndarray]:
    if not isinstance(components, Mapping) or not components:
        raise TypeError(
            "components must be a non-empty mapping name -> 1-D array (score_components(X))."
        )
    out = {str(k): np.asarray(v, dtype=np.float64) for k, v in components.items()}
    lengths = {v.shape for v in out.values()}
    if len(lengths) != 1 or next(iter(lengths)) == () or len(next(iter(lengths))) != 1:
        raise ValueError(
            f"every component must be a 1-D array of the same length, got shapes {lengths}."
        )
    bad = [k for k, v in out.items() if not np.isfinite(v).all()]
    if bad:
        raise ValueError(f"components {bad} contain NaN or infinite values.")
    return out


class ScoreComposer:
    """Weighted or learned combination of score components, with an optional χ latent-norm check.

    Parameters
    ----------
    method : {"weighted", "logistic", "svm"}, default "weighted"
        Weighted sum (no labels), or a learned combiner fitted on labelled components.
    weights : mapping of str to float or None, default None
        Component -> weight (weighted method only); non-negative, summing to 1.
        None: equal weights over the components seen in `fit` (minus the raw latent norm and
        the DIAGNOSTICS such as AnoGAN's "search_steps").
    standardize : bool, default False
        Z-score components with the fit data's mean/std before weighting (the learned
        methods always standardise).
    latent_check : {"none", "penalise", "component"}, default "none"
        The χ latent-norm check (needs a "latent_norm" component).
    latent_dim : int or None, default None
        Degrees of freedom of the χ check (the detector's latent dimension); required by a
        latent check (`fit_detector` takes it from the detector).
    k : float, default 3.0
        Accepted band |‖z‖ − mode| ≤ k·std_χ.
    penalty : float, default 1.0
        Slope of the "penalise" term.
    C : float, default 1.0
        Regularisation of the learned combiners.
    gamma : "scale", "auto" or float, default "scale"
        RBF kernel coefficient of the SVM combiner.
    random_state : int or None, default 0
        Seed of the SVM / logistic solvers.
    """

    def __init__(
        self,
        *,
        method: str = "weighted",
        weights: Mapping[str, float] | None = None,
        standardize: bool = False,
        latent_check: str = "none",
        latent_dim: int | None = None,
        k: float = 3.0,
        penalty: float = 1.0,
        C: float = 1.0,
        gamma: str | float = "scale",
        random_state: int | None = 0,
    ):
        self.method = method
        self.weights = weights
        self.standardize = standardize
        self.latent_check = latent_check
        self.latent_dim = latent_dim
        self.k = k
        self.penalty = penalty
        self.C = C
        self.gamma = gamma
        self.random_state = random_state

    # -- validation --------------------------------------------------------------------------

    def _check_params(self) -> None:
        if self.method not in _METHODS:
            raise ValueError(f"method must be one of {_METHODS}, got {self.method!r}.")
        if self.latent_check not in _LATENT_CHECKS:
            raise ValueError(
                f"latent_check must be one of {_LATENT_CHECKS}, got {self.latent_check!r}."
            )
        if self.latent_check != "none" and (
            isinstance(self.latent_dim, bool)
            or not isinstance(self.latent_dim, int)
            or self.latent_dim < 1
        ):
            raise ValueError(
                f"latent_check={self.latent_check!r} needs latent_dim (a positive int), got {self.latent_dim!r}."
            )
        for name in ("k", "penalty", "C"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value <= 0
            ):
                raise ValueError(f"{name} must be a positive finite number, got {value!r}.")
        if self.weights is not None and self.method != "weighted":
            raise ValueError(
                "weights apply to method='weighted' only; learned combiners fit their own."
            )
        if self.weights is not None:
            w = dict(self.weights)
            if not w or any(
                isinstance(v, bool)
                or not isinstance(v, int | float)
                or not math.isfinite(v)
                or v < 0
                for v in w.values()
            ):
                raise ValueError(f"weights must be non-negative finite numbers, got {w!r}.")
            if abs(sum(w.values()) - 1.0) > 1e-6:
                raise ValueError(
                    f"weights must sum to 1 ([REV] Eq. 9), got sum {sum(w.values()):.6g}."
                )

    # -- features ----------------------------------------------------------------------------

    def _with_latent(self, comps: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        if self.latent_check == "none":
            return comps
        if _NORM_KEY not in comps:
            raise ValueError(
                f"latent_check={self.latent_check!r} needs a {_NORM_KEY!r} component; got {sorted(comps)}."
            )
        if self.latent_check == "component":
            comps = {**comps, _DEV_KEY: chi_deviation(comps[_NORM_KEY], self._latent_dof())}
        return comps

    def _latent_dof(self) -> int:
        """`latent_dim`, the χ check's degrees of freedom (`_check_params` has validated it)."""
        if self.latent_dim is None:
            raise ValueError(f"latent_check={self.latent_check!r} needs latent_dim.")
        return self.latent_dim

    def _matrix(self, comps: dict[str, np.ndarray]) -> np.ndarray:
        missing = [n for n in self.names_ if n not in comps]
        if missing:
            raise ValueError(f"components {missing} were used in fit but are missing now.")
        return np.column_stack([comps[n] for n in self.names_])

    # -- API ---------------------------------------------------------------------------------

    def fit(self, components: Mapping[str, ArrayLike], y: ArrayLike | None = None) -> ScoreComposer:
        """Fit on the components of a (validation) set. `y` (1 = anomaly) is required by the
        learned methods and ignored, with a warning, by the weighted one.

        Parameters
        ----------
        components : mapping of str to array-like of shape (n_samples,)
            Score components by name (`detector.score_components(X)`), finite, equal lengths.
        y : array-like of shape (n_samples,) or None, default None
            0/1 labels with both classes, for the learned methods.

        Returns
        -------
        ScoreComposer
            self, fitted.
        """
        self._check_params()
        comps = self._with_latent(_as_components(components))
        n = len(next(iter(comps.values())))
        if self.method == "weighted":
            if self.weights is not None:
                unknown = sorted(set(self.weights) - set(comps))
                if unknown:
                    raise ValueError(
                        f"weights name unknown components {unknown}; available: {sorted(comps)}."
                    )
                self.weights_ = {k: float(v) for k, v in self.weights.items()}
            else:
                names = [k for k in comps if k != _NORM_KEY and k not in DIAGNOSTICS]
                self.weights_ = {k: 1.0 / len(names) for k in names}
            self.names_ = list(self.weights_)
            if y is not None:
                logger.warning("ScoreComposer(method='weighted') ignores y: no labels were used.")
            self.used_labels_ = False
            self.n_labelled_ = 0
        else:
            self.names_ = [
                k
                for k in comps
                if k not in DIAGNOSTICS and (k != _NORM_KEY or self.latent_check == "none")
            ]
            y = self._check_labels(y, n)
            self.model_ = self._make_model().fit(self._matrix(comps), y)
            self.used_labels_ = True
            self.n_labelled_ = int(n)
            self.n_labelled_anomalies_ = int(y.sum())
            logger.info(
                "ScoreComposer(%s) fitted on %d labelled samples (%d anomalies): labels were used.",
                self.method,
                n,
                int(y.sum()),
            )
        mat = self._matrix(comps)
        self.mean_ = mat.mean(axis=0)
        std = mat.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        return self

    def _check_labels(self, y: Any, n: int) -> np.ndarray:
        if y is None:
            raise ValueError(
                f"method={self.method!r} is a learned combiner and needs labels y (1 = anomaly) of a "
                "validation split; use method='weighted' without labels."
            )
        y = np.asarray(y)
        if y.shape != (n,):
            raise ValueError(f"y must have shape ({n},), got {y.shape}.")
        if not np.isin(y, (0, 1)).all() or len(np.unique(y)) < 2:
            raise ValueError("y must be 0/1 labels containing both classes.")
        return y.astype(np.int64)

    def _make_model(self) -> Any:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.svm import SVC

        if self.method == "logistic":
            clf: Any = LogisticRegression(
                C=self.C, class_weight="balanced", random_state=self.random_state
            )
        else:
            clf = SVC(
                kernel="rbf",
                C=self.C,
                gamma=self.gamma,
                class_weight="balanced",
                random_state=self.random_state,
            )
        return make_pipeline(StandardScaler(), clf)

    def score(self, components: Mapping[str, ArrayLike]) -> np.ndarray:
        """The composed score (higher = more anomalous).

        Parameters
        ----------
        components : mapping of str to array-like of shape (n_samples,)
            Score components by name, including every component used in `fit`.

        Returns
        -------
        ndarray of shape (n_samples,)
            The composed score.
        """
        if not hasattr(self, "names_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("ScoreComposer is not fitted; call fit(components[, y]) first.")
        raw = _as_components(components)
        comps = self._with_latent(raw)
        mat = self._matrix(comps)
        if self.method == "weighted":
            if self.standardize:
                mat = (mat - self.mean_) / self.scale_
            s = mat @ np.array([self.weights_[n] for n in self.names_])
        else:
            s = np.asarray(self.model_.decision_function(mat), dtype=np.float64)
        if self.latent_check == "penalise":
            excess = np.maximum(chi_deviation(raw[_NORM_KEY], self._latent_dof()) - self.k, 0.0)
            s = s + self.penalty * excess
        return s

    def accepted(self, components: Mapping[str, ArrayLike]) -> np.ndarray:
        """The χ rule: True where |‖z‖ − mode| ≤ k·std_χ (needs latent_dim and a latent_norm).

        Parameters
        ----------
        components : mapping of str to array-like of shape (n_samples,)
            Score components by name, with a "latent_norm" component.

        Returns
        -------
        ndarray of bool of shape (n_samples,)
            The accept mask.
        """
        if self.latent_dim is None:
            raise ValueError("accepted() needs latent_dim.")
        raw = _as_components(components)
        if _NORM_KEY not in raw:
            raise ValueError(f"accepted() needs a {_NORM_KEY!r} component.")
        return chi_deviation(raw[_NORM_KEY], self.latent_dim) <= self.k

    def fit_detector(
        self,
        detector: ComponentScoringMixin,
        X: ArrayLike,
        y: ArrayLike | None = None,
        **kw: Any,
    ) -> ScoreComposer:
        """`fit(detector.score_components(X), y)`; takes latent_dim from the detector if unset.

        Parameters
        ----------
        detector : BaseDetector
            A fitted detector with `score_components` (`ComponentScoringMixin`).
        X : array-like
            Rows whose components to fit on (a validation split for the learned methods).
        y : array-like of shape (n_samples,) or None, default None
            0/1 labels of `X`, for the learned methods.
        **kw
            Keyword arguments of `score_components` (e.g. batch_size).

        Returns
        -------
        ScoreComposer
            self, fitted.
        """
        if self.latent_dim is None and self.latent_check != "none":
            # GANomaly resolves a None latent_dim at fit time (latent_dim_).
            self.latent_dim = int(getattr(detector, "latent_dim_", None) or detector.latent_dim)
        return self.fit(detector.score_components(X, **kw), y)

    def score_detector(
        self, detector: ComponentScoringMixin, X: ArrayLike, **kw: Any
    ) -> np.ndarray:
        """`score(detector.score_components(X))`: the composed score of rows `X`.

        Parameters
        ----------
        detector : BaseDetector
            A fitted detector with `score_components` (`ComponentScoringMixin`).
        X : array-like
            Rows to score.
        **kw
            Keyword arguments of `score_components` (e.g. batch_size).

        Returns
        -------
        ndarray of shape (n_samples,)
            The composed score.
        """
        return self.score(detector.score_components(X, **kw))

    def report(self) -> dict[str, Any]:
        """What the composer does, including whether labels were used (for result tables)."""
        if not hasattr(self, "names_"):
            raise ValueError("ScoreComposer is not fitted.")
        out: dict[str, Any] = {
            "method": self.method,
            "components": list(self.names_),
            "latent_check": self.latent_check,
        }
        if self.method == "weighted":
            out["weights"] = dict(self.weights_)
            out["standardize"] = bool(self.standardize)
            out["labels"] = "none used"
        else:
            out["labels"] = (
                f"used: fitted on {self.n_labelled_} labelled validation samples "
                f"({self.n_labelled_anomalies_} anomalies)"
            )
        out["used_labels"] = bool(self.used_labels_)
        return out
