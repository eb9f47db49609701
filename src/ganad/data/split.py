"""The DA3D split protocol for in-memory arrays (METHODS.md §1.2-§1.3, decisions A-16 and A-21).

Order of operations, as in the DA3D code (`DataLabels._post_init`):

1. test split: the official test part if given, else `train_test_split(test_size=0.15,
   random_state=42)` (shuffled, not stratified, the same for every run seed: "split and forget");
2. validation split: `train_test_split(test_size=0.05, random_state=seed)` of the rest;
3. contamination: n_add = round(n_normal_train * p / (1 - p)) training anomalies drawn with
   `np.random.default_rng(seed).choice` (without replacement; with replacement only if there are
   too few) and kept, relabelled normal;
4. every other training anomaly is removed;
5. scaling: `MinMaxScaler` fitted on the final training set (normal + polluting rows) and applied to
   validation and test without clipping; images are divided by 255 instead.

Validation and test keep their anomalies at the natural ratio. y uses 1 = anomaly.
"""

from __future__ import annotations

import copy
import logging
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler

from .. import _validation as V

__all__ = ["SCALE_OPTIONS", "Split", "make_one_class_split", "make_split"]

logger = logging.getLogger(__name__)

SCALE_OPTIONS = ("minmax", "image", "image_signed", None)
"""`scale=` values: MinMax fitted on train; x/255 ([0, 1]); (x/255 - 0.5)*2 ([-1, 1]); as is."""


@dataclass(frozen=True, eq=False, repr=False)
class Split:
    """Train/validation/test arrays of one run, plus how they were made.

    `y_*` use 1 = anomaly; `y_train` is all 0 (polluting anomalies are *processed as normal*; which
    rows they are is in `contaminated`). `idx_*` are the source rows of each part: indices into the
    training data (`idx_train`, `idx_val`) and into the test data (`idx_test`; the same array as
    the training data unless `info["test_source"] == "official"`). `idx_train` may repeat a row
    when contamination had to sample with replacement. `scaler` is the fitted transformer (None for
    fixed image scaling). `info` is JSON-serialisable: counts, seed, protocol, options and notes
    (e.g. the Census leakage flag).

    Parameters
    ----------
    x_train : numpy.ndarray
        Scaled float32 training rows (normal rows plus any polluting anomalies).
    y_train : numpy.ndarray
        Training labels: all 0.
    x_val : numpy.ndarray
        Scaled float32 validation rows (possibly none).
    y_val : numpy.ndarray
        Validation labels, 1 = anomaly.
    x_test : numpy.ndarray
        Scaled float32 test rows.
    y_test : numpy.ndarray
        Test labels, 1 = anomaly.
    scaler : object or None
        The transformer fitted on the training part (e.g. a `MinMaxScaler` or
        `TabularEncoder`); None for fixed image scaling or no scaling.
    info : dict, default {}
        JSON-serialisable facts: counts, seed, protocol, options, notes.
    idx_train : numpy.ndarray, optional
        Source rows of `x_train` in the training data.
    idx_val : numpy.ndarray, optional
        Source rows of `x_val` in the training data.
    idx_test : numpy.ndarray, optional
        Source rows of `x_test` in the test data.
    fine_train : numpy.ndarray, optional
        Original classes of the training rows.
    fine_val : numpy.ndarray, optional
        Original classes of the validation rows.
    fine_test : numpy.ndarray, optional
        Original classes of the test rows.
    contaminated : numpy.ndarray, optional
        Boolean per training row: True for the anomalies processed as normal.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    scaler: Any | None
    info: dict[str, Any] = field(default_factory=dict)
    idx_train: np.ndarray | None = None
    idx_val: np.ndarray | None = None
    idx_test: np.ndarray | None = None
    fine_train: np.ndarray | None = None
    fine_val: np.ndarray | None = None
    fine_test: np.ndarray | None = None
    contaminated: np.ndarray | None = None

    @classmethod
    def from_indices(
        cls,
        parts: Sequence[np.ndarray],
        *,
        train: ArrayLike,
        val: ArrayLike,
        test: ArrayLike,
        y: np.ndarray,
        y_test_source: np.ndarray | None = None,
        fine: np.ndarray | None = None,
        fine_test_source: np.ndarray | None = None,
        contaminated: np.ndarray | None = None,
        scaler: Any | None,
        info: dict[str, Any],
    ) -> Split:
        """A split from its scaled `parts` (train, validation, test arrays) and the source rows
        of each: labels and fine labels are taken at `val` / `test` from `y` / `fine` (or from
        the official test part's `y_test_source` / `fine_test_source`); `y_train` is all 0
        (training anomalies are processed as normal; `contaminated` marks them, none if None)."""
        train, val, test = (np.asarray(idx, dtype=np.int64) for idx in (train, val, test))
        if y_test_source is None:  # the test rows come from the same arrays as the others
            y_test_source, fine_test_source = y, fine
        x_train, x_val, x_test = parts
        return cls(
            x_train=x_train,
            y_train=np.zeros(train.size, dtype=np.int64),
            x_val=x_val,
            y_val=y[val],
            x_test=x_test,
            y_test=y_test_source[test],
            scaler=scaler,
            info=info,
            idx_train=train,
            idx_val=val,
            idx_test=test,
            fine_train=None if fine is None else fine[train],
            fine_val=None if fine is None else fine[val],
            fine_test=None if fine_test_source is None else fine_test_source[test],
            contaminated=np.zeros(train.size, dtype=bool) if contaminated is None else contaminated,
        )

    def __repr__(self) -> str:
        return (
            f"Split(protocol={self.info.get('protocol')!r}, dataset={self.info.get('dataset')!r}, "
            f"train={self.x_train.shape}, val={self.x_val.shape}, test={self.x_test.shape}, "
            f"test anomalies={int(self.y_test.sum())}, train_contamination={self.info.get('train_contamination')})"
        )

    def summary(self) -> str:
        """One line per part with its counts, then the notes."""
        i = self.info
        lines = [
            f"protocol {i.get('protocol')}, data set {i.get('dataset')}, seed {i.get('seed')}",
            f"train: {len(self.y_train):,} rows ({i.get('n_train_normal', 0):,} normal + "
            f"{i.get('n_contaminated', 0):,} polluting anomalies processed as normal)",
            f"val:   {len(self.y_val):,} rows ({int(self.y_val.sum()):,} anomalous)",
            f"test:  {len(self.y_test):,} rows ({int(self.y_test.sum()):,} anomalous)",
        ]
        lines += [f"note: {n}" for n in i.get("notes", [])]
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def _check_seed(seed: Any, name: str = "seed") -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(seed).__name__} ({seed!r}).")
    if not 0 <= int(seed) < 2**32:
        raise ValueError(f"{name} must be in [0, 2**32), got {seed}.")
    return int(seed)


def _check_fraction(value: Any, name: str, *, low: float, high: float, low_open: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    ok = (low < value if low_open else low <= value) and value < high
    if not ok:
        bracket = "(" if low_open else "["
        raise ValueError(f"{name} must be in {bracket}{low}, {high}), got {value}.")
    return float(value)


def _as_rows(X: Any, name: str) -> np.ndarray | pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    arr = np.asarray(X)
    if arr.ndim < 2:
        raise ValueError(
            f"{name} must have one row per sample (2-D or image-shaped), got shape {arr.shape}."
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}).")
    return arr


def _check_binary_labels(y: Any, n: int, name: str) -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}.")
    if arr.shape[0] != n:
        raise ValueError(f"{name} has {arr.shape[0]} labels but there are {n} samples.")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold 0 (normal) / 1 (anomaly), got dtype {arr.dtype}.")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite labels.")
    values = np.unique(arr)
    if not np.isin(values, (0, 1)).all():
        raise ValueError(
            f"{name} must hold 0 (normal) / 1 (anomaly) only, got values {values[:10].tolist()}."
        )
    return arr.astype(np.int64)


def _check_same_layout(X: Any, X_test: Any) -> None:
    if isinstance(X, pd.DataFrame) != isinstance(X_test, pd.DataFrame):
        raise TypeError("X and the test part must both be DataFrames or both be arrays.")
    if isinstance(X, pd.DataFrame):
        if list(X.columns) != list(X_test.columns):
            raise ValueError("the test part has different columns than X.")
    elif X.shape[1:] != X_test.shape[1:]:
        raise ValueError(
            f"the test part has per-sample shape {X_test.shape[1:]}, but X has {X.shape[1:]}."
        )


def _check_finite(x: np.ndarray, name: str) -> None:
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        flat = x.reshape(len(x), -1)
        rows = np.flatnonzero(~np.isfinite(flat).all(axis=1))
        raise ValueError(
            f"{name} contains NaN or infinite values in {rows.size} row(s) (first: "
            f"{rows[:5].tolist()}); impute or drop them first (e.g. load_table(missing=...))."
        )


def _check_scale(scale: Any) -> None:
    if scale in SCALE_OPTIONS:
        return
    if isinstance(scale, str) or not (hasattr(scale, "fit") and hasattr(scale, "transform")):
        raise ValueError(
            f"scale must be one of {SCALE_OPTIONS} or a transformer with fit/transform "
            f"(e.g. TabularEncoder), got {scale!r}."
        )


# ---------------------------------------------------------------------------------------------
# Steps
# ---------------------------------------------------------------------------------------------


def _take(X: np.ndarray | pd.DataFrame, idx: np.ndarray) -> np.ndarray | pd.DataFrame:
    """Rows `idx` of X (no copy when idx selects every row in order, e.g. an official test set)."""
    if len(idx) == len(X) and (len(idx) == 0 or (idx[0] == 0 and np.all(np.diff(idx) == 1))):
        return X
    if isinstance(X, pd.DataFrame):
        return X.iloc[idx]
    return X[idx]


def _numeric_array(x: np.ndarray | pd.DataFrame, name: str) -> np.ndarray:
    if isinstance(x, pd.DataFrame):
        bad = [str(c) for c, dt in x.dtypes.items() if not pd.api.types.is_numeric_dtype(dt)]
        if bad:
            raise ValueError(
                f"{name} has non-numeric columns {bad[:10]}; pass scale=TabularEncoder(categorical="
                "...) to one-hot encode them with categories learned on the training part."
            )
        x = x.to_numpy()
    if x.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric, got dtype {x.dtype}.")
    return x


def draw_contamination(
    y_pool: np.ndarray, p: float, rng: np.random.Generator
) -> tuple[np.ndarray, int, bool]:
    """Positions (into `y_pool`) of the polluting anomalies, n_add, and whether drawn with replacement.

    n_add = round(n_normal * p / (1 - p)) (Python's round, as the DA3D code), drawn uniformly from
    the anomalies of `y_pool` with `rng.choice` (the same call as the DA3D code, so the same seed
    picks the same rows).
    """
    normal = np.flatnonzero(y_pool == 0)
    anomalies = np.flatnonzero(y_pool == 1)
    n_add = round(normal.size * p / (1 - p)) if p > 0 else 0
    if n_add == 0:
        return np.zeros(0, dtype=np.int64), 0, False
    if anomalies.size == 0:
        raise ValueError(
            f"train_contamination={p} needs {n_add} anomalies in the training split, but it "
            "has none."
        )
    with_replacement = n_add > anomalies.size
    drawn = rng.choice(anomalies, size=n_add, replace=with_replacement)
    return np.asarray(drawn, dtype=np.int64), n_add, with_replacement


def training_positions(y_pool: np.ndarray, drawn: np.ndarray) -> np.ndarray:
    """Rows kept for training: normals and polluting anomalies in pool order, repeats appended.

    Keeping the pool order reproduces the DA3D code's row order exactly when no row is drawn twice.
    """
    keep = y_pool == 0
    unique, first = np.unique(drawn, return_index=True)
    keep[unique] = True
    repeats = np.delete(drawn, first)
    return np.concatenate([np.flatnonzero(keep), repeats]).astype(np.int64)


def _apply_scale(
    scale: Any, parts: Sequence[np.ndarray | pd.DataFrame]
) -> tuple[list[np.ndarray], Any]:
    """Fit on parts[0] (training) only and transform every part to float32."""
    train = parts[0]
    if scale is None or scale in ("image", "image_signed"):
        out = []
        for i, part in enumerate(parts):
            arr = _numeric_array(part, "X" if i == 0 else "X_test").astype(np.float32)
            if scale is not None:
                arr /= np.float32(255.0)
                if scale == "image_signed":
                    arr = (arr - np.float32(0.5)) * np.float32(2.0)
            _check_finite(arr, "X")
            out.append(arr)
        return out, None
    if scale == "minmax":
        scaler = MinMaxScaler()
        arrays = [_numeric_array(p, "X") for p in parts]
        for a in arrays:
            _check_finite(a, "X")
        shape = arrays[0].shape[1:]
        width = int(np.prod(shape))
        scaler.fit(arrays[0].reshape(len(arrays[0]), width))
        out = [_minmax(scaler, a.reshape(len(a), width)).reshape((len(a), *shape)) for a in arrays]
        return out, scaler
    estimator = _fresh(scale)
    estimator.fit(train)
    return [_transform(estimator, p) for p in parts], estimator


def _minmax(scaler: MinMaxScaler, x: np.ndarray) -> np.ndarray:
    """(x - min) / (max - min) with the fitted training range, as float32, without clipping.

    Written as a division (not sklearn's x * scale + offset) so that the training minimum and
    maximum map exactly to 0 and 1 also in float32; a constant column maps to 0 as in sklearn.
    Differs from `scaler.transform` by at most a rounding step.
    """
    dtype = np.float64 if x.dtype == np.float64 else np.float32
    low = scaler.data_min_.astype(dtype)
    span = scaler.data_range_.astype(dtype)
    span[span == 0] = 1
    out = np.subtract(x, low, dtype=dtype)
    out /= span
    return out.astype(np.float32, copy=False)


def _fresh(estimator: Any) -> Any:
    """An unfitted copy of a user-supplied transformer (sklearn clone if it supports it)."""
    if hasattr(estimator, "get_params"):
        from sklearn.base import clone

        return clone(estimator)
    return copy.deepcopy(estimator)


def _transform(estimator: Any, part: np.ndarray | pd.DataFrame) -> np.ndarray:
    if len(part) == 0:
        n_out = getattr(estimator, "n_features_out_", 0) or getattr(estimator, "n_features_in_", 0)
        return np.zeros((0, int(n_out)), dtype=np.float32)
    data = (
        part
        if isinstance(part, pd.DataFrame)
        else part.reshape(len(part), int(np.prod(part.shape[1:])))
    )
    return np.asarray(estimator.transform(data), dtype=np.float32)


# ---------------------------------------------------------------------------------------------
# Public
# ---------------------------------------------------------------------------------------------


def _train_contamination_share(
    train_contamination: float | None, contamination: float | None
) -> float:
    """The DA3D training contamination p in [0, 0.5) (None: 0), given under its current name or
    its deprecated old one (`contamination`)."""
    train_contamination = V.renamed_keyword(
        train_contamination,
        contamination,
        new="train_contamination",
        old="contamination",
        where="make_split",
    )
    return _check_fraction(
        0.0 if train_contamination is None else train_contamination,
        "train_contamination",
        low=0.0,
        high=0.5,
        low_open=False,
    )


def _checked_samples(X: Any, y: Any) -> tuple[np.ndarray | pd.DataFrame, np.ndarray]:
    """(X, y) checked: one row per sample, and as many 0/1 labels (as int64)."""
    X = _as_rows(X, "X")
    return X, _check_binary_labels(y, len(X), "y")


def _checked_fine_labels(fine_labels: Any, n: int) -> np.ndarray | None:
    """`fine_labels` as an array of one entry per sample (None stays None)."""
    fine = None if fine_labels is None else np.asarray(fine_labels)
    if fine is not None and len(fine) != n:
        raise ValueError(f"fine_labels has {len(fine)} entries but there are {n} samples.")
    return fine


def _test_part(
    X: Any,
    y_all: np.ndarray,
    fine: np.ndarray | None,
    test: tuple[Any, ...] | None,
    test_size: float,
    test_seed: int,
) -> tuple[np.ndarray, np.ndarray, Any, np.ndarray, np.ndarray | None, str]:
    """(training pool rows, test rows, test source X, y and fine labels, "split"/"official"):
    a fixed `test_size` split of X with `test_seed`, or the official test part `test`."""
    n = len(X)
    if test is None:
        idx_pool, idx_test = train_test_split(
            np.arange(n), test_size=test_size, random_state=test_seed
        )
        return idx_pool, idx_test, X, y_all, fine, "split"
    if not isinstance(test, tuple | list) or len(test) not in (2, 3):
        raise ValueError("test must be (X_test, y_test) or (X_test, y_test, fine_test).")
    X_test_src = _as_rows(test[0], "X_test")
    _check_same_layout(X, X_test_src)
    y_test_src = _check_binary_labels(test[1], len(X_test_src), "y_test")
    fine_test_src = np.asarray(test[2]) if len(test) == 3 and test[2] is not None else None
    return (
        np.arange(n),
        np.arange(len(X_test_src)),
        X_test_src,
        y_test_src,
        fine_test_src,
        "official",
    )


def _validation_split(
    idx_pool: np.ndarray, val_size: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """(rest of the pool, validation rows): a `val_size` share of the pool, shuffled with `seed`
    and not stratified, as in the DA3D code (0: no validation rows)."""
    if val_size > 0:
        idx_rest, idx_val = train_test_split(idx_pool, test_size=val_size, random_state=seed)
        return idx_rest, idx_val
    return idx_pool, np.zeros(0, dtype=np.int64)


def _contaminated_training_rows(
    idx_pool: np.ndarray,
    y_pool: np.ndarray,
    p: float,
    rng: np.random.Generator,
    notes: list[str],
) -> tuple[np.ndarray, np.ndarray, bool, int]:
    """(training rows, which of them are anomalies, drawn with replacement, anomalies removed):
    the pool's normal rows plus the anomalies drawn for training contamination p."""
    drawn, n_add, with_replacement = draw_contamination(y_pool, p, rng)
    positions = training_positions(y_pool, drawn)
    n_removed = int((y_pool == 1).sum()) - int(np.unique(drawn).size)
    if with_replacement:
        notes.append(
            f"train_contamination needed {n_add} anomalies but the training split has only "
            f"{int((y_pool == 1).sum())}: drawn with replacement, repeated rows kept "
            "(the DA3D code relabels in place, which keeps each drawn row only once)"
        )
    return idx_pool[positions], y_pool[positions] == 1, with_replacement, n_removed


def _da3d_split_info(
    *,
    seed: int,
    train_contamination: float,
    contaminated: np.ndarray,
    counts: tuple[int, int, int],
    y_val: np.ndarray,
    y_test: np.ndarray,
    sampling: tuple[bool, int],
    test: tuple[str, float, int | None],
    val_size: float,
    scale: Any,
    notes: list[str],
) -> dict[str, Any]:
    """`Split.info` of `make_split`: counts per part, how the training anomalies were drawn
    (`sampling`: with replacement, anomalies removed) and where the test part came from
    (`test`: source, size, seed)."""
    n_train, n_val, n_test = counts
    with_replacement, n_removed = sampling
    test_source, test_size, test_seed = test
    return {
        "protocol": "da3d",
        "dataset": None,
        "seed": seed,
        "train_contamination": train_contamination,
        "n_train": n_train,
        "n_train_normal": int((~contaminated).sum()),
        "n_contaminated": int(contaminated.sum()),
        "train_contamination_with_replacement": with_replacement,
        "n_train_anomalies_removed": n_removed,
        "n_val": n_val,
        "n_val_anomalous": int(y_val.sum()),
        "n_test": n_test,
        "n_test_normal": int((y_test == 0).sum()),
        "n_test_anomalous": int(y_test.sum()),
        "test_source": test_source,
        "test_size": test_size if test_source == "split" else None,
        "test_seed": test_seed if test_source == "split" else None,
        "val_size": val_size,
        "scale": scale if scale in SCALE_OPTIONS else type(scale).__name__,
        "leakage": False,
        "notes": notes,
    }


def make_split(
    X: ArrayLike | pd.DataFrame,
    y: ArrayLike,
    seed: int,
    train_contamination: float | None = None,
    test: tuple[Any, ...] | None = None,
    *,
    fine_labels: ArrayLike | None = None,
    test_size: float = 0.15,
    test_seed: int = 42,
    val_size: float = 0.05,
    scale: Any = "minmax",
    contamination: float | None = None,
) -> Split:
    """Split arrays with the DA3D protocol (see the module docstring); returns a `Split`.

    Parameters
    ----------
    X : array-like or pandas.DataFrame
        Samples (n, d) or images (n, C, H, W), or a DataFrame (then `scale` must encode it,
        e.g. a `TabularEncoder`, unless every column is numeric).
    y : array-like of shape (n,)
        Labels, 1 = anomaly, 0 = normal.
    seed : int
        Run seed in [0, 2**32): validation split and contamination draw. The test split does
        not depend on it.
    train_contamination : float, optional
        The share p in [0, 0.5) (None: 0) of the *resulting* training set that are anomalies
        processed as normal.
    test : tuple, optional
        `(X_test, y_test)` or `(X_test, y_test, fine_test)`: an official test part, laid out
        like `X`. If None, a fixed `test_size` split with `test_seed` is used.
    fine_labels : array-like of shape (n,), optional
        The original class of each row of `X`, carried into `Split.fine_*`.
    test_size : float, default 0.15
        Fraction in (0, 1) of `X` held out as the test part (only without `test`).
    test_seed : int, default 42
        Seed of that test split (the same for every run seed: "split and forget").
    val_size : float, default 0.05
        Fraction in [0, 1) of the remaining rows held out for validation (0: none).
    scale : str, transformer or None, default "minmax"
        "minmax" (tabular; fitted on the final training set), "image" (x/255), "image_signed"
        ((x/255 - 0.5)*2), None (as is), or a transformer with fit/transform such as
        `TabularEncoder` (cloned, fitted on the training part only).
    contamination : float, optional
        Deprecated old name of `train_contamination`.

    Returns
    -------
    Split
        The scaled parts, their source rows and `info` (counts, seed, options, notes).
    """
    seed = _check_seed(seed)
    test_seed = _check_seed(test_seed, "test_seed")
    p = _train_contamination_share(train_contamination, contamination)
    test_size = _check_fraction(test_size, "test_size", low=0.0, high=1.0, low_open=True)
    val_size = _check_fraction(val_size, "val_size", low=0.0, high=1.0, low_open=False)
    _check_scale(scale)
    X, y_all = _checked_samples(X, y)
    fine = _checked_fine_labels(fine_labels, len(X))

    notes: list[str] = []
    idx_pool, idx_test, X_test_src, y_test_src, fine_test_src, test_source = _test_part(
        X, y_all, fine, test, test_size, test_seed
    )
    idx_pool, idx_val = _validation_split(idx_pool, val_size, seed)
    idx_train, contaminated, with_replacement, n_removed = _contaminated_training_rows(
        idx_pool, y_all[idx_pool], p, np.random.default_rng(seed), notes
    )

    parts = [_take(X, idx_train), _take(X, idx_val), _take(X_test_src, idx_test)]
    (x_train, x_val, x_test), scaler = _apply_scale(scale, parts)

    info = _da3d_split_info(
        seed=seed,
        train_contamination=p,
        contaminated=contaminated,
        counts=(len(idx_train), len(idx_val), len(idx_test)),
        y_val=y_all[idx_val],
        y_test=y_test_src[idx_test],
        sampling=(with_replacement, n_removed),
        test=(test_source, test_size, test_seed),
        val_size=val_size,
        scale=scale,
        notes=notes,
    )
    logger.debug("make_split: %s", info)
    return Split.from_indices(
        (x_train, x_val, x_test),
        train=idx_train,
        val=idx_val,
        test=idx_test,
        y=y_all,
        y_test_source=y_test_src,
        fine=fine,
        fine_test_source=fine_test_src,
        contaminated=contaminated,
        scaler=scaler,
        info=info,
    )


def _check_max_train(max_train: Any) -> None:
    """Refuse a `max_train` that is neither None nor a positive int."""
    if max_train is not None and (
        not isinstance(max_train, numbers.Integral) or isinstance(max_train, bool) or max_train < 1
    ):
        raise ValueError(f"max_train must be None or a positive int, got {max_train!r}.")


def _stratified_parts(
    y: np.ndarray, test_size: float, val_size: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(training pool, validation, test) rows: label-stratified splits seeded by `seed`, the
    validation share taken from what the test split leaves (`val_size` of all rows in the end)."""
    idx_rest, idx_test = train_test_split(
        np.arange(len(y)), test_size=test_size, random_state=seed, stratify=y
    )
    if val_size > 0:
        idx_pool, idx_val = train_test_split(
            idx_rest,
            test_size=val_size / (1.0 - test_size),
            random_state=seed,
            stratify=y[idx_rest],
        )
    else:
        idx_pool, idx_val = idx_rest, np.zeros(0, dtype=np.int64)
    return idx_pool, idx_val, idx_test


def _normal_training_rows(
    idx_pool: np.ndarray, y: np.ndarray, max_train: int | None, seed: int
) -> tuple[np.ndarray, int]:
    """(training rows, normal rows available): the pool's normal rows in order, a seeded random
    subset of `max_train` of them when there are more (None: all)."""
    idx_train = np.sort(idx_pool[y[idx_pool] == 0])
    n_normal = len(idx_train)
    if max_train is not None and n_normal > max_train:
        keep = np.random.default_rng(seed).choice(n_normal, int(max_train), replace=False)
        idx_train = idx_train[np.sort(keep)]
    if len(idx_train) == 0:
        raise ValueError("the training part has no normal rows (y is all anomalies).")
    return idx_train, n_normal


def _one_class_info(
    *,
    seed: int,
    counts: tuple[int, int, int],
    n_normal: int,
    max_train: int | None,
    y_val: np.ndarray,
    y_test: np.ndarray,
    test_size: float,
    val_size: float,
    scale: Any,
) -> dict[str, Any]:
    """`Split.info` of `make_one_class_split`: counts per part (`counts`: train, validation,
    test; `n_normal`: normal rows before the `max_train` cap) and the options."""
    n_train, n_val, n_test = counts
    return {
        "protocol": "one_class",
        "dataset": None,
        "seed": seed,
        "train_contamination": 0.0,
        "n_train": n_train,
        "n_train_normal_available": n_normal,
        "max_train": max_train,
        "n_val": n_val,
        "n_val_anomalous": int(y_val.sum()),
        "n_test": n_test,
        "n_test_normal": int((y_test == 0).sum()),
        "n_test_anomalous": int(y_test.sum()),
        "test_size": test_size,
        "val_size": val_size,
        "scale": scale if scale in SCALE_OPTIONS else type(scale).__name__,
        "leakage": False,
        "notes": [],
    }


def make_one_class_split(
    X: ArrayLike | pd.DataFrame,
    y: ArrayLike,
    seed: int,
    *,
    test_size: float = 0.15,
    val_size: float = 0.05,
    max_train: int | None = 20_000,
    scale: Any = "minmax",
) -> Split:
    """The one-class protocol for data nobody tuned for (`benchmarks/one_class.py`).

    1. a label-stratified split, seeded by `seed`, into train (1 - test_size - val_size, 80 %
       by default), validation (`val_size`, 5 %) and test (`test_size`, 15 %);
    2. every anomaly is removed from the training part (training is on normal rows only);
    3. the training part is capped at `max_train` rows (a seeded random subset; None = no cap);
    4. `scale` (min-max by default) is fitted on the final training rows and applied to the
       validation and test parts without clipping.

    The validation and test parts keep their anomalies at the natural ratio. Nothing about the
    labels of validation or test rows reaches the training part.

    Parameters
    ----------
    X : array-like or pandas.DataFrame
        Samples (n, d) or images (n, C, H, W), or a DataFrame.
    y : array-like of shape (n,)
        Labels, 1 = anomaly, 0 = normal.
    seed : int
        Seed in [0, 2**32) of the stratified splits and of the `max_train` subset.
    test_size : float, default 0.15
        Fraction in (0, 1) of the rows in the test part.
    val_size : float, default 0.05
        Fraction in [0, 1) of the rows in the validation part; `test_size + val_size` must be
        below 1.
    max_train : int or None, default 20000
        At most this many (normal) training rows; None: no cap.
    scale : str, transformer or None, default "minmax"
        As for `make_split`: "minmax", "image", "image_signed", None, or a transformer with
        fit/transform, fitted on the final training rows.

    Returns
    -------
    Split
        The scaled parts (`info["protocol"]` is ``"one_class"``).
    """
    seed = _check_seed(seed)
    test_size = _check_fraction(test_size, "test_size", low=0.0, high=1.0, low_open=True)
    val_size = _check_fraction(val_size, "val_size", low=0.0, high=1.0, low_open=False)
    if test_size + val_size >= 1.0:
        raise ValueError(f"test_size + val_size must be below 1, got {test_size + val_size}.")
    _check_max_train(max_train)
    _check_scale(scale)
    X, y_all = _checked_samples(X, y)
    idx_pool, idx_val, idx_test = _stratified_parts(y_all, test_size, val_size, seed)
    idx_train, n_normal = _normal_training_rows(idx_pool, y_all, max_train, seed)

    parts = [_take(X, idx_train), _take(X, idx_val), _take(X, idx_test)]
    (x_train, x_val, x_test), scaler = _apply_scale(scale, parts)
    info = _one_class_info(
        seed=seed,
        counts=(len(idx_train), len(idx_val), len(idx_test)),
        n_normal=n_normal,
        max_train=max_train,
        y_val=y_all[idx_val],
        y_test=y_all[idx_test],
        test_size=test_size,
        val_size=val_size,
        scale=scale,
    )
    return Split.from_indices(
        (x_train, x_val, x_test),
        train=idx_train,
        val=idx_val,
        test=idx_test,
        y=y_all,
        scaler=scaler,
        info=info,
    )
