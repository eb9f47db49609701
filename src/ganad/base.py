"""The detector contract shared by every ganad detector (scikit-learn / PyOD conventions).

`BaseDetector` is deliberately thin: it validates, seeds, picks the device, calls the
detector's `_fit`, and turns per-batch scores into the PyOD-style fitted attributes. Everything
else (networks, losses, update steps) lives in each detector's own folder.

A detector subclass provides:
  * `__init__` with keyword-only arguments that are only stored (scikit-learn rule);
  * `_parameter_constraints`: constraints for its own parameters (see `_validation`);
  * `_build_networks(self) -> torch.nn.ModuleDict`, built from parameters and `input_shape_`
    only, so a saved model can be rebuilt before its weights are loaded;
  * `_fit(self, X, y, rng)`: trains `self.networks_` (already built, on `self.device_`); X is
    already scaled by the fitted input scaler (`scaling` parameter, min-max by default);
  * `_score_batch(self, x) -> Tensor`: anomaly scores (higher = more anomalous) for one batch,
    called with every network in eval mode, gradients off, on scaled input.
  * optionally `PRESETS`, `_extra_state`/`_set_extra_state` (JSON-able fitted state).
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, cast

import numpy as np
import torch
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from . import _validation as V
from ._device import autocast, resolve_device, resolve_precision
from ._random import resolve_seed, seeded
from ._threads import limited_threads, resolve_threads
from .checkpoint import Checkpointer
from .exceptions import ModelCollapsedError
from .nn.utils import SCALED_BOUND, InputScaler
from .tags import DetectorTags
from .training import TrainingContext

__all__ = ["COMMON_CONSTRAINTS", "BaseDetector"]

logger = logging.getLogger(__name__)

COMMON_CONSTRAINTS: dict[str, Any] = {
    "contamination": V.CONTAMINATION,
    "fpr": V.FPR,
    "random_state": V.RANDOM_STATE,
    "device": V.DEVICE,
    "verbose": V.Interval(int, 0, None),
    "n_jobs": V.N_JOBS,
    "precision": V.Options({"auto", "float32", "bfloat16"}),
    "scaling": V.Options({"auto", "feature", "global", "standard", "none"}),
}

_SCALER = "scaler"
#: Float32 values of the widest dense activation of one CPU scoring slice (4 MiB).
_CPU_TILE_FLOATS = 1 << 20
_MIN_TILE_ROWS = 256


#: The score of a row so extreme that the networks overflow on it: finite, above every other.
MAXIMAL_SCORE = float(np.finfo(np.float64).max)


def extreme_rows_maximal(scores: torch.Tensor, scaled: torch.Tensor) -> torch.Tensor:
    """Rows with a value at the scaler's bound (10^6 training ranges out: extreme but finite
    inputs such as 3e38) score `MAXIMAL_SCORE`, whatever the networks make of the clipped row;
    non-finite scores of any other row stay, and are reported as a broken model. Branch-free,
    so an exported ONNX graph applies the same rule."""
    extreme = (scaled.flatten(1).abs() >= SCALED_BOUND).any(dim=1).to(scores.device)
    return torch.where(extreme, torch.full_like(scores, MAXIMAL_SCORE), scores)


class BaseDetector(BaseEstimator):
    """Base class for ganad detectors. Not to be instantiated directly."""

    #: Registry name (set by each detector).
    name: ClassVar[str] = ""
    #: Constraints for the detector's own parameters; common ones are added automatically.
    _parameter_constraints: ClassVar[dict[str, Any]] = {}
    #: Named parameter sets, e.g. the papers' per-data-set configurations.
    PRESETS: ClassVar[Mapping[str, Mapping[str, Any]]] = MappingProxyType({})
    #: Values of parameters added after models were first saved, for a saved model whose config
    #: lacks them: what it was trained and scores with (`updates=None`: fixed epoch counts).
    SAVED_BEFORE: ClassVar[Mapping[str, Any]] = MappingProxyType({"updates": None, "fpr": 0.01})
    #: Default mini-batch size for scoring.
    score_batch_size: ClassVar[int] = 8192

    def __ganad_tags__(self) -> DetectorTags:
        """What this detector can do (`ganad.tags`); subclasses extend their parent's."""
        return DetectorTags()

    # -- fitting ---------------------------------------------------------------------------

    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike | None = None,
        *,
        validation_data: tuple[ArrayLike, ArrayLike] | None = None,
        checkpoint: str | None = None,
        checkpoint_every: int = 10,
    ) -> BaseDetector:
        """Train on `X` (mostly normal data). `y` (1 = known anomaly) is used only by
        semi-supervised detectors; others ignore it, as scikit-learn's outlier detectors do.

        `validation_data`: `(X_val, y_val)` with y_val = 1 for anomalies, for detectors that
        use it (tag `accepts_validation_data`: validation metrics in `history_`, and with
        `requires_validation_data` model selection on it; its labels then reach training, so
        report it).

        `checkpoint`: a file path; training state is saved there every `checkpoint_every` epochs
        and at the end of each stage, and a rerun with the same path, data and parameters resumes
        from it with the same final result as an uninterrupted run (same seed, same device).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Training data, mostly normal rows; a DataFrame's column names are kept as
            `feature_names_in_`. Images only for detectors with the `supports_images` tag.
        y : array-like of shape (n_samples,) or None, default None
            1 = known anomaly, 0 = normal; read only by semi-supervised detectors (tag
            `uses_labels`), ignored by the others.
        validation_data : tuple (X_val, y_val) or None, default None
            Labelled validation rows (y_val = 1 for anomalies, both classes present), for
            detectors with the `accepts_validation_data` tag.
        checkpoint : str or None, default None
            Path of a checkpoint file to save to and resume from (tag `supports_checkpoint`);
            None trains without checkpoints.
        checkpoint_every : int, default 10
            Save the checkpoint every this many epochs (and at the end of each stage).

        Returns
        -------
        BaseDetector
            The fitted detector (self).
        """
        self._validate_params()
        tags = self.__ganad_tags__()
        self._check_fit_options(tags, validation_data, checkpoint)
        names = V.feature_names(X)
        X = V.check_input(X, allow_images=tags.supports_images)
        y = V.check_labels(y, len(X)) if tags.uses_labels else None
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):  # refitted on an array
            del self.feature_names_in_
        device = resolve_device(self.device)
        self.seed_ = resolve_seed(self.random_state)
        self.input_shape_ = tuple(int(s) for s in X.shape[1:])
        self.n_features_in_ = math.prod(self.input_shape_)
        self.device_ = str(device)
        self.precision_ = resolve_precision(self.precision, device, tags.auto_bf16)
        self.history_: dict[str, list[float]] = {}
        validation = self._checked_validation(validation_data)
        self._configure(X)
        with seeded(self.seed_, device) as rng:
            self.networks_ = self._assemble_networks().to(device)
            self._input_scaler().fit(X)
            checkpointer = (
                Checkpointer(
                    checkpoint,
                    checkpoint_every,
                    self.networks_,
                    self.history_,
                    self._fingerprint(X, y, validation),
                )
                if checkpoint is not None
                else None
            )
            context = self._training_context(rng, device, checkpointer, validation)
            with (
                limited_threads(self._threads(self._train_batch_rows(), load_aware=False)),
                autocast(self.precision_, device),
            ):
                self._fit(self._scale_numpy(X), y, context)
        self.decision_scores_ = self._training_scores(X)
        # The baseline row of `explain` (a typical normal row), in the caller's units.
        self.feature_medians_ = np.median(X, axis=0).astype(np.float32)
        self._check_not_collapsed(X)
        self._set_threshold()
        return self

    def _check_fit_options(
        self,
        tags: DetectorTags,
        validation_data: tuple[Any, Any] | None,
        checkpoint: str | None,
    ) -> None:
        """`fit`'s keyword options against what the detector can do (its tags)."""
        if checkpoint is not None and not tags.supports_checkpoint:
            raise ValueError(
                f"{type(self).__name__} does not support checkpointed training (checkpoint=...)."
            )
        if validation_data is not None and not tags.accepts_validation_data:
            raise ValueError(f"{type(self).__name__} does not use validation_data.")
        if validation_data is None and tags.requires_validation_data:
            raise ValueError(
                f"{type(self).__name__} with these parameters needs labelled validation data: "
                "fit(X, validation_data=(X_val, y_val)) with y_val = 1 for anomalies."
            )

    def _training_context(
        self,
        rng: np.random.Generator,
        device: torch.device,
        checkpointer: Checkpointer | None,
        validation: tuple[np.ndarray, np.ndarray] | None,
    ) -> TrainingContext:
        """What `_fit` gets: the seeded generator, the one loop bound to this fit's history and
        checkpoint, and the validation rows scaled like the training rows."""
        return TrainingContext(
            rng=rng,
            device=device,
            history=self.history_,
            detector=self.name,
            verbose=self.verbose,
            min_batch_rows=2 if self._has_batch_norm_1d() else 1,
            checkpoint=checkpointer,
            validation_data=(
                (self._scale_numpy(validation[0]), validation[1]) if validation else None
            ),
        )

    def _check_not_collapsed(self, X: np.ndarray) -> None:
        """Distinct training rows that all score the same mean a collapsed model."""
        scores = self.decision_scores_
        if len(scores) < 2 or np.ptp(scores) > 0:
            return
        flat = X.reshape(len(X), -1)
        if (flat == flat[0]).all():  # identical rows: equal scores are right, not a collapse
            return
        raise ModelCollapsedError(type(self).__name__, float(scores[0]))

    def fit_predict(self, X: ArrayLike, y: ArrayLike | None = None) -> np.ndarray:
        """Fit, then return the 0/1 labels of the training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Training data, as for `fit`.
        y : array-like of shape (n_samples,) or None, default None
            1 = known anomaly; used only by semi-supervised detectors, as for `fit`.

        Returns
        -------
        ndarray of shape (n_samples,)
            `labels_`: 1 for training rows scoring above `threshold_`, else 0.
        """
        return self.fit(X, y).labels_

    def _checked_validation(
        self, validation_data: tuple[Any, Any] | None
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """`(X_val, y_val)` checked against the training input; both classes must be present."""
        if validation_data is None:
            return None
        if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
            raise TypeError("validation_data must be a pair (X_val, y_val).")
        X_val = V.check_input(
            validation_data[0],
            name="X_val",
            input_shape=self.input_shape_,
            allow_images=self.__ganad_tags__().supports_images,
        )
        y_val = V.check_labels(validation_data[1], len(X_val), name="y_val")
        if y_val is None or len(np.unique(y_val)) < 2:  # y_val=None: no labels, no classes
            raise ValueError(
                "y_val must contain both normal (0) and anomalous (1) samples for validation."
            )
        return X_val, y_val

    def _fingerprint(
        self,
        X: np.ndarray,
        y: np.ndarray | None,
        validation: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> str:
        """Identifies parameters + data (and validation data, which model selection reads), so
        a checkpoint is never resumed into another fit."""
        import hashlib
        import json

        h = hashlib.sha256(
            json.dumps({k: repr(v) for k, v in sorted(self.get_params().items())}).encode()
        )
        h.update(str(self.seed_).encode())
        h.update(np.ascontiguousarray(X).tobytes())
        if y is not None:
            h.update(np.ascontiguousarray(y).tobytes())
        for part in validation or ():
            h.update(np.ascontiguousarray(part).tobytes())
        return h.hexdigest()

    def _has_batch_norm_1d(self) -> bool:
        """Dense batch norm cannot normalise one row in training mode (2-d batch norm over an
        image's pixels can, so image presets without dense batch norm keep every batch)."""
        return any(isinstance(m, torch.nn.BatchNorm1d) for m in self.networks_.modules())

    def _validate_params(self) -> None:
        V.check_params(
            self.get_params(deep=False),
            {**COMMON_CONSTRAINTS, **self._parameter_constraints},
            type(self).__name__,
        )

    def _scaling_mode(self) -> str:
        """ "auto": the detector's `tabular_scaling` (per-feature min-max unless its method says
        otherwise) for tabular data, one global min-max for images."""
        if self.scaling == "auto":
            return (
                "global" if len(self.input_shape_) == 3 else self.__ganad_tags__().tabular_scaling
            )
        return self.scaling

    def _assemble_networks(self) -> torch.nn.ModuleDict:
        """The detector's networks plus the fitted input scaler (saved and loaded together)."""
        networks = self._build_networks()
        if _SCALER in networks:
            raise RuntimeError(f"{type(self).__name__}: network name {_SCALER!r} is reserved.")
        networks[_SCALER] = InputScaler(self.input_shape_, self._scaling_mode())
        return networks

    def _input_scaler(self) -> InputScaler:
        """The fitted input scaler among `networks_` (put there by `_assemble_networks`)."""
        return cast(InputScaler, self.networks_[_SCALER])

    def _scale_numpy(self, X: np.ndarray) -> np.ndarray:
        scaler = self._input_scaler()
        if scaler.mode == "none":
            return X
        offset = scaler.offset.cpu().numpy()
        scale = scaler.scale.cpu().numpy()
        with np.errstate(over="ignore", invalid="ignore"):
            scaled = (X - offset) * scale
        return np.ascontiguousarray(np.clip(scaled, -SCALED_BOUND, SCALED_BOUND), dtype=np.float32)

    def _set_threshold(self) -> None:
        """The threshold on the training scores (`fit`'s basis until `set_threshold(X=...)`)."""
        self.calibration_scores_ = self.decision_scores_
        self.threshold_source_ = "training"
        self._apply_threshold()

    def flagged_rate(self) -> float:
        """The share of calibration rows above `threshold_`: `contamination` (PyOD's
        convention), or `fpr` when `contamination` is None (clean training data)."""
        return float(self.fpr if self.contamination is None else self.contamination)

    def _apply_threshold(self) -> None:
        # The (1 - rate) quantile of the calibration scores.
        self.threshold_ = float(
            np.percentile(self.calibration_scores_, 100.0 * (1.0 - self.flagged_rate()))
        )
        self.labels_ = (self.decision_scores_ > self.threshold_).astype(np.int64)

    def set_threshold(
        self,
        *,
        fpr: float | None = None,
        contamination: float | None = None,
        X: ArrayLike | None = None,
    ) -> BaseDetector:
        """Move the decision threshold without retraining; returns self.

        `fpr`: flag that share of normal rows (sets `contamination=None`); `contamination`: flag
        that share of the training rows (PyOD's convention). `X`: held-back normal rows; their
        scores become the threshold's basis instead of the training rows' (a neural detector
        scores its own training rows lower than new normal rows, so a threshold on held-back
        rows meets the target false-positive rate more closely). `set_params(contamination=...)`
        or `set_params(fpr=...)` after `fit` moves the threshold in the same way.

        Parameters
        ----------
        fpr : float in (0, 0.5] or None, default None
            Target share of normal rows flagged; sets `contamination=None`.
        contamination : float in (0, 0.5] or None, default None
            Share of the calibration rows flagged. Give `fpr` or `contamination`, not both; with
            neither, the current rate is applied to the (new) calibration scores.
        X : array-like or None, default None
            Held-back normal rows (at least 2) whose scores become the calibration basis; None
            keeps the current basis (the training scores after `fit`).

        Returns
        -------
        BaseDetector
            self, with `threshold_` and `labels_` updated.
        """
        check_is_fitted(self, "decision_scores_")
        if fpr is not None and contamination is not None:
            raise ValueError("set_threshold takes fpr or contamination, not both.")
        if X is not None:
            scores = self.decision_function(X)
            if len(scores) < 2:
                raise ValueError("set_threshold(X=...) needs at least 2 held-back rows.")
            self.calibration_scores_ = scores
            self.threshold_source_ = f"held-back ({len(scores)} rows)"
        if fpr is not None:
            self.set_params(contamination=None, fpr=fpr)
        elif contamination is not None:
            self.set_params(contamination=contamination)
        else:
            self._apply_threshold()
        return self

    def set_params(self, **params: Any) -> BaseDetector:
        """scikit-learn's `set_params`; after `fit`, a new `contamination` or `fpr` moves the
        threshold at once (no refit).

        Parameters
        ----------
        **params
            Parameter names and their new values (`detector__name` style for nested ones).

        Returns
        -------
        BaseDetector
            self.
        """
        moved = {"contamination", "fpr"} & params.keys()
        if moved and hasattr(self, "calibration_scores_"):
            # Checked before anything changes, so a bad value leaves the fitted threshold as is.
            checks = {k: COMMON_CONSTRAINTS[k] for k in moved}
            V.check_params({k: params[k] for k in moved}, checks, type(self).__name__)
        super().set_params(**params)
        if moved and hasattr(self, "calibration_scores_"):
            self._apply_threshold()
        return self

    # -- scoring ---------------------------------------------------------------------------

    def decision_function(self, X: ArrayLike, *, batch_size: int | None = None) -> np.ndarray:
        """Anomaly scores of `X`, shape (n_samples,); higher = more anomalous.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Rows to score, shaped like the training data (a DataFrame's columns are matched to
            `feature_names_in_` by name).
        batch_size : int or None, default None
            Rows per scoring pass; None: the detector's `score_batch_size` (on CPU, capped to a
            tile that keeps activations small).

        Returns
        -------
        ndarray of shape (n_samples,)
            float64 anomaly scores.
        """
        check_is_fitted(self, "networks_")
        return self._score_array(self._checked_input(X), batch_size=batch_size)

    def _checked_input(self, X: Any) -> np.ndarray:
        """New data for scoring: a DataFrame's columns matched to `feature_names_in_` by name,
        then the array checks against the fitted input shape."""
        X = V.match_columns(X, getattr(self, "feature_names_in_", None))
        return V.check_input(
            X, input_shape=self.input_shape_, allow_images=self.__ganad_tags__().supports_images
        )

    def _scaled_batches(
        self, X: np.ndarray, batch_size: int | None = None
    ) -> Iterator[tuple[slice, torch.Tensor]]:
        """(rows, scaled batch) pairs for scoring: eval mode, no grad, seeded, CPU-tiled."""
        device = torch.device(self.device_)
        bs = self._score_rows(batch_size)
        self.networks_.eval()
        # Seeded so that detectors with randomised scoring (latent search) are repeatable.
        with seeded(self.seed_, device), torch.no_grad():
            for start in range(0, len(X), bs):
                xb = torch.from_numpy(X[start : start + bs]).to(device, non_blocking=True)
                yield slice(start, start + len(xb)), self.networks_[_SCALER](xb)

    def _score_rows(self, batch_size: int | None) -> int:
        """Rows per scoring pass (the tile on CPU), as `_scaled_batches` slices them."""
        bs = int(batch_size or self.score_batch_size)
        if torch.device(self.device_).type == "cpu" and self.__ganad_tags__().tiled_cpu_scoring:
            bs = min(bs, self._cpu_tile_rows())
        return bs

    def _cpu_tile_rows(self) -> int:
        widest = max(
            (m.out_features for m in self.networks_.modules() if isinstance(m, torch.nn.Linear)),
            default=1,
        )
        return max(_MIN_TILE_ROWS, _CPU_TILE_FLOATS // widest)

    def _score_array(
        self,
        X: np.ndarray,
        batch_size: int | None = None,
        score_batch: Callable[[torch.Tensor], torch.Tensor] | None = None,
    ) -> np.ndarray:
        """Scores of `X` by `score_batch` (default `_score_batch`) over scaled batches, checked
        for non-finite values."""
        score_batch = score_batch or self._score_batch
        out = np.empty(len(X), dtype=np.float64)
        bounded = (
            self.networks_[_SCALER].mode != "none"
        )  # raw inputs (scaling="none") are unbounded
        with (
            limited_threads(self._threads(min(len(X), self._score_rows(batch_size)))),
            autocast(self.precision_, torch.device(self.device_)),
        ):
            for rows, xb in self._scaled_batches(X, batch_size):
                scores = score_batch(xb).detach().double().reshape(-1)
                if bounded and xb.numel() and float(xb.abs().amax()) >= SCALED_BOUND:
                    scores = extreme_rows_maximal(scores, xb)
                out[rows] = scores.cpu().numpy()
        if not np.isfinite(out).all():
            raise FloatingPointError(
                f"{type(self).__name__} produced non-finite scores; the model is numerically broken "
                "(check the training history_ and the input scaling)."
            )
        return out

    def predict(self, X: ArrayLike) -> np.ndarray:
        """0 (normal) / 1 (anomaly) at `threshold_`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Rows to label, shaped like the training data.

        Returns
        -------
        ndarray of shape (n_samples,)
            int64 labels: 1 where the score is above `threshold_`.
        """
        check_is_fitted(self, "threshold_")
        return (self.decision_function(X) > self.threshold_).astype(np.int64)

    def predict_confidence(self, X: ArrayLike) -> np.ndarray:
        """Confidence in each `predict` label, in [0, 1] (PyOD's `predict_confidence`: ExCeeD,
        Perini et al., ECML-PKDD 2020).

        A row's outlier probability is the Bayesian estimate (1 + k) / (2 + n) from the k of the
        n calibration scores at or below its score; the confidence is the probability that the
        row would be flagged again among n draws at the flagged rate (`flagged_rate()`), for
        rows labelled 1, and its complement for rows labelled 0.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Rows to label, shaped like the training data.

        Returns
        -------
        ndarray of shape (n_samples,)
            Confidence in [0, 1] of each row's `predict` label.
        """
        from scipy.stats import binom

        check_is_fitted(self, "calibration_scores_")
        scores = self.decision_function(X)
        basis = np.sort(self.calibration_scores_)
        n = len(basis)
        below = np.searchsorted(basis, scores, side="right")
        posterior = (1.0 + below) / (2.0 + n)
        confidence = binom.sf(n - int(n * self.flagged_rate()), n, posterior)
        normal = scores <= self.threshold_
        confidence[normal] = 1.0 - confidence[normal]
        return confidence

    def predict_proba(self, X: ArrayLike, method: str = "linear") -> np.ndarray:
        """Probability of [normal, anomaly] per sample, shape (n, 2).

        "linear": min-max scaling of the score by the training scores' range, clipped to [0, 1];
        "unify": Kriegel et al.'s Gaussian scaling, erf((s - mean) / (std * sqrt(2))) clipped at 0.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Rows to score, shaped like the training data.
        method : {"linear", "unify"}, default "linear"
            How scores become anomaly probabilities (see above).

        Returns
        -------
        ndarray of shape (n_samples, 2)
            Columns: probability of normal, probability of anomaly (they sum to 1).
        """
        check_is_fitted(self, "decision_scores_")
        scores = self.decision_function(X)
        train = self.decision_scores_
        if method == "linear":
            lo, hi = float(train.min()), float(train.max())
            p = (scores - lo) / (hi - lo) if hi > lo else np.zeros_like(scores)
        elif method == "unify":
            from scipy.special import erf

            std = float(train.std())
            p = (
                erf((scores - train.mean()) / (std * np.sqrt(2.0)))
                if std > 0
                else np.zeros_like(scores)
            )
        else:
            raise ValueError(f"method must be 'linear' or 'unify', got {method!r}.")
        p = np.clip(p, 0.0, 1.0)
        return np.column_stack([1.0 - p, p])

    def explain(
        self,
        X: ArrayLike,
        *,
        method: str = "auto",
        groups: ArrayLike | None = None,
        baseline: ArrayLike | None = None,
        n_steps: int = 32,
        batch_size: int = 256,
    ) -> np.ndarray:
        """Per-feature attributions of each row's anomaly score, shape (n, n_features) (or
        (n, G) with `groups`, one group number per feature; image input keeps its shape).

        `method`: "auto" (reconstruction error for detectors with a decoder, else integrated
        gradients where the score is differentiable, else feature ablation), "reconstruction",
        "integrated_gradients" or "ablation" (Captum: `pip install 'ganad[explain]'`).
        `baseline`: the reference row of integrated gradients and ablation (default: the
        training median, `feature_medians_`). See `ganad.explain`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Rows to explain, shaped like the training data.
        method : {"auto", "reconstruction", "integrated_gradients", "ablation"}, default "auto"
            Attribution method (see above).
        groups : array-like of int of shape (n_features,) or None, default None
            Group number 0..G-1 of each feature (e.g. a one-hot block per categorical column);
            attributions are folded per group. None: one attribution per feature.
        baseline : array-like of shape (n_features,) or None, default None
            Reference row for integrated gradients and ablation; None: `feature_medians_`.
        n_steps : int >= 2, default 32
            Integration steps of integrated gradients.
        batch_size : int >= 1, default 256
            Rows explained per pass.

        Returns
        -------
        ndarray of shape (n_samples, n_features) or (n_samples, G)
            Attributions; higher = the feature pushed the score up more.
        """
        from .explain import explain

        return explain(
            self,
            X,
            method=method,
            groups=groups,
            baseline=baseline,
            n_steps=n_steps,
            batch_size=batch_size,
        )

    # -- persistence -----------------------------------------------------------------------

    def save(self, path: str) -> None:
        """Save to a directory: `config.json` (parameters, fitted attributes) +
        `weights.safetensors`.

        Parameters
        ----------
        path : str or path-like
            The directory to write (created if missing); reload it with `ganad.load(path)`.
        """
        from .persistence import save_detector

        save_detector(self, path)

    def to_onnx(self, path: str | os.PathLike[str], *, opset: int = 17) -> Path:
        """Export the scoring graph (input scaler + score, dynamic batch axis) as ONNX; see
        `ganad.export.to_onnx`. Detectors whose score is an optimisation refuse.

        Parameters
        ----------
        path : str or path-like
            The `.onnx` file to write.
        opset : int, default 17
            ONNX opset version of the graph.

        Returns
        -------
        pathlib.Path
            The written file.
        """
        from .export import to_onnx

        return to_onnx(self, path, opset=opset)

    def _extra_state(self) -> dict[str, Any]:
        """JSON-able fitted state beyond the networks (override when a detector has some)."""
        return {}

    def _set_extra_state(self, state: dict[str, Any]) -> None:
        if state:
            raise ValueError(f"{type(self).__name__} has no extra state, got keys {sorted(state)}.")

    # -- hooks for subclasses ---------------------------------------------------------------

    def _training_scores(self, X: np.ndarray) -> np.ndarray:
        """Scores of the training rows (`decision_scores_`, the threshold's basis). Detectors
        that store their training rows override it to leave each row out of its own score."""
        return self._score_array(X)

    def _configure(self, X: np.ndarray) -> None:
        """Fitted settings that depend on the training data and must be known before the networks
        are built (e.g. the number of stored reference rows). They are part of `_extra_state`, so
        `ganad.load` rebuilds the same networks. Default: none."""

    def _build_networks(self) -> torch.nn.ModuleDict:
        raise NotImplementedError

    def _fit(self, X: np.ndarray, y: np.ndarray | None, context: TrainingContext) -> None:
        raise NotImplementedError

    def _score_batch(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    # -- CPU threads -------------------------------------------------------------------------

    def _threads(self, batch_rows: int, *, load_aware: bool = True) -> int:
        """Torch threads for passes of `batch_rows` rows: `n_jobs`, or for `n_jobs=None` the
        measured rule of `ganad._threads.resolve_threads` (one thread for small networks).
        Training passes `load_aware=False`: gradient sums round differently with another thread
        count, so a seeded fit must not depend on what else the machine is doing."""
        return resolve_threads(
            self.n_jobs, batch_rows * self._macs_per_row(), load_aware=load_aware
        )

    def _macs_per_row(self) -> float:
        """Multiply-adds of one row through every network: dense weights, and convolution
        weights times the image area (an upper bound: strided layers see fewer positions)."""
        area = math.prod(self.input_shape_[1:]) if self._is_image() else 1
        macs = 0.0
        for module in self.networks_.modules():
            if isinstance(module, torch.nn.Linear):
                macs += module.weight.numel()
            elif isinstance(module, torch.nn.modules.conv._ConvNd):
                macs += module.weight.numel() * area
        return macs

    def _train_batch_rows(self) -> int:
        """Rows of a training mini-batch, for the thread rule (the `batch_size` parameter where
        the detector has one and it is set, else the common default of 128)."""
        return int(getattr(self, "batch_size", None) or 128)

    # -- helpers for subclasses -------------------------------------------------------------

    def _tensor(self, X: np.ndarray) -> torch.Tensor:
        """The training array as a tensor on the fitting device (kept in memory for the loop)."""
        return torch.from_numpy(X).to(self.device_)

    def _is_image(self) -> bool:
        return len(self.input_shape_) == 3
