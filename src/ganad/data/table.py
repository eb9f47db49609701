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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._errors import DataFormatError, DataNotFoundError
from ._io import check_no_missing, convert_numeric, parse_delimited, read_bytes
from .dataset import Dataset
from .loaders._common import NA_STRINGS

__all__ = ["HIGH_CARDINALITY", "MISSING_POLICIES", "FilledIn", "TabularEncoder", "load_table"]

logger = logging.getLogger(__name__)

MISSING_POLICIES = ("error", "drop", "median")
"""`missing=`: refuse any missing value; drop rows with one; impute numeric columns with the
training median and give categorical columns their own "<missing>" category."""

MISSING_CATEGORY = "<missing>"


#: Table files ganad reads: CSV (`.txt` too, e.g. NSL-KDD's files), TSV and Parquet. The one
#: list every reader, catalog and command-line check uses.
TABLE_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".tab", ".parquet", ".pq", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")
TAB_SEPARATED_SUFFIXES = (".tsv", ".tsv.gz", ".tab")
#: Data set files: tables, NumPy archives and MATLAB files.
DATA_FILE_SUFFIXES = (".npz", ".mat", *TABLE_SUFFIXES)


def is_table_file_name(name: str | Path) -> bool:
    """Whether `name` ends like a table file (CSV, TSV, Parquet), case-insensitively."""
    return str(name).lower().endswith(TABLE_SUFFIXES)


def is_data_file_name(name: str | Path) -> bool:
    """Whether `name` ends like a data set file (a table, `.npz` or `.mat`)."""
    return str(name).lower().endswith(DATA_FILE_SUFFIXES)


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
    if name.endswith(PARQUET_SUFFIXES):
        frame = _read_parquet(path)
        return frame, np.arange(len(frame)), str(path), "row"
    if sep is None:
        sep = "\t" if name.endswith(TAB_SEPARATED_SUFFIXES) else ","
    frame, lines = parse_delimited(
        read_bytes(path), label=str(path), header=True, sep=sep, na_values=NA_STRINGS
    )
    return frame, lines, str(path), "line"


def _binary_labels(
    values: pd.Series, anomaly_values: Sequence[Any] | None, *, label: str, column: str | None
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


def _drop_columns(
    frame: pd.DataFrame, drop: Sequence[str], label_column: str | None, *, label: str
) -> pd.DataFrame:
    """`frame` without the columns in `drop` (each must exist and must not be the label column)."""
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
    return frame


def _pop_label_column(
    frame: pd.DataFrame, label_column: str, *, label: str, lines: np.ndarray, unit: str
) -> pd.Series:
    """Remove the label column from `frame` (in place) and return it; it may not miss a value."""
    if label_column not in frame.columns:
        raise DataFormatError(
            f"{label}: label column {label_column!r} not found; columns are {list(frame.columns)[:20]}."
        )
    check_no_missing(frame, [label_column], label=label, lines=lines, unit=unit)
    return frame.pop(label_column)


def _infinities_as_missing(
    frame: pd.DataFrame, numeric: list[Any], features: list[Any]
) -> pd.DataFrame:
    """`frame` with ±inf in its float columns replaced by NaN (a missing value), columns in order."""
    # One block operation, not a column-by-column assignment (quadratic in the width: a
    # 200,000-column CSV took minutes).
    floats = [c for c in numeric if pd.api.types.is_float_dtype(frame[c])]
    if not floats:
        return frame
    values = frame[floats].to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    values[np.isinf(values)] = np.nan
    finite = pd.DataFrame(values, columns=floats, index=frame.index)
    return pd.concat([finite, frame.drop(columns=floats)], axis=1)[features]


def _drop_missing_rows(
    frame: pd.DataFrame, raw_labels: pd.Series | None, *, label: str
) -> tuple[pd.DataFrame, pd.Series | None, int]:
    """(frame, labels, rows dropped) without the rows that miss a value (`missing="drop"`)."""
    keep = ~frame.isna().any(axis=1).to_numpy()
    n_dropped = int((~keep).sum())
    if n_dropped:
        logger.info("%s: dropped %d row(s) with missing values", label, n_dropped)
    frame = frame.loc[keep].reset_index(drop=True)
    raw_labels = None if raw_labels is None else raw_labels.loc[keep].reset_index(drop=True)
    if len(frame) == 0:
        raise DataFormatError(
            f"{label}: every row has a missing value; nothing left after missing='drop'."
        )
    return frame, raw_labels, n_dropped


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
    max_categories: int | None = None,
) -> Dataset:
    """A CSV (optionally gzip-compressed), Parquet file or DataFrame as a `Dataset` with raw columns.

    Parameters
    ----------
    source : str, path-like or pandas.DataFrame
        A Parquet file (`.parquet`, `.pq`; needs pyarrow), a delimited text file with a header
        line (any other name: comma-separated, tab-separated for `.tsv`/`.tab`; gzip-compressed
        accepted), or a DataFrame (copied).
    label_column : str, optional
        Column with 1 = anomaly / 0 = normal (or booleans); with `anomaly_values` any column whose
        listed values mark anomalies. None: unlabelled (`y` is None).
    categorical : "infer", sequence of str or None, default None
        None: every feature must be numeric (a text value is an error naming line and column);
        "infer": non-numeric and boolean columns are categorical; or a list of column names.
    missing : {"error", "drop", "median"}, default "error"
        "error": a missing value (empty field, NA, NaN, ±inf) raises naming line and
        column; "drop": rows with one are dropped (count in `meta`); "median": kept, then imputed
        by `TabularEncoder` with the training median (categorical: own "<missing>" category).
    anomaly_values : sequence, optional
        The values of `label_column` that mark an anomaly (every other value is normal).
    name : str, optional
        The data set's name (None: the file name, or "table" for a DataFrame).
    sep : str, optional
        Field separator of a text file (None: tab for `.tsv`/`.tab`, else comma).
    drop : sequence of str, default ()
        Columns that are not features (IDs, free text, timestamps), removed before anything else;
        a name that is not a column is an error.
    max_categories : int, optional
        Passed to the `TabularEncoder` that `load_split` fits (None: refuse categorical columns
        with more than `HIGH_CARDINALITY` values; K: group all but the K-1 most frequent).

    Returns
    -------
    Dataset
        `X` the raw feature DataFrame (not encoded), `y` the binary labels or None,
        `fine_labels` the label column's original values, `meta` the options.
    """
    _check_policy(missing)
    frame, lines, label, unit = _read_source(source, sep)
    if frame.shape[1] == 0 or len(frame) == 0:
        raise DataFormatError(f"{label}: the table is empty.")
    drop = [drop] if isinstance(drop, str) else drop
    frame = _drop_columns(frame, drop, label_column, label=label)
    meta: dict[str, Any] = {
        "missing": missing,
        "label_column": label_column,
        "dropped": list(drop),
        "max_categories": max_categories,
    }
    raw_labels = (
        None
        if label_column is None
        else _pop_label_column(frame, label_column, label=label, lines=lines, unit=unit)
    )
    features = list(frame.columns)
    cats = _resolve_categorical(frame, categorical, label=label)
    numeric = [c for c in features if c not in cats]
    convert_numeric(frame, numeric, label=label, lines=lines, unit=unit)
    frame = _infinities_as_missing(frame, numeric, features)
    if missing == "error":
        check_no_missing(frame, features, label=label, lines=lines, unit=unit)
    elif missing == "drop":
        frame, raw_labels, meta["rows_dropped"] = _drop_missing_rows(frame, raw_labels, label=label)
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

#: A string column with more distinct values than this is refused unless `max_categories` groups
#: the rare ones: one-hot encoding it would add that many features (an ID column of a 2,389-row
#: table became 2,389 features and a 3-minute fit).
HIGH_CARDINALITY = 100
#: Training categories outside the `max_categories - 1` most frequent share this one category.
INFREQUENT_CATEGORY = "<infrequent>"
#: A string column is "ID-like" when (nearly) every row has its own value: at least this many
#: rows, and distinct values for at least `_ID_SHARE` of them.
_ID_MIN_ROWS = 20
_ID_SHARE = 0.95


@dataclass
class FilledIn:
    """What the encoder filled in while encoding rows: per column, missing values imputed and
    categories never seen in training (encoded as no category); per row, how many of its values
    were either. `add` accumulates the column counts of several chunks.

    Parameters
    ----------
    missing : dict of str to int, default {}
        Per column, how many missing values (NaN, None, ±inf) were imputed.
    unseen : dict of str to int, default {}
        Per categorical column, how many values were categories never seen in training.
    per_row : numpy.ndarray, default empty
        Per encoded row (int64): how many of its values were missing or unseen.
    """

    missing: dict[str, int] = field(default_factory=dict)
    unseen: dict[str, int] = field(default_factory=dict)
    per_row: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def add(self, other: FilledIn) -> FilledIn:
        """Add `other`'s column counts to this report's, in place.

        Parameters
        ----------
        other : FilledIn
            The report of another chunk of rows; its `per_row` is not taken over.

        Returns
        -------
        FilledIn
            This report (`self`), updated.
        """
        for mine, theirs in ((self.missing, other.missing), (self.unseen, other.unseen)):
            for col, n in theirs.items():
                mine[col] = mine.get(col, 0) + n
        return self

    def __bool__(self) -> bool:
        return bool(self.missing or self.unseen)


def numeric_values(frame: pd.DataFrame, columns: Sequence[Any]) -> np.ndarray:
    """`columns` of `frame` as float64, missing values and ±inf as NaN; a value that is not a
    number is an error naming column and row."""
    block = frame[list(columns)]
    if all(
        pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in block.dtypes
    ):
        # Already numbers (the common case): one block conversion, no per-column round trip.
        values = block.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    else:
        values = np.empty((len(frame), len(columns)), dtype=np.float64)
        for j, col in enumerate(columns):
            series = frame[col]
            converted = pd.to_numeric(series, errors="coerce").to_numpy(
                dtype=np.float64, na_value=np.nan, copy=True
            )
            bad = np.isnan(converted) & series.notna().to_numpy()
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ValueError(f"column {col!r}, row {i}: {series.iloc[i]!r} is not a number.")
            values[:, j] = converted
    values[np.isinf(values)] = np.nan
    return values


def _category_string(value: Any) -> str:
    """One spelling per category: a whole number is written without a decimal part whether it
    arrives as 1, 1.0 (an integer column with a NaN becomes float) or "1"."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def category_strings(series: pd.Series) -> np.ndarray:
    """A categorical column as an object array of strings, missing values as NaN (what
    scikit-learn's `SimpleImputer` fills in). Strings, so that "1" in a CSV and 1 in a
    DataFrame are one category and the categories sort and serialise as JSON."""
    missing = series.isna().to_numpy()
    values = np.array([_category_string(v) for v in series.to_numpy(dtype=object)], dtype=object)
    values[missing] = np.nan
    return values


def string_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its column names as strings (saved models name columns in JSON), refusing
    names that would then collide (1 and "1")."""
    names = [str(c) for c in frame.columns]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"column names {twice} occur twice once written as strings.")
    if list(frame.columns) == names:
        return frame
    return frame.set_axis(names, axis=1)


def check_cardinality(
    frame: pd.DataFrame, columns: Sequence[Any], *, max_categories: int | None
) -> None:
    """Refuse categorical columns that one-hot encoding would turn into a feature per row (IDs)
    or into more than `HIGH_CARDINALITY` features, suggesting what to do instead."""
    n = len(frame)
    for col in columns:
        distinct = int(frame[col].nunique(dropna=True))
        if n >= _ID_MIN_ROWS and distinct >= _ID_SHARE * n:
            raise ValueError(
                f"column {col!r} looks like an ID ({distinct:,} distinct values in {n:,} rows); "
                f"it would become {distinct:,} one-hot features. Pass it as id_column={col!r} "
                f"(CLI: --id-column {col}) to carry it to the scores, or drop=[{col!r}] "
                f"(--drop {col})."
            )
        if max_categories is None and distinct > HIGH_CARDINALITY:
            raise ValueError(
                f"column {col!r} has {distinct:,} distinct values (more than {HIGH_CARDINALITY}); "
                f"drop it (drop=[{col!r}], CLI --drop {col}) or group its rare values with "
                "max_categories=K (the K-1 most frequent kept, the rest one category)."
            )


def _frequent(values: np.ndarray, max_categories: int | None) -> list[str] | None:
    """The `max_categories - 1` most frequent categories (ties by value), or None when there are
    at most `max_categories` and nothing needs grouping."""
    counts = pd.Series(values[pd.notna(values)]).value_counts()
    if max_categories is None or len(counts) <= max_categories:
        return None
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return sorted(str(v) for v, _ in ranked[: max_categories - 1])


class TabularEncoder(TransformerMixin, BaseEstimator):
    """One-hot encode categorical columns and MinMax-scale numeric ones, learned on training data.

    Built from scikit-learn's `ColumnTransformer`: numeric columns go through
    `SimpleImputer(strategy="median")` and `MinMaxScaler`, categorical ones through
    `SimpleImputer(strategy="constant", fill_value="<missing>")` and
    `OneHotEncoder(handle_unknown="ignore")`. The fitted state is plain JSON (`to_state` /
    `from_state`), never a pickle.

    Output layout: the numeric columns (in input order) scaled with the training minimum/maximum (no
    clipping: unseen values may leave [0, 1]; a constant column maps to 0), then one 0/1 block per
    categorical column with the categories seen in `fit` as strings, sorted.

    Policy at scoring time (`transform_with_report` counts both per column):
    * **a category not seen in `fit` encodes as an all-zero block** (none of the known
      categories), or, in a column that groups rare categories (`max_categories`), as
      "<infrequent>" (scikit-learn's `handle_unknown="infrequent_if_exist"`);
    * a missing value is an error for `missing="error"`; with `"median"` it is imputed with the
      training median (numeric) or becomes the "<missing>" category.

    Parameters
    ----------
    categorical : "infer", sequence of str or None, default None
        None (no categorical columns), "infer" (non-numeric and bool columns) or column names.
    missing : {"error", "median", "drop"}, default "error"
        "error" | "median" ("drop" is accepted and behaves as "error": rows must be dropped
        before encoding, see `load_table`).
    scale_numeric : bool, default True
        MinMax-scale numeric columns (True) or pass them through.
    max_categories : int >= 2, optional
        None: a categorical column with more than `HIGH_CARDINALITY` distinct values
        is refused; K: each column keeps its K-1 most frequent categories and groups the others
        as "<infrequent>". ID-like columns (a distinct value in nearly every row) are refused
        either way: pass them as an ID column or drop them.
    """

    def __init__(
        self,
        categorical: str | Sequence[str] | None = None,
        *,
        missing: str = "error",
        scale_numeric: bool = True,
        max_categories: int | None = None,
    ):
        self.categorical = categorical
        self.missing = missing
        self.scale_numeric = scale_numeric
        self.max_categories = max_categories

    # -- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _frame(X: Any) -> pd.DataFrame:
        if isinstance(X, pd.DataFrame):
            return string_columns(X.reset_index(drop=True))
        arr = np.asarray(X, dtype=object if np.asarray(X).dtype.kind in "OUS" else None)
        if arr.ndim != 2:
            raise ValueError(f"TabularEncoder expects a 2-D table, got shape {arr.shape}.")
        # An object array of numbers (a mixed table's .to_numpy()) keeps numeric columns numeric.
        return string_columns(pd.DataFrame(arr).infer_objects())

    def _check_params(self) -> None:
        if self.missing not in MISSING_POLICIES:
            raise ValueError(f"missing must be one of {MISSING_POLICIES}, got {self.missing!r}.")
        k = self.max_categories
        if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 2):
            raise ValueError(f"max_categories must be None or an integer >= 2, got {k!r}.")

    def _columns_in_order(self, X: Any) -> pd.DataFrame:
        """New rows with the fitted columns, matched by name for a DataFrame."""
        frame = self._frame(X)
        if isinstance(X, pd.DataFrame):
            missing_cols = [c for c in self._columns_ if c not in frame.columns]
            if missing_cols:
                raise ValueError(f"X lacks the column(s) {missing_cols} seen in fit.")
            return frame[self._columns_]
        if frame.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {frame.shape[1]} columns, the encoder was fitted on {self.n_features_in_}."
            )
        frame.columns = self._columns_
        return frame

    def _numeric(self, frame: pd.DataFrame) -> np.ndarray:
        values = numeric_values(frame, self.numeric_columns_)
        nan = np.isnan(values)
        if nan.any() and self.missing != "median":
            row, j = (int(v[0]) for v in np.nonzero(nan))
            raise ValueError(
                f"column {self.numeric_columns_[j]!r}, row {row}: missing value "
                f"({int(nan.sum())} in total); choose missing='median' or drop the rows."
            )
        return values

    def _categories(
        self,
        frame: pd.DataFrame,
        col: Any,
        *,
        scoring: bool = False,
        strings: np.ndarray | None = None,
    ) -> np.ndarray:
        """A categorical column's strings for the OneHotEncoder: rare training categories as
        "<infrequent>" and, when scoring a column that groups them, categories never seen in
        training too (scikit-learn's handle_unknown="infrequent_if_exist"). `strings`: the
        column's `category_strings`, when the caller already has them."""
        values = category_strings(frame[col]) if strings is None else strings
        if self.missing != "median" and pd.isna(values).any():
            row = int(np.flatnonzero(pd.isna(values))[0])
            raise ValueError(
                f"column {col!r}, row {row}: missing value; choose missing='median' "
                "(own category) or drop the rows."
            )
        rare = self.infrequent_.get(col)
        if rare:
            values = values.copy()
            grouped = pd.Series(values).isin(rare).to_numpy().copy()
            if scoring:
                known = pd.Series(values).isin(self.categories_[col]).to_numpy()
                grouped = grouped | (pd.notna(values) & ~known)
            values[grouped] = INFREQUENT_CATEGORY
        return values

    def _inputs(
        self,
        frame: pd.DataFrame,
        numeric: np.ndarray | None = None,
        *,
        scoring: bool = False,
        strings: dict[Any, np.ndarray] | None = None,
    ) -> pd.DataFrame:
        """The ColumnTransformer's input: numeric block, then categorical strings, by position."""
        parts = [pd.DataFrame(self._numeric(frame) if numeric is None else numeric)]
        if self.categorical_columns_:
            cats = np.column_stack(
                [
                    self._categories(frame, c, scoring=scoring, strings=(strings or {}).get(c))
                    for c in self.categorical_columns_
                ]
            )
            parts.append(pd.DataFrame(cats, dtype=object))
        inputs = pd.concat(parts, axis=1, ignore_index=True)
        return inputs

    def _column_transformer(self, categories: list[list[str]] | str) -> Any:
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import MinMaxScaler, OneHotEncoder

        k = len(self.numeric_columns_)
        numeric = make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            MinMaxScaler() if self.scale_numeric else "passthrough",
        )
        categorical = make_pipeline(
            SimpleImputer(strategy="constant", fill_value=MISSING_CATEGORY),
            OneHotEncoder(
                categories=categories,
                handle_unknown="ignore",
                sparse_output=False,
                dtype=np.float32,
            ),
        )
        return ColumnTransformer(
            [
                ("numeric", numeric, list(range(k))),
                ("categorical", categorical, list(range(k, k + len(self.categorical_columns_)))),
            ],
            sparse_threshold=0.0,
        )

    def _set_fitted_names(self) -> None:
        names = [str(c) for c in self.numeric_columns_]
        for col in self.categorical_columns_:
            names += [f"{col}={v}" for v in self.categories_[col]]
        self.feature_names_out_ = np.asarray(names, dtype=object)
        self.n_features_out_ = len(names)

    # -- API ----------------------------------------------------------------------------------

    def fit(self, X: pd.DataFrame | ArrayLike, y: object = None) -> TabularEncoder:
        """Learn the columns, categories, medians and MinMax ranges from the training rows.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n, d)
            Training rows (at least one); column names are used as strings.
        y : None
            Ignored (scikit-learn API).

        Returns
        -------
        TabularEncoder
            The fitted encoder (`self`).
        """
        self._check_params()
        frame = self._frame(X)
        if len(frame) == 0:
            raise ValueError("TabularEncoder.fit got 0 rows.")
        self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
        self._columns_ = list(frame.columns)
        self.n_features_in_ = len(self._columns_)
        self.categorical_columns_ = _resolve_categorical(frame, self.categorical, label="X")
        self.numeric_columns_ = [c for c in self._columns_ if c not in self.categorical_columns_]
        check_cardinality(frame, self.categorical_columns_, max_categories=self.max_categories)
        self.infrequent_ = {}
        for col in self.categorical_columns_:
            values = category_strings(frame[col])
            kept = _frequent(values, self.max_categories)
            if kept is not None:
                seen = pd.unique(values[pd.notna(values)])
                kept_set = set(kept)
                self.infrequent_[col] = sorted(str(v) for v in seen if v not in kept_set)
        inputs = self._inputs(frame)
        self.transformer_ = self._column_transformer("auto").fit(inputs)
        self._read_fitted_state()
        k = len(self.numeric_columns_)
        self.modes_ = {
            col: str(inputs[k + j].fillna(MISSING_CATEGORY).value_counts().index[0])
            for j, col in enumerate(self.categorical_columns_)
        }
        return self

    def _read_fitted_state(self) -> None:
        """The per-column state of the fitted scikit-learn transformers, as plain attributes."""
        numeric = self.transformer_.named_transformers_["numeric"]
        k = len(self.numeric_columns_)
        self.medians_ = np.asarray(numeric[0].statistics_, dtype=np.float64) if k else np.zeros(0)
        if self.scale_numeric and k:
            self.data_min_ = np.asarray(numeric[1].data_min_, dtype=np.float64)
            self.data_max_ = np.asarray(numeric[1].data_max_, dtype=np.float64)
        else:
            self.data_min_ = self.data_max_ = np.zeros(k)
        self.categories_ = {}
        if self.categorical_columns_:
            encoder = self.transformer_.named_transformers_["categorical"][-1]
            for col, cats in zip(self.categorical_columns_, encoder.categories_, strict=True):
                self.categories_[col] = [str(c) for c in cats]
        self._set_fitted_names()

    def transform(self, X: pd.DataFrame | ArrayLike) -> np.ndarray:
        """Encode rows with the fitted state (see the class docstring for the policy).

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n, d)
            Rows with the fitted columns: a DataFrame's are matched by name (extra ones
            ignored), an array's by position.

        Returns
        -------
        numpy.ndarray
            float32 of shape (n, n_features_out_).
        """
        return self.transform_with_report(X)[0]

    def transform_with_report(self, X: pd.DataFrame | ArrayLike) -> tuple[np.ndarray, FilledIn]:
        """The encoded rows and what had to be filled in (`FilledIn`): values that were missing
        (NaN, None, ±inf: imputed) and categories never seen in training (encoded as no
        category).

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n, d)
            Rows, as for `transform`.

        Returns
        -------
        x : numpy.ndarray
            float32 of shape (n, n_features_out_), as `transform` returns it.
        filled : FilledIn
            The counts per column and per row.
        """
        check_is_fitted(self, "transformer_")
        frame = self._columns_in_order(X)
        report = FilledIn(per_row=np.zeros(len(frame), dtype=np.int64))
        if len(frame) == 0:
            return np.zeros((0, self.n_features_out_), dtype=np.float32), report
        numeric = self._numeric(frame)  # one conversion: ±inf is NaN here
        nan = np.isnan(numeric)
        for j in np.flatnonzero(nan.any(axis=0)):
            report.missing[str(self.numeric_columns_[j])] = int(nan[:, j].sum())
        report.per_row += nan.sum(axis=1)
        # Each categorical column is spelled out once, for the report and for the encoder.
        strings = {col: category_strings(frame[col]) for col in self.categorical_columns_}
        for col in self.categorical_columns_:
            values = pd.Series(strings[col])
            missing = values.isna().to_numpy()
            seen = values.isin(self.categories_[col]) | values.isin(self.infrequent_.get(col, ()))
            unseen = ~missing & ~seen.to_numpy()
            for kind, mask in ((report.missing, missing), (report.unseen, unseen)):
                if mask.any():
                    kind[str(col)] = int(mask.sum())
                    report.per_row += mask
        inputs = self._inputs(frame, numeric, scoring=True, strings=strings)
        out = self.transformer_.transform(inputs).astype(np.float32, copy=False)
        return out, report

    def typical_row(self) -> np.ndarray:
        """The encoding of a typical training row, shape (1, n_features_out_): each numeric
        column at its training median, each categorical column at its most frequent category.
        The baseline of `explain` on a pipeline: an all-zero one-hot block (the median of most
        one-hot features) would itself be "no known category", the encoding of an unseen one."""
        check_is_fitted(self, "transformer_")
        k = len(self.numeric_columns_)
        inputs = pd.concat(
            [
                pd.DataFrame(self.medians_[None, :].reshape(1, k)),
                pd.DataFrame([[self.modes_[c] for c in self.categorical_columns_]], dtype=object),
            ],
            axis=1,
            ignore_index=True,
        )
        return self.transformer_.transform(inputs).astype(np.float32, copy=False)

    def get_feature_names_out(self, input_features: ArrayLike | None = None) -> np.ndarray:
        """The output feature names: numeric columns, then ``"<column>=<category>"`` per one-hot
        feature.

        Parameters
        ----------
        input_features : array-like of str, optional
            Ignored (scikit-learn API); the names seen in `fit` are used.

        Returns
        -------
        numpy.ndarray
            object array of str, shape (n_features_out_,).
        """
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_.copy()

    def source_columns(self) -> list[str]:
        """For each output feature, the input column it came from (a one-hot block folds back
        to its categorical column)."""
        check_is_fitted(self, "feature_names_out_")
        sources = [str(c) for c in self.numeric_columns_]
        for col in self.categorical_columns_:
            sources += [str(col)] * len(self.categories_[col])
        return sources

    # -- JSON state -----------------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """The fitted encoder as JSON-able data (`from_state` rebuilds it exactly)."""
        check_is_fitted(self, "transformer_")
        return {
            "columns": [str(c) for c in self._columns_],
            "numeric": [str(c) for c in self.numeric_columns_],
            "categorical": [str(c) for c in self.categorical_columns_],
            "categories": {str(k): list(v) for k, v in self.categories_.items()},
            "infrequent": {str(k): list(v) for k, v in self.infrequent_.items()},
            "medians": [float(v) for v in self.medians_],
            "data_min": [float(v) for v in self.data_min_],
            "data_max": [float(v) for v in self.data_max_],
            "scale_numeric": bool(self.scale_numeric),
            "missing": str(self.missing),
            "max_categories": self.max_categories,
            "modes": {str(k): v for k, v in self.modes_.items()},
            "n_out": int(self.n_features_out_),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> TabularEncoder:
        """The encoder `to_state` described. The scikit-learn transformers are rebuilt by fitting
        them on three synthetic rows (minimum, median, maximum; each column's first category)
        with the saved categories given explicitly, which reproduces their fitted state exactly
        without touching their private attributes."""
        enc = cls(
            categorical=list(state["categorical"]) or None,
            missing=str(state["missing"]),
            scale_numeric=bool(state["scale_numeric"]),
            max_categories=state.get("max_categories"),
        )
        enc._check_params()
        enc._columns_ = list(state["columns"])
        enc.feature_names_in_ = np.asarray(enc._columns_, dtype=object)
        enc.n_features_in_ = len(enc._columns_)
        enc.numeric_columns_ = list(state["numeric"])
        enc.categorical_columns_ = list(state["categorical"])
        enc.infrequent_ = {k: list(v) for k, v in (state.get("infrequent") or {}).items()}
        categories = [
            [str(c) for c in state["categories"][col]] for col in enc.categorical_columns_
        ]
        lo, mid, hi = (
            np.asarray(state[key], dtype=np.float64) for key in ("data_min", "medians", "data_max")
        )
        if not enc.scale_numeric:
            lo = hi = mid
        synthetic = pd.concat(
            [
                pd.DataFrame(np.vstack([lo, mid, hi]).reshape(3, len(mid))),
                pd.DataFrame([[c[0] for c in categories]] * 3, dtype=object),
            ],
            axis=1,
            ignore_index=True,
        )
        enc.transformer_ = enc._column_transformer(categories or "auto").fit(synthetic)
        enc._read_fitted_state()
        # States saved before the modes were recorded: the first category stands in.
        modes = state.get("modes") or {}
        enc.modes_ = {
            col: str(modes.get(col, cats[0]))
            for col, cats in zip(enc.categorical_columns_, categories, strict=True)
        }
        if enc.n_features_out_ != int(state["n_out"]):
            raise ValueError(
                f"encoder state describes {state['n_out']} outputs, rebuilt {enc.n_features_out_}."
            )
        return enc
