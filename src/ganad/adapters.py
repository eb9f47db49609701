"""Adapters: scikit-learn and PyOD outlier detectors behind the ganad detector contract.

    >>> from sklearn.ensemble import IsolationForest
    >>> det = ganad.adapters.from_sklearn(IsolationForest(n_estimators=200)).fit(X_train)
    >>> det = ganad.adapters.get_adapter("pyod:ECOD").fit(X_train)      # pip install ganad[pyod]

An adapter behaves like every ganad detector: `fit(X)` returns self; `decision_function` is
"higher = more anomalous" (scikit-learn's `score_samples`/`decision_function` are "higher = more
normal" and are negated); `predict` gives 0/1 at `threshold_`, the (1 - contamination) quantile of
the training scores; `predict_proba`, `decision_scores_`, `labels_`, `clone` and `get_params` work
as for the neural detectors. Inputs are validated the same way (2-D numeric, finite).

What differs: adapters are not in `ganad.list_detectors()` (the runner builds them by name with
`get_adapter("sklearn:IsolationForest", **params)` / `get_adapter("pyod:ECOD")`), they take
tabular (n, d) data only, and `save()` raises `NotImplementedError`: arbitrary estimators can only
be persisted with pickle, which ganad refuses because unpickling runs arbitrary code.
"""

from __future__ import annotations

import importlib
import importlib.util
import numbers
import re
from dataclasses import replace
from typing import Any, ClassVar, cast

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from . import _validation as V
from .base import BaseDetector
from .tags import DetectorTags

__all__ = [
    "PyODAdapter",
    "SklearnAdapter",
    "from_pyod",
    "from_sklearn",
    "get_adapter",
    "list_adapters",
]

#: scikit-learn outlier detectors that `get_adapter("sklearn:<Name>")` knows.
SKLEARN_DETECTORS: dict[str, str] = {
    "IsolationForest": "sklearn.ensemble:IsolationForest",
    "OneClassSVM": "sklearn.svm:OneClassSVM",
    "SGDOneClassSVM": "sklearn.linear_model:SGDOneClassSVM",
    "LocalOutlierFactor": "sklearn.neighbors:LocalOutlierFactor",
    "EllipticEnvelope": "sklearn.covariance:EllipticEnvelope",
}
#: A few common PyOD models (any `pyod.models.<module>.<Name>` resolves; these are just listed).
PYOD_EXAMPLES = (
    "ECOD",
    "COPOD",
    "IForest",
    "KNN",
    "LOF",
    "OCSVM",
    "HBOS",
    "PCA",
    "MCD",
    "LODA",
    "INNE",
    "KDE",
)

_DEFAULT_CONTAMINATION = 0.1
_PYOD_MISSING = (
    "PyOD is an optional dependency of ganad; install it with `pip install ganad[pyod]` "
    "(or `pip install pyod`) to use PyOD detectors."
)


def _import_pyod_base():
    try:
        from pyod.models.base import BaseDetector as PyODBase
    except ImportError as exc:
        raise ImportError(_PYOD_MISSING) from exc
    return PyODBase


def _is_pyod_object(obj: Any) -> bool:
    return type(obj).__module__.split(".")[0] == "pyod"


class _AdapterBase(BaseDetector):
    """Shared contract for wrapped estimators: validation, threshold, probabilities, no pickle."""

    backend: ClassVar[str] = ""

    def __ganad_tags__(self) -> DetectorTags:
        return replace(
            super().__ganad_tags__(),
            supports_images=False,
        )

    def __init__(
        self, estimator: Any, *, contamination: float | None = None, random_state: int | None = None
    ):
        self.estimator = estimator
        self.contamination = contamination
        self.random_state = random_state

    @property
    def name(self) -> str:  # type: ignore[override]  # per instance: "sklearn:IsolationForest"
        return f"{self.backend}:{type(self.estimator).__name__}"

    # -- validation --------------------------------------------------------------------------

    def _validate_params(self) -> None:
        if self.contamination is not None:
            V.CONTAMINATION.check("contamination", self.contamination)
        V.RANDOM_STATE.check("random_state", self.random_state)
        if isinstance(self.estimator, type):
            raise TypeError(
                f"{type(self).__name__} needs an estimator instance, got the class "
                f"{self.estimator.__name__}; write {self.estimator.__name__}() instead."
            )
        if not hasattr(self.estimator, "fit"):
            raise TypeError(
                f"{type(self.estimator).__name__} has no fit method; not an outlier detector."
            )
        self._check_estimator(self.estimator)

    def _check_estimator(self, estimator: Any) -> None:
        raise NotImplementedError

    def _resolved_contamination(self) -> float:
        """The adapter's contamination, else the estimator's own numeric one, else 0.1."""
        if self.contamination is not None:
            return float(self.contamination)
        own = getattr(self.estimator, "contamination", None)
        if (
            isinstance(own, numbers.Real)
            and not isinstance(own, bool)
            and 0 < cast(float, own) <= 0.5
        ):
            return float(own)
        return _DEFAULT_CONTAMINATION

    # -- fitting and scoring -------------------------------------------------------------------

    # The wrapped estimators take neither validation data nor checkpoints, so `fit` keeps the
    # scikit-learn signature: those keywords are a TypeError, as for any sklearn estimator.
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> _AdapterBase:  # type: ignore[override]
        """Fit a clone of `estimator` on `X`; y is ignored (the wrapped detectors are unsupervised).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The training rows.
        y : array-like or None, default=None
            Ignored.

        Returns
        -------
        self
        """
        self._validate_params()
        X = V.check_input(X, allow_images=False)
        estimator = clone(self.estimator)
        if self.random_state is not None and "random_state" in estimator.get_params(deep=False):
            estimator.set_params(random_state=self.random_state)
        data = X.astype(np.float64)
        estimator.fit(data)
        self.estimator_ = estimator
        self.input_shape_ = (int(X.shape[1]),)
        self.n_features_in_ = int(X.shape[1])
        self.contamination_ = self._resolved_contamination()
        self.decision_scores_ = self._finite(self._training_scores(data))
        self.feature_medians_ = np.median(X, axis=0).astype(np.float32)  # explain's baseline
        self._set_threshold()
        return self

    def explain(
        self,
        X: ArrayLike,
        *,
        method: str = "auto",
        groups: ArrayLike | None = None,
        baseline: ArrayLike | None = None,
        **_: Any,
    ) -> np.ndarray:
        """Per-feature attributions by feature ablation through `decision_function` (the wrapped
        estimator has no gradients to follow); see `ganad.explain.explain_by_ablation`."""
        from .explain import explain_by_ablation

        return explain_by_ablation(self, X, method=method, groups=groups, baseline=baseline)

    def _set_threshold(self) -> None:
        self.threshold_ = float(
            np.percentile(self.decision_scores_, 100.0 * (1.0 - self.contamination_))
        )
        self.labels_ = (self.decision_scores_ > self.threshold_).astype(np.int64)

    def decision_function(self, X: ArrayLike, *, batch_size: int | None = None) -> np.ndarray:
        """Anomaly scores of `X`, shape (n_samples,); higher = more anomalous. (`batch_size` is
        accepted for signature compatibility and ignored.)"""
        check_is_fitted(self, "estimator_")
        X = V.check_input(X, input_shape=self.input_shape_, allow_images=False)
        return self._finite(self._scores(self.estimator_, X.astype(np.float64)))

    def _finite(self, scores: Any) -> np.ndarray:
        out = np.asarray(scores, dtype=np.float64).reshape(-1)
        if not np.isfinite(out).all():
            raise FloatingPointError(f"{self.name} produced non-finite anomaly scores.")
        return out

    def _training_scores(self, X: np.ndarray) -> np.ndarray:
        """Scores of the training rows `X` by the fitted clone `estimator_`."""
        raise NotImplementedError

    def _scores(self, estimator: Any, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    # -- persistence ---------------------------------------------------------------------------

    def save(self, path: str) -> None:
        raise NotImplementedError(
            f"{self.name} cannot be saved by ganad: a scikit-learn/PyOD estimator can only be "
            "persisted with pickle (joblib), and ganad never pickles because loading a pickle runs "
            "arbitrary code. Refit the adapter, or persist `adapter.estimator_` yourself "
            "(e.g. with skops or joblib) if you trust the file's origin."
        )


class SklearnAdapter(_AdapterBase):
    """A scikit-learn outlier detector (IsolationForest, OneClassSVM, LocalOutlierFactor with
    novelty=True, EllipticEnvelope, SGDOneClassSVM, ...) as a ganad detector.

    Score = -score_samples(X) (or -decision_function(X) when there is no score_samples), i.e.
    "higher = more anomalous". Training scores use the training-set attribute where scoring the
    training data again would be biased (LocalOutlierFactor: -negative_outlier_factor_).

    Parameters
    ----------
    estimator : scikit-learn outlier detector instance
        The (unfitted) estimator to wrap; it is cloned at `fit`, the clone is `estimator_`.
        It needs `fit` and `score_samples` or `decision_function`; LocalOutlierFactor must have
        novelty=True.
    contamination : float in (0, 0.5] or None, default None
        Expected fraction of anomalies; sets `threshold_` to the (1 - contamination) quantile of
        the training scores. None: the estimator's own numeric `contamination`, else 0.1.
    random_state : int or None, default None
        Seed forwarded to the estimator's `random_state` when it has one; None keeps its own.
    """

    backend: ClassVar[str] = "sklearn"

    def _check_estimator(self, estimator: Any) -> None:
        if _is_pyod_object(estimator):
            raise TypeError(
                f"{type(estimator).__name__} is a PyOD detector (its scores already mean 'higher = "
                "more anomalous'); wrap it with ganad.adapters.from_pyod instead."
            )
        if getattr(estimator, "novelty", None) is False:
            raise ValueError(
                f"{type(estimator).__name__}(novelty=False) cannot score new data; "
                f"use {type(estimator).__name__}(novelty=True)."
            )
        if not (hasattr(estimator, "score_samples") or hasattr(estimator, "decision_function")):
            raise TypeError(
                f"{type(estimator).__name__} has neither score_samples nor decision_function; "
                "it cannot produce anomaly scores."
            )

    def _training_scores(self, X: np.ndarray) -> np.ndarray:
        estimator = self.estimator_
        if hasattr(estimator, "negative_outlier_factor_"):
            return -np.asarray(estimator.negative_outlier_factor_)
        return self._scores(estimator, X)

    def _scores(self, estimator: Any, X: np.ndarray) -> np.ndarray:
        # scikit-learn: higher = more normal; negate to "higher = more anomalous".
        if hasattr(estimator, "score_samples"):
            return -np.asarray(estimator.score_samples(X))
        return -np.asarray(estimator.decision_function(X))


class PyODAdapter(_AdapterBase):
    """A PyOD detector as a ganad detector. PyOD's `decision_function` is already "higher = more
    anomalous" and is used unchanged; training scores are PyOD's `decision_scores_`.

    Parameters
    ----------
    estimator : PyOD detector instance
        The (unfitted) `pyod.models` detector to wrap; it is cloned at `fit`, the clone is
        `estimator_`.
    contamination : float in (0, 0.5] or None, default None
        Expected fraction of anomalies; sets `threshold_` to the (1 - contamination) quantile of
        the training scores. None: the estimator's own numeric `contamination`, else 0.1.
    random_state : int or None, default None
        Seed forwarded to the estimator's `random_state` when it has one; None keeps its own.
    """

    backend: ClassVar[str] = "pyod"

    def _check_estimator(self, estimator: Any) -> None:
        base = _import_pyod_base()
        if not isinstance(estimator, base):
            raise TypeError(
                f"{type(estimator).__name__} is not a PyOD detector; wrap scikit-learn detectors "
                "with ganad.adapters.from_sklearn."
            )

    def _training_scores(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(self.estimator_.decision_scores_)

    def _scores(self, estimator: Any, X: np.ndarray) -> np.ndarray:
        return np.asarray(estimator.decision_function(X))


# -- construction ------------------------------------------------------------------------------


def from_sklearn(
    estimator: Any, *, contamination: float | None = None, random_state: int | None = None
) -> SklearnAdapter:
    """Wrap a scikit-learn outlier detector instance (validated now, cloned at `fit`).

    Parameters
    ----------
    estimator : scikit-learn outlier detector instance
        The estimator to wrap (IsolationForest, OneClassSVM, LocalOutlierFactor(novelty=True),
        ...); a class instead of an instance, or a PyOD detector, is refused.
    contamination : float in (0, 0.5] or None, default None
        Expected fraction of anomalies, for `threshold_`; None: the estimator's own, else 0.1.
    random_state : int or None, default None
        Seed forwarded to the estimator's `random_state` when it has one.

    Returns
    -------
    SklearnAdapter
        The unfitted adapter.
    """
    adapter = SklearnAdapter(estimator, contamination=contamination, random_state=random_state)
    adapter._validate_params()
    return adapter


def from_pyod(
    estimator: Any, *, contamination: float | None = None, random_state: int | None = None
) -> PyODAdapter:
    """Wrap a PyOD detector instance (PyOD must be installed: `pip install ganad[pyod]`).

    Parameters
    ----------
    estimator : PyOD detector instance
        The `pyod.models` detector to wrap (e.g. `ECOD()`); anything else is refused.
    contamination : float in (0, 0.5] or None, default None
        Expected fraction of anomalies, for `threshold_`; None: the estimator's own, else 0.1.
    random_state : int or None, default None
        Seed forwarded to the estimator's `random_state` when it has one.

    Returns
    -------
    PyODAdapter
        The unfitted adapter.
    """
    _import_pyod_base()
    adapter = PyODAdapter(estimator, contamination=contamination, random_state=random_state)
    adapter._validate_params()
    return adapter


def _snake_case(name: str) -> str:
    """AutoEncoder -> auto_encoder, DeepSVDD -> deep_svdd (PyOD's module names)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _pyod_class(name: str) -> type:
    _import_pyod_base()
    for module in dict.fromkeys((name.lower(), _snake_case(name))):
        try:
            found = getattr(importlib.import_module(f"pyod.models.{module}"), name, None)
        except ImportError:
            continue
        if isinstance(found, type):
            return found
    raise ValueError(
        f"Unknown PyOD detector {name!r}; expected a class pyod.models.<module>.{name} "
        f"(e.g. {', '.join(PYOD_EXAMPLES[:4])})."
    )


def _sklearn_class(name: str) -> type:
    if name not in SKLEARN_DETECTORS:
        raise ValueError(
            f"Unknown scikit-learn detector {name!r}; known: {', '.join(SKLEARN_DETECTORS)}."
        )
    module, cls = SKLEARN_DETECTORS[name].split(":")
    return getattr(importlib.import_module(module), cls)


def get_adapter(
    spec: str, *, contamination: float | None = None, random_state: int | None = None, **params: Any
) -> _AdapterBase:
    """Build an adapter by name: "sklearn:<Name>" (see `SKLEARN_DETECTORS`) or "pyod:<Name>" (any
    PyOD model, e.g. "pyod:ECOD"). `params` go to the estimator's constructor; `contamination` and
    `random_state` to the adapter (which forwards `random_state` when the estimator takes one).
    LocalOutlierFactor defaults to novelty=True, the only mode that scores new data.

    Parameters
    ----------
    spec : str
        "sklearn:<Name>" with a name from `SKLEARN_DETECTORS`, or "pyod:<Name>".
    contamination : float in (0, 0.5] or None, default None
        Expected fraction of anomalies, for `threshold_`; None: the estimator's own, else 0.1.
    random_state : int or None, default None
        Seed forwarded to the estimator's `random_state` when it has one.
    **params
        Keyword arguments of the estimator's constructor.

    Returns
    -------
    SklearnAdapter or PyODAdapter
        The unfitted adapter.
    """
    backend, sep, name = spec.partition(":") if isinstance(spec, str) else ("", "", "")
    if not sep or not name:
        raise ValueError(
            f"Adapter spec must look like 'sklearn:IsolationForest' or 'pyod:ECOD', got {spec!r}."
        )
    if backend == "sklearn":
        cls = _sklearn_class(name)
        if name == "LocalOutlierFactor":
            params = {"novelty": True, **params}
        return from_sklearn(cls(**params), contamination=contamination, random_state=random_state)
    if backend == "pyod":
        return from_pyod(
            _pyod_class(name)(**params), contamination=contamination, random_state=random_state
        )
    raise ValueError(f"Unknown adapter backend {backend!r} in {spec!r}; use 'sklearn' or 'pyod'.")


def backend_installed(spec: str) -> bool:
    """Whether the package behind an adapter spec ("pyod:ECOD" -> pyod) is importable; each
    backend `get_adapter` knows is named after its package."""
    backend = spec.partition(":")[0]
    return backend in ("sklearn", "pyod") and importlib.util.find_spec(backend) is not None


def list_adapters() -> list[str]:
    """Adapter names known to `get_adapter` (PyOD ones only when PyOD is installed)."""
    names = [f"sklearn:{n}" for n in SKLEARN_DETECTORS]
    if backend_installed("pyod"):
        names += [f"pyod:{n}" for n in PYOD_EXAMPLES]
    return names
