"""One model artefact: the preprocessing of raw tables and a detector, fitted, saved and loaded
together (`ganad.make_pipeline`, what `ganad fit` writes and `ganad.load` returns for it).

    pipe = ganad.make_pipeline("da3d", id_column="tx_id", categorical="infer", missing="median")
    pipe.fit(train_frame)
    pipe.save("model/")
    ganad.load("model/").decision_function(new_frame)   # == `ganad score model/ new.csv`

The encoder is `ganad.data.TabularEncoder` (scikit-learn's `ColumnTransformer` with
`SimpleImputer`, `MinMaxScaler` and `OneHotEncoder`), its fitted state stored as JSON beside the
detector's safetensors weights: nothing is pickled.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .data.preprocessing import PREPROCESSING_FILE, Preprocessor
from .data.table import MISSING_POLICIES, FilledIn, TabularEncoder
from .tags import get_tags

if TYPE_CHECKING:
    from .base import BaseDetector

__all__ = ["PIPELINE_FILE", "AnomalyPipeline", "is_pipeline_dir", "load_pipeline", "make_pipeline"]

logger = logging.getLogger(__name__)

PIPELINE_FILE = "pipeline.json"
_FORMAT = "ganad-pipeline"
_FORMAT_VERSION = 1


def make_pipeline(
    detector: BaseDetector | str,
    *,
    id_column: str | None = None,
    drop: Sequence[str] = (),
    categorical: str | Sequence[str] | None = "infer",
    missing: str = "error",
    max_categories: int | None = None,
) -> AnomalyPipeline:
    """Preprocessing + `detector` (an instance, or a registry name with its defaults) as one
    estimator that takes raw DataFrames. See `AnomalyPipeline` for the parameters.

    Parameters
    ----------
    detector : BaseDetector or str
        An unfitted ganad detector, or a registry name (built with its defaults).
    id_column : str or None, default None
        A column that identifies rows: never a feature; carried to `score_frame` and used as
        the index of `explain`.
    drop : str or sequence of str, default ()
        Other columns that are not features (a single name is one column).
    categorical : None, "infer" or sequence of str, default "infer"
        None (all features numeric), "infer" (non-numeric and boolean columns) or names.
    missing : {"error", "drop", "median"}, default "error"
        What a missing value does; see `AnomalyPipeline`.
    max_categories : int or None, default None
        None: categorical columns with more than 100 distinct values are refused; K: keep each
        column's K-1 most frequent categories and group the rest.

    Returns
    -------
    AnomalyPipeline
        The unfitted pipeline.
    """
    if isinstance(detector, str):
        from .registry import get_detector

        detector = get_detector(detector)
    return AnomalyPipeline(
        detector,
        id_column=id_column,
        drop=tuple(drop) if not isinstance(drop, str) else (drop,),
        categorical=categorical,
        missing=missing,
        max_categories=max_categories,
    )


def _missing_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows with a missing value (NaN, None, ±inf) in any column."""
    missing = frame.isna().to_numpy()
    numeric = frame.select_dtypes(include="number")
    if numeric.shape[1]:
        missing = missing.copy()
        positions = [frame.columns.get_loc(c) for c in numeric.columns]
        missing[:, positions] |= np.isinf(numeric.to_numpy(dtype=np.float64, na_value=np.nan))
    return missing.any(axis=1)


class AnomalyPipeline(BaseEstimator):
    """A raw table's preprocessing and an anomaly detector as one estimator.

    Parameters
    ----------
    detector : BaseDetector
        An unfitted ganad detector; it is fitted in place, like the steps of a scikit-learn
        `Pipeline` (so `set_params(detector__fpr=0.05)` after fit moves the threshold, and
        `clone` clones it).
    id_column : str or None
        A column that identifies rows (transaction ID, ...): never a feature; carried to
        `score_frame` and used as the index of `explain`.
    drop : sequence of str
        Other columns that are not features (free text, timestamps).
    categorical : None, "infer" or sequence of str
        None (all features numeric), "infer" (non-numeric and boolean columns) or names.
    missing : {"error", "drop", "median"}
        "error" (a missing value is an error naming column and row), "drop" (training rows
        with one are dropped; at scoring time a missing value is an error) or "median" (imputed
        with the training median; categorical columns get a "<missing>" category).
    max_categories : int or None
        None: categorical columns with more than 100 distinct values are refused; K: keep each
        column's K-1 most frequent categories and group the rest. ID-like columns are refused
        either way, with a message suggesting `id_column` or `drop`.

    Attributes
    ----------
    preprocessor_ : Preprocessor
        The JSON-able preprocessing.
    feature_names_in_ : numpy.ndarray
        The raw feature columns.
    threshold_, decision_scores_, labels_
        The detector's.
    """

    def __init__(
        self,
        detector: Any = None,
        *,
        id_column: str | None = None,
        drop: Sequence[str] = (),
        categorical: str | Sequence[str] | None = "infer",
        missing: str = "error",
        max_categories: int | None = None,
    ):
        self.detector = detector
        self.id_column = id_column
        self.drop = drop
        self.categorical = categorical
        self.missing = missing
        self.max_categories = max_categories

    # -- checks ---------------------------------------------------------------------------------

    def _check_params(self) -> None:
        if not (hasattr(self.detector, "fit") and hasattr(self.detector, "decision_function")):
            raise TypeError(
                f"detector must be a ganad detector (fit/decision_function), got "
                f"{type(self.detector).__name__}; ganad.make_pipeline also takes a registry name."
            )
        if self.missing not in MISSING_POLICIES:
            raise ValueError(f"missing must be one of {MISSING_POLICIES}, got {self.missing!r}.")
        if self.id_column is not None and not isinstance(self.id_column, str):
            raise TypeError(f"id_column must be a column name (str), got {self.id_column!r}.")
        if isinstance(self.drop, str) or not all(isinstance(c, str) for c in self.drop):
            raise TypeError(f"drop must be a sequence of column names, got {self.drop!r}.")

    def _not_features(self) -> list[str]:
        return [c for c in (self.id_column, *self.drop) if c is not None]

    def _training_frame(self, X: Any) -> pd.DataFrame:
        if isinstance(X, pd.DataFrame):
            frame = X.reset_index(drop=True)
            absent = [c for c in self._not_features() if c not in frame.columns]
            if absent:
                raise ValueError(
                    f"column(s) {absent} (id_column / drop) are not in X; its columns are "
                    f"{[str(c) for c in frame.columns][:20]}."
                )
            return frame.drop(columns=self._not_features())
        if self._not_features():
            raise TypeError("id_column and drop name columns: fit on a pandas DataFrame.")
        arr = np.asarray(X)
        if arr.ndim != 2:
            raise ValueError(f"X must be a 2-D table (a DataFrame), got shape {arr.shape}.")
        return pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])

    # -- fitting --------------------------------------------------------------------------------

    def fit(self, X: pd.DataFrame | ArrayLike, y: ArrayLike | None = None) -> AnomalyPipeline:
        """Learn the encoding on `X` (raw rows: a DataFrame), then train the detector on the
        encoded rows. `y` reaches only detectors that use labels.

        Parameters
        ----------
        X : pandas.DataFrame or 2-D array-like
            Raw training rows; the `id_column` and `drop` columns need a DataFrame. An array's
            columns are named x0, x1, ...
        y : array-like of shape (n_samples,) or None, default None
            1 = known anomaly; passed on only to detectors with the `uses_labels` tag.

        Returns
        -------
        AnomalyPipeline
            self, fitted.
        """
        self._check_params()
        frame = self._training_frame(X)
        if y is not None:
            y = np.asarray(y)
            if len(y) != len(frame):
                raise ValueError(f"y has {len(y)} labels for {len(frame)} rows of X.")
        if self.missing == "drop":
            keep = ~_missing_rows(frame)
            if not keep.any():
                raise ValueError("every row of X has a missing value; nothing left to train on.")
            if not keep.all():
                logger.info("dropped %d training row(s) with missing values", int((~keep).sum()))
            frame = frame.loc[keep].reset_index(drop=True)
            y = None if y is None else y[keep]
        encoder = TabularEncoder(
            categorical=self.categorical,
            missing=self.missing,
            max_categories=self.max_categories,
        ).fit(frame)
        x = encoder.transform(frame)
        uses_labels = get_tags(self.detector).uses_labels
        self.detector.fit(x, y if uses_labels else None)
        self.preprocessor_ = Preprocessor.from_encoder(encoder)
        self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        return self

    @classmethod
    def from_fitted(
        cls, detector: BaseDetector, preprocessor: Preprocessor, **params: Any
    ) -> AnomalyPipeline:
        """A pipeline of an already fitted detector and the preprocessing its training rows went
        through (what `ganad fit` assembles after a protocol split)."""
        check_is_fitted(detector, "threshold_")
        pipe = cls(detector, **params)
        pipe._check_params()
        pipe.preprocessor_ = preprocessor
        if preprocessor.columns:
            pipe.feature_names_in_ = np.asarray(
                [str(c) for c in preprocessor.columns], dtype=object
            )
            pipe.n_features_in_ = len(pipe.feature_names_in_)
        return pipe

    # -- scoring --------------------------------------------------------------------------------

    def _features(self, X: Any) -> pd.DataFrame:
        """The raw feature columns of new rows, in training order (by name; extra columns such
        as the ID or a label are ignored), for a DataFrame; an array by position."""
        check_is_fitted(self, "preprocessor_")
        if isinstance(X, pd.DataFrame):
            frame = X.reset_index(drop=True)
            present = [c for c in self._not_features() if c in frame.columns]
            return self.preprocessor_.select(frame.drop(columns=present))
        arr = np.asarray(X)
        if arr.ndim < 2:
            raise ValueError(f"X must be a 2-D table (a DataFrame), got shape {arr.shape}.")
        columns = self.preprocessor_.columns
        if columns and arr.ndim == 2:
            if arr.shape[1] != len(columns):
                raise ValueError(
                    f"X has {arr.shape[1]} columns; the model's feature columns are "
                    f"{len(columns)}: {list(columns)[:20]}."
                )
            return pd.DataFrame(arr, columns=list(columns))
        return pd.DataFrame(arr.reshape(len(arr), -1))

    def transform_with_report(self, X: pd.DataFrame | ArrayLike) -> tuple[np.ndarray, FilledIn]:
        """The detector's input for raw rows, and what the encoder filled in (`FilledIn`: per
        column and per row); `decision_function` logs it.

        Parameters
        ----------
        X : pandas.DataFrame or 2-D array-like
            Raw rows; a DataFrame's feature columns are taken by name (others are ignored), an
            array's by position.

        Returns
        -------
        x : ndarray of shape (n_samples, n_encoded_features)
            The encoded rows (float32).
        report : FilledIn
            Missing values imputed and unseen categories, per column and per row.
        """
        return self.preprocessor_.transform_with_report(self._features(X))

    def transform(self, X: pd.DataFrame | ArrayLike) -> np.ndarray:
        """Raw rows -> the detector's input (float32).

        Parameters
        ----------
        X : pandas.DataFrame or 2-D array-like
            Raw rows, as for `transform_with_report`.

        Returns
        -------
        ndarray of shape (n_samples, n_encoded_features)
            The encoded rows.
        """
        return self.transform_with_report(X)[0]

    def _encoded(self, X: Any) -> np.ndarray:
        x, report = self.transform_with_report(X)
        log_filled_in(report)
        return x

    def decision_function(self, X: pd.DataFrame | ArrayLike) -> np.ndarray:
        """Anomaly scores of raw rows (higher = more anomalous).

        Parameters
        ----------
        X : pandas.DataFrame or 2-D array-like
            Raw rows; what the encoder fills in (missing values, unseen categories) is logged.

        Returns
        -------
        ndarray of shape (n_samples,)
            The detector's anomaly scores.
        """
        return self.detector.decision_function(self._encoded(X))

    def predict(self, X: pd.DataFrame | ArrayLike) -> np.ndarray:
        """0 (normal) / 1 (anomaly) at the detector's `threshold_`.

        Parameters
        ----------
        X : pandas.DataFrame or 2-D array-like
            Raw rows.

        Returns
        -------
        ndarray of shape (n_samples,)
            int64 labels: 1 where the score is above `threshold_`.
        """
        return (self.decision_function(X) > self.threshold_).astype(np.int64)

    def predict_proba(self, X: pd.DataFrame | ArrayLike, method: str = "linear") -> np.ndarray:
        """Probability of [normal, anomaly] per raw row: the detector's `predict_proba`.

        Parameters
        ----------
        X : pandas.DataFrame or 2-D array-like
            Raw rows.
        method : {"linear", "unify"}, default "linear"
            How scores become probabilities (see `BaseDetector.predict_proba`).

        Returns
        -------
        ndarray of shape (n_samples, 2)
            Columns: probability of normal, probability of anomaly.
        """
        return self.detector.predict_proba(self._encoded(X), method=method)

    def predict_confidence(self, X: pd.DataFrame | ArrayLike) -> np.ndarray:
        """Confidence in each `predict` label, in [0, 1]: the detector's `predict_confidence`.

        Parameters
        ----------
        X : pandas.DataFrame or 2-D array-like
            Raw rows.

        Returns
        -------
        ndarray of shape (n_samples,)
            Confidence of each row's label.
        """
        return self.detector.predict_confidence(self._encoded(X))

    def _row_index(self, X: Any, n: int) -> pd.Index:
        """The ID column when there is one, else the frame's own index (so that results join
        back to `X`), else 0..n-1."""
        if isinstance(X, pd.DataFrame):
            if self.id_column is not None and self.id_column in X:
                return pd.Index(X[self.id_column].to_numpy(), name=self.id_column)
            return X.index
        return pd.RangeIndex(n)

    def score_frame(self, X: pd.DataFrame) -> pd.DataFrame:
        """One row per input row, indexed like `X`: the ID (when `id_column` is set and
        present), `score`, and `label` (score > threshold).

        Parameters
        ----------
        X : pandas.DataFrame
            Raw rows (an array gives a frame with a default index).

        Returns
        -------
        pandas.DataFrame
            Columns [id_column,] score, label.
        """
        scores = self.decision_function(X)
        out = pd.DataFrame(
            {"score": scores, "label": (scores > self.threshold_).astype(int)},
            index=X.index if isinstance(X, pd.DataFrame) else None,
        )
        if self.id_column is not None and isinstance(X, pd.DataFrame) and self.id_column in X:
            out.insert(0, self.id_column, X[self.id_column].to_numpy())
        return out

    def explain(self, X: pd.DataFrame | ArrayLike, **options: Any) -> pd.DataFrame:
        """Per-column attributions of each row's score: one column per raw feature column (a
        categorical column's one-hot block folded back into it), indexed by the ID column when
        there is one (else like `X`). `options` go to the detector's `explain` (method, n_steps,
        ...); the default baseline is a typical training row: numeric medians, most frequent
        categories.

        Parameters
        ----------
        X : pandas.DataFrame or 2-D array-like
            Raw rows to explain.
        **options
            Keyword arguments of the detector's `explain`: method, baseline (an encoded row),
            n_steps, batch_size; `groups` is set here.

        Returns
        -------
        pandas.DataFrame of shape (n_samples, n_raw_features)
            Attributions, one column per raw feature column.
        """
        x = self._encoded(X)  # one encoded row per row of X
        return self.explain_encoded(x, self._row_index(X, len(x)), **options)

    def explain_encoded(
        self, x: np.ndarray, index: pd.Index | ArrayLike | None = None, **options: Any
    ) -> pd.DataFrame:
        """`explain` of rows already encoded by `transform` (what `ganad explain` uses to score
        and explain a chunk from one encoding).

        Parameters
        ----------
        x : ndarray of shape (n_samples, n_encoded_features)
            Rows encoded by `transform`.
        index : pandas.Index, sequence or None, default None
            Index of the result (e.g. the row IDs); None: 0..n-1.
        **options
            Keyword arguments of the detector's `explain` (method, baseline, n_steps,
            batch_size); without a baseline, the preprocessing's typical row is used.

        Returns
        -------
        pandas.DataFrame of shape (n_samples, n_raw_features)
            Attributions, one column per raw feature column.
        """
        sources = self.preprocessor_.source_columns(int(np.prod(x.shape[1:])))
        columns = list(dict.fromkeys(sources))
        position = {c: i for i, c in enumerate(columns)}
        groups = np.asarray([position[c] for c in sources], dtype=np.int64)
        if options.get("baseline") is None:
            # A typical row (medians, most frequent categories), not the per-feature median of
            # the one-hot columns: that would be the encoding of an unseen category.
            options["baseline"] = self.preprocessor_.typical_row()
        values = self.detector.explain(x, groups=groups, **options)
        return pd.DataFrame(values, columns=columns, index=index)

    # -- the detector's threshold -----------------------------------------------------------------

    @property
    def threshold_(self) -> float:
        return float(self.detector.threshold_)

    @property
    def decision_scores_(self) -> np.ndarray:
        return self.detector.decision_scores_

    @property
    def labels_(self) -> np.ndarray:
        return self.detector.labels_

    def set_threshold(self, **options: Any) -> AnomalyPipeline:
        """`detector.set_threshold` (fpr=, contamination=, or held-back normal rows `X=` given
        raw, encoded here first).

        Parameters
        ----------
        **options
            Keyword arguments of `BaseDetector.set_threshold`: fpr, contamination, or X (raw
            held-back normal rows).

        Returns
        -------
        AnomalyPipeline
            self.
        """
        if options.get("X") is not None:
            options["X"] = self.transform(options["X"])
        self.detector.set_threshold(**options)
        return self

    # -- persistence ----------------------------------------------------------------------------

    def _manifest(self) -> dict[str, Any]:
        return {
            "format": _FORMAT,
            "format_version": _FORMAT_VERSION,
            "id_column": self.id_column,
            "drop": list(self.drop),
            "categorical": (
                self.categorical
                if self.categorical is None or isinstance(self.categorical, str)
                else list(self.categorical)
            ),
            "missing": self.missing,
            "max_categories": self.max_categories,
        }

    def save(self, path: str | os.PathLike[str], *, extra_files: dict[str, str] | None = None):
        """One directory: the detector (`config.json`, `weights.safetensors`), the preprocessing
        (`preprocessing.json`) and this manifest (`pipeline.json`), swapped in atomically.

        Parameters
        ----------
        path : str or path-like
            The model directory (load it with `ganad.load`).
        extra_files : dict of str to str or None, default None
            Further files to write into it: file name to text content.
        """
        from .persistence import save_detector

        check_is_fitted(self, "preprocessor_")
        files = {
            PREPROCESSING_FILE: json.dumps(self.preprocessor_.to_dict(), indent=1),
            PIPELINE_FILE: json.dumps(self._manifest(), indent=1),
            **(extra_files or {}),
        }
        save_detector(self.detector, path, extra_files=files)


def is_pipeline_dir(path: str | os.PathLike[str]) -> bool:
    """Whether a model directory holds a pipeline (written by `AnomalyPipeline.save` or
    `ganad fit`, whose older versions wrote only `preprocessing.json`).

    Parameters
    ----------
    path : str or path-like
        A model directory.

    Returns
    -------
    bool
        True when it has `pipeline.json` or `preprocessing.json`.
    """
    root = Path(path)
    return (root / PIPELINE_FILE).is_file() or (root / PREPROCESSING_FILE).is_file()


def load_pipeline(path: str | os.PathLike[str], *, device: str | None = None) -> AnomalyPipeline:
    """The pipeline saved in `path` (see `ganad.load`).

    Parameters
    ----------
    path : str or path-like
        A pipeline directory (`is_pipeline_dir`).
    device : str or None, default None
        Device for the detector; None: the saved setting (see `ganad.load_detector`).

    Returns
    -------
    AnomalyPipeline
        The fitted pipeline.
    """
    from .exceptions import ModelFileError
    from .persistence import load_detector

    root = Path(path)
    detector = load_detector(root, device=device)
    manifest: dict[str, Any] = {}
    if (root / PIPELINE_FILE).is_file():
        try:
            manifest = json.loads((root / PIPELINE_FILE).read_text(encoding="utf-8"))
        except (ValueError, RecursionError) as exc:
            raise ModelFileError(f"{root / PIPELINE_FILE} is corrupted: {exc}") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT:
            raise ModelFileError(f"{root / PIPELINE_FILE} is not a ganad pipeline manifest.")
    preprocessor = Preprocessor.load(root) or Preprocessor("identity")
    if not manifest:
        manifest = _manifest_of_older_fit(root, preprocessor)
    params = {
        key: manifest[key]
        for key in ("id_column", "categorical", "missing", "max_categories")
        if key in manifest
    }
    params["drop"] = tuple(manifest.get("drop") or ())
    try:
        return AnomalyPipeline.from_fitted(detector, preprocessor, **params)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"{root / PIPELINE_FILE} is inconsistent: {exc}") from exc


def _manifest_of_older_fit(root: Path, preprocessor: Preprocessor) -> dict[str, Any]:
    """The pipeline parameters of a directory an older `ganad fit` wrote (preprocessing and fit
    summary, no manifest): the encoder's own policy and the fit's ID and dropped columns."""
    info_path = root / "ganad_fit.json"
    try:
        info = json.loads(info_path.read_text(encoding="utf-8")) if info_path.is_file() else {}
    except (ValueError, OSError):
        info = {}
    options = info.get("options") if isinstance(info, dict) else None
    options = options if isinstance(options, dict) else {}
    id_column = info.get("id_column") if isinstance(info, dict) else None
    state = preprocessor.state if preprocessor.kind == "table" else {}
    return {
        "id_column": id_column if isinstance(id_column, str) else None,
        "drop": [c for c in options.get("drop") or () if isinstance(c, str) and c != id_column],
        "categorical": list(state.get("categorical") or ()) or None,
        "missing": str(state.get("missing", "error")),
        "max_categories": state.get("max_categories"),
    }


def log_filled_in(report: FilledIn) -> None:
    """Log what the encoder filled in while scoring (the documented policy: a missing value takes
    the training median or the "<missing>" category when the model was trained with
    missing="median", else it is an error; an unseen category is encoded as no category)."""
    for counts, what in (
        (report.missing, "missing values imputed as in training"),
        (report.unseen, "categories not seen in training (encoded as none)"),
    ):
        if counts:
            detail = ", ".join(f"{col}: {n}" for col, n in sorted(counts.items()))
            logger.warning("%s: %s", what, detail)
