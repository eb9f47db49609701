"""Generic user data: CSV/Parquet/DataFrame tables and `TabularEncoder`.

`load_table` reads and validates a table (label column, declared or inferred categorical columns,
a missing-value policy) but does not encode it: the encoding is learned on the training part only,
by `TabularEncoder`, which `load_split`/`make_split` fit after splitting. That way the one-hot
categories and the MinMax ranges never see validation or test rows.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._errors import DataFormatError, DataNotFoundError
from ._io import check_no_missing, convert_numeric, parse_delimited, read_bytes
from .dataset import Dataset
from .loaders._common import NA_STRINGS, category_codes

__all__ = ["MISSING_POLICIES", "TabularEncoder", "load_table"]

logger = logging.getLogger(__name__)

MISSING_POLICIES = ("error", "drop", "median")
"""`missing=`: refuse any missing value; drop rows with one; impute numeric columns with the
training median and give categorical columns their own "<missing>" category."""

MISSING_CATEGORY = "<missing>"


def _check_policy(missing: str) -> None:
    if missing not in MISSING_POLICIES:
        raise ValueError(f"missing must be one of {MISSING_POLICIES}, got {missing!r}.")


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"reading {path} needs pyarrow, which is not installed. Install the extra: "
            "pip install 'ganad[parquet]' (or pip install pyarrow)."
        ) from exc
    try:
        return pd.read_parquet(path, engine="pyarrow")
    except (OSError, ValueError) as exc:
        raise DataFormatError(f"{path}: not a readable Parquet file ({exc}).") from exc


def _read_source(
    source: str | os.PathLike[str] | pd.DataFrame, sep: str | None
) -> tuple[pd.DataFrame, np.ndarray, str, str]:
    """Frame, 1-based line (CSV) or row (Parquet/DataFrame) numbers, a label for errors, the unit."""
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True).copy()
        return frame, np.arange(len(frame)), "DataFrame", "row"
    path = Path(source).expanduser()
    if not path.is_file():
        raise DataNotFoundError(f"{path}: no such file.")
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        frame = _read_parquet(path)
        return frame, np.arange(len(frame)), str(path), "row"
    if sep is None:
        sep = "\t" if name.endswith((".tsv", ".tsv.gz", ".tab")) else ","
    frame, lines = parse_delimited(
        read_bytes(path), label=str(path), header=True, sep=sep, na_values=NA_STRINGS
    )
    return frame, lines, str(path), "line"


def _binary_labels(
    values: pd.Series, anomaly_values: Sequence[Any] | None, *, label: str, column: str
) -> np.ndarray:
    if anomaly_values is not None:
        return values.isin(list(anomaly_values)).to_numpy().astype(np.int64)
    if pd.api.types.is_bool_dtype(values):
        return values.to_numpy().astype(np.int64)
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().all() and numeric.isin((0, 1)).all():
        return numeric.to_numpy().astype(np.int64)
    distinct = values.astype(str).unique()[:10].tolist()
    raise DataFormatError(
        f"{label}: label column {column!r} must hold 0 (normal) / 1 (anomaly), found values "
        f"{distinct}; pass anomaly_values=[...] to say which values are anomalies."
    )


def _resolve_categorical(frame: pd.DataFrame, categorical: Any, *, label: str) -> list[str]:
    if categorical is None:
        return []
    if isinstance(categorical, str):
        if categorical != "infer":
            raise ValueError(
                f"categorical must be None, 'infer' or a list of column names, got {categorical!r}."
            )
        return [
            c
            for c in frame.columns
            if not pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c])
        ]
    names = list(categorical)
    unknown = [c for c in names if c not in frame.columns]
    if unknown:
        raise DataFormatError(
            f"{label}: categorical column(s) {unknown} do not exist (columns: {list(frame.columns)})."
        )
    return names


def load_table(
    source: str | os.PathLike[str] | pd.DataFrame,
    label_column: str | None = None,
    categorical: str | Sequence[str] | None = None,
    missing: str = "error",
    *,
    anomaly_values: Sequence[Any] | None = None,
    name: str | None = None,
    sep: str | None = None,
    drop: Sequence[str] = (),
) -> Dataset:
    """A CSV (optionally gzip-compressed), Parquet file or DataFrame as a `Dataset` with raw columns.

    Parameters
    ----------
    label_column:
        Column with 1 = anomaly / 0 = normal (or booleans); with `anomaly_values` any column whose
        listed values mark anomalies. None: unlabelled (`y` is None).
    categorical:
        None: every feature must be numeric (a text value is an error naming line and column);
        "infer": non-numeric and boolean columns are categorical; or a list of column names.
    missing:
        "error" (default): a missing value (empty field, NA, NaN, ±inf) raises naming line and
        column; "drop": rows with one are dropped (count in `meta`); "median": kept, then imputed
        by `TabularEncoder` with the training median (categorical: own "<missing>" category).
    drop:
        Columns that are not features (IDs, free text, timestamps), removed before anything else;
        a name that is not a column is an error.
    """
    _check_policy(missing)
    frame, lines, label, unit = _read_source(source, sep)
    if frame.shape[1] == 0 or len(frame) == 0:
        raise DataFormatError(f"{label}: the table is empty.")
    if isinstance(drop, str):
        drop = [drop]
    absent = [c for c in drop if c not in frame.columns]
    if absent:
        raise DataFormatError(
            f"{label}: column(s) to drop {absent} not found; columns are {list(frame.columns)[:20]}."
        )
    if label_column is not None and label_column in drop:
        raise ValueError(f"the label column {label_column!r} cannot also be dropped.")
    frame = frame.drop(columns=list(drop))
    if frame.shape[1] == 0:
        raise DataFormatError(f"{label}: no columns left after dropping {list(drop)}.")
    meta: dict[str, Any] = {"missing": missing, "label_column": label_column, "dropped": list(drop)}
    raw_labels = None
    if label_column is not None:
        if label_column not in frame.columns:
            raise DataFormatError(
                f"{label}: label column {label_column!r} not found; columns are {list(frame.columns)[:20]}."
            )
        check_no_missing(frame, [label_column], label=label, lines=lines, unit=unit)
        raw_labels = frame.pop(label_column)
    features = list(frame.columns)
    cats = _resolve_categorical(frame, categorical, label=label)
    numeric = [c for c in features if c not in cats]
    convert_numeric(frame, numeric, label=label, lines=lines, unit=unit)
    # One block operation, not a column-by-column assignment (quadratic in the width: a
    # 200,000-column CSV took minutes).
    floats = [c for c in numeric if pd.api.types.is_float_dtype(frame[c])]
    if floats:
        values = frame[floats].to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        values[np.isinf(values)] = np.nan
        finite = pd.DataFrame(values, columns=floats, index=frame.index)
        frame = pd.concat([finite, frame.drop(columns=floats)], axis=1)[features]
    if missing == "error":
        check_no_missing(frame, features, label=label, lines=lines, unit=unit)
    elif missing == "drop":
        keep = ~frame.isna().any(axis=1).to_numpy()
        meta["rows_dropped"] = int((~keep).sum())
        if meta["rows_dropped"]:
            logger.info("%s: dropped %d row(s) with missing values", label, meta["rows_dropped"])
        frame = frame.loc[keep].reset_index(drop=True)
        raw_labels = None if raw_labels is None else raw_labels.loc[keep].reset_index(drop=True)
        if len(frame) == 0:
            raise DataFormatError(
                f"{label}: every row has a missing value; nothing left after missing='drop'."
            )
    y = (
        None
        if raw_labels is None
        else _binary_labels(raw_labels, anomaly_values, label=label, column=label_column)
    )
    return Dataset(
        name=name or (Path(label).name if label != "DataFrame" else "table"),
        X=frame,
        y=y,
        fine_labels=None if raw_labels is None else raw_labels.to_numpy(),
        kind="tabular",
        feature_names=[str(c) for c in features],
        categorical=[str(c) for c in cats],
        description=f"user table {label}",
        source=label,
        files=() if label == "DataFrame" else (label,),
        meta=meta,
    )


# ---------------------------------------------------------------------------------------------
# Encoder
# ---------------------------------------------------------------------------------------------


class TabularEncoder(TransformerMixin, BaseEstimator):
    """One-hot encode categorical columns and MinMax-scale numeric ones, learned on training data.

    Output layout: the numeric columns (in input order) scaled with the training minimum/maximum (no
    clipping: unseen values may leave [0, 1]; a constant column maps to 0), then one 0/1 block per
    categorical column with the categories seen in `fit`, sorted. **A category not seen in `fit`
    encodes as an all-zero block** (the row is treated as "none of the known categories").

    Missing values (NaN, None, ±inf in numeric columns): `missing="error"` raises naming column and
    row; `"median"` imputes the training median (numeric) or a "<missing>" category (categorical).

    Parameters
    ----------
    categorical: None (no categorical columns), "infer" (non-numeric and bool columns) or names.
    missing: "error" | "median" ("drop" is accepted and behaves as "error": rows must be dropped
        before encoding, see `load_table`).
    scale_numeric: MinMax-scale numeric columns (True) or pass them through.
    """

    def __init__(
        self,
        categorical: str | Sequence[str] | None = None,
        *,
        missing: str = "error",
        scale_numeric: bool = True,
    ):
        self.categorical = categorical
        self.missing = missing
        self.scale_numeric = scale_numeric

    # -- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _frame(X: Any) -> pd.DataFrame:
        if isinstance(X, pd.DataFrame):
            return X.reset_index(drop=True)
        arr = np.asarray(X, dtype=object if np.asarray(X).dtype.kind in "OUS" else None)
        if arr.ndim != 2:
            raise ValueError(f"TabularEncoder expects a 2-D table, got shape {arr.shape}.")
        return pd.DataFrame(arr)

    def _numeric_block(self, frame: pd.DataFrame, *, fitting: bool) -> np.ndarray:
        block = np.empty((len(frame), len(self.numeric_columns_)), dtype=np.float64)
        for j, col in enumerate(self.numeric_columns_):
            series = frame[col]
            values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, copy=True)
            bad = np.isnan(values) & series.notna().to_numpy()
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ValueError(f"column {col!r}, row {i}: {series.iloc[i]!r} is not a number.")
            values[np.isinf(values)] = np.nan
            block[:, j] = values
        nan = np.isnan(block)
        if nan.any():
            if self.missing != "median":
                row, j = (int(v[0]) for v in np.nonzero(nan))
                raise ValueError(
                    f"column {self.numeric_columns_[j]!r}, row {row}: missing value "
                    f"({int(nan.sum())} in total); choose missing='median' or drop the rows."
                )
            if fitting:
                return block
            block = np.where(nan, self.medians_[None, :], block)
        return block

    def _category_values(self, frame: pd.DataFrame, col: Any) -> pd.Series:
        series = frame[col]
        if series.isna().any():
            if self.missing != "median":
                row = int(np.flatnonzero(series.isna().to_numpy())[0])
                raise ValueError(
                    f"column {col!r}, row {row}: missing value; choose missing='median' "
                    "(own category) or drop the rows."
                )
            series = series.astype(object).where(series.notna(), MISSING_CATEGORY)
        return series

    # -- API ----------------------------------------------------------------------------------

    def fit(self, X: Any, y: Any = None) -> TabularEncoder:
        if self.missing not in MISSING_POLICIES:
            raise ValueError(f"missing must be one of {MISSING_POLICIES}, got {self.missing!r}.")
        frame = self._frame(X)
        if len(frame) == 0:
            raise ValueError("TabularEncoder.fit got 0 rows.")
        self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
        self._columns_ = list(frame.columns)
        self.n_features_in_ = len(self._columns_)
        self.categorical_columns_ = _resolve_categorical(frame, self.categorical, label="X")
        self.numeric_columns_ = [c for c in self._columns_ if c not in self.categorical_columns_]
        raw = self._numeric_block(frame, fitting=True)
        with np.errstate(all="ignore"):
            medians = np.nanmedian(raw, axis=0) if raw.size else np.zeros(raw.shape[1])
        self.medians_ = np.where(np.isnan(medians), 0.0, medians)
        filled = np.where(np.isnan(raw), self.medians_[None, :], raw)
        self.data_min_ = filled.min(axis=0) if len(filled) else np.zeros(0)
        self.data_max_ = filled.max(axis=0) if len(filled) else np.zeros(0)
        self.categories_ = {}
        for col in self.categorical_columns_:
            values = self._category_values(frame, col).unique().tolist()
            self.categories_[col] = sorted(values, key=lambda v: (type(v).__name__, str(v)))
        names = [str(c) for c in self.numeric_columns_]
        for col in self.categorical_columns_:
            names += [f"{col}={v}" for v in self.categories_[col]]
        self.feature_names_out_ = np.asarray(names, dtype=object)
        self.n_features_out_ = len(names)
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "categories_")
        frame = self._frame(X)
        if isinstance(X, pd.DataFrame):
            missing_cols = [c for c in self._columns_ if c not in frame.columns]
            if missing_cols:
                raise ValueError(f"X lacks the column(s) {missing_cols} seen in fit.")
            frame = frame[self._columns_]
        elif frame.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {frame.shape[1]} columns, the encoder was fitted on {self.n_features_in_}."
            )
        else:
            frame.columns = self._columns_
        out = np.zeros((len(frame), self.n_features_out_), dtype=np.float32)
        numeric = self._numeric_block(frame, fitting=False)
        if self.scale_numeric and numeric.size:
            span = self.data_max_ - self.data_min_
            span = np.where(span == 0, 1.0, span)
            numeric = (numeric - self.data_min_) / span
        out[:, : numeric.shape[1]] = numeric
        offset = numeric.shape[1]
        rows = np.arange(len(frame))
        for col in self.categorical_columns_:
            cats = self.categories_[col]
            codes = category_codes(self._category_values(frame, col), cats)
            seen = codes >= 0
            out[rows[seen], offset + codes[seen]] = 1.0
            offset += len(cats)
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_.copy()
