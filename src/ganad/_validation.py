"""Validation at public boundaries: input arrays and hyperparameters.

Every check raises a `ValueError` or `TypeError` whose message names the problem. Nothing is
clipped or repaired silently.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "Interval",
    "Options",
    "check_input",
    "check_labels",
    "check_params",
    "positive_int_sequence",
]


# ---------------------------------------------------------------------------------------------
# Input arrays
# ---------------------------------------------------------------------------------------------


def _to_numeric_array(X: Any, name: str) -> np.ndarray:
    """Convert array-likes (NumPy, pandas, lists, torch) to a NumPy array, refusing non-numeric data."""
    if hasattr(X, "dtypes") and hasattr(X, "columns"):  # pandas DataFrame, without importing pandas
        bad = [
            str(c) for c, dt in zip(X.columns, X.dtypes, strict=True) if not _is_numeric_dtype(dt)
        ]
        if bad:
            raise TypeError(
                f"{name} has non-numeric columns {bad[:10]}{' ...' if len(bad) > 10 else ''}; "
                "encode them first (e.g. ganad.data.TabularEncoder or pandas.get_dummies)."
            )
        # Float64 with NaN for missing values: bool next to float columns, and pandas' nullable
        # Int64/Float64/boolean, would otherwise become an object array. NaN then meets the
        # missing-value check below.
        X = X.to_numpy(dtype=np.float64, na_value=np.nan)
    elif hasattr(X, "detach") and hasattr(X, "cpu"):  # torch.Tensor
        X = X.detach().cpu().numpy()
    try:
        arr = np.asarray(X)
    except (ValueError, TypeError) as exc:  # ragged lists and the like
        raise TypeError(f"{name} could not be converted to a numeric array: {exc}") from exc
    if not _is_numeric_dtype(arr.dtype):
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype!s}.")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real-valued, got complex dtype {arr.dtype!s}.")
    return arr


def _is_numeric_dtype(dtype: Any) -> bool:
    try:
        kind = np.dtype(dtype).kind
    except TypeError:  # pandas extension dtypes
        return str(dtype).lower().startswith(("int", "uint", "float", "bool", "boolean"))
    return kind in "biuf"


def feature_names(X: Any) -> np.ndarray | None:
    """A DataFrame's column names when all are strings (scikit-learn's `feature_names_in_`
    rule), else None."""
    if not (hasattr(X, "dtypes") and hasattr(X, "columns")):
        return None
    columns = list(X.columns)
    if not columns or not all(isinstance(c, str) for c in columns):
        return None
    return np.asarray(columns, dtype=object)


def match_columns(X: Any, fitted_names: np.ndarray | None, name: str = "X") -> Any:
    """`X` with its columns in the fitted order when `X` is a DataFrame and the detector was
    fitted on named columns: reordered columns are matched by name; missing or unknown columns
    are an error naming them. Arrays pass through (their column order is the caller's)."""
    names = feature_names(X)
    if fitted_names is None or names is None:
        return X
    expected = [str(c) for c in fitted_names]
    if list(names) == expected:
        return X
    given, fitted = set(names), set(expected)
    missing = [c for c in expected if c not in given]
    unknown = [c for c in names if c not in fitted]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing columns {missing[:10]}{' ...' if len(missing) > 10 else ''}")
        if unknown:
            parts.append(f"unknown columns {unknown[:10]}{' ...' if len(unknown) > 10 else ''}")
        raise ValueError(
            f"{name} does not have the columns the detector was fitted on: {'; '.join(parts)}."
        )
    return X[expected]


def check_input(
    X: ArrayLike,
    *,
    name: str = "X",
    input_shape: tuple[int, ...] | None = None,
    allow_images: bool = True,
) -> np.ndarray:
    """Return `X` as a float32 array of shape (n, d) or (n, C, H, W).

    `input_shape` is the per-sample shape seen at fit time; when given, the new data must match it.
    A 3-D array (n, H, W) is read as single-channel images.
    """
    arr = _to_numeric_array(X, name)
    if arr.ndim == 1:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features) or 4-D (n, C, H, W), got a 1-D array of "
            f"shape {arr.shape}; use X.reshape(-1, 1) for one feature or X.reshape(1, -1) for one sample."
        )
    if arr.ndim == 3 and allow_images:
        arr = arr[:, None, :, :]
    if arr.ndim not in (2, 4) or (arr.ndim == 4 and not allow_images):
        expected = "2-D (n_samples, n_features)" + (" or 4-D (n, C, H, W)" if allow_images else "")
        raise ValueError(f"{name} must be {expected}, got {arr.ndim}-D with shape {arr.shape}.")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: 0 samples (shape {arr.shape}).")
    if arr.ndim == 2 and arr.shape[1] == 0:
        raise ValueError(f"{name} has 0 features (shape {arr.shape}).")
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    if not np.isfinite(arr).all():
        n_nan = int(np.isnan(arr).sum())
        n_inf = int(np.isinf(arr).sum())
        rows = np.flatnonzero(~np.isfinite(arr.reshape(len(arr), -1)).all(axis=1))[:5].tolist()
        raise ValueError(
            f"{name} contains {n_nan} NaN and {n_inf} infinite values (first rows: {rows}); "
            "impute or drop them before fitting/scoring, or check for float32 overflow."
        )
    if input_shape is not None and tuple(arr.shape[1:]) != tuple(input_shape):
        if arr.ndim == 2 and len(input_shape) == 1:
            raise ValueError(
                f"{name} has {arr.shape[1]} features, but the detector was fitted with "
                f"{input_shape[0]} features."
            )
        raise ValueError(
            f"{name} has per-sample shape {tuple(arr.shape[1:])}, but the detector was fitted on "
            f"shape {tuple(input_shape)}."
        )
    return arr


def check_labels(y: ArrayLike | None, n_samples: int, *, name: str = "y") -> np.ndarray | None:
    """Validate optional labels: 1-D, length n_samples, values in {0, 1}; `None` passes through."""
    if y is None:
        return None
    arr = _to_numeric_array(y, name).reshape(-1) if np.ndim(y) > 1 else _to_numeric_array(y, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}.")
    if len(arr) != n_samples:
        raise ValueError(f"{name} has {len(arr)} entries but X has {n_samples} samples.")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    values = set(np.unique(arr).tolist())
    if not values <= {0, 1}:
        raise ValueError(
            f"{name} must contain only 0 (normal) and 1 (anomaly), got values {sorted(values)[:10]}."
        )
    return arr.astype(np.int64)


# ---------------------------------------------------------------------------------------------
# Hyperparameters
# ---------------------------------------------------------------------------------------------


#: Bound of every numeric parameter that has no upper bound of its own: no count, rate or
#: weight of ganad is meaningful beyond it, and torch overflows or fails to allocate long before.
MAX_PARAMETER = 1e12
#: Largest layer width: a dense layer of this many units already needs 4 MiB of weights per input
#: feature; beyond it a size is a typo, not a network.
MAX_LAYER_UNITS = 1 << 20


@dataclass(frozen=True)
class Interval:
    """A numeric range constraint, e.g. ``Interval(float, 0, 0.5, closed="right")``."""

    kind: type
    low: float | None = None
    high: float | None = None
    closed: str = "both"  # "both" | "left" | "right" | "neither"
    allow_none: bool = False

    def check(self, name: str, value: Any) -> None:
        if value is None and self.allow_none:
            return
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"Parameter {name!r} must be a {self.kind.__name__}, got {value!r}.")
        if self.kind is int and not isinstance(value, numbers.Integral):
            raise TypeError(f"Parameter {name!r} must be an int, got {value!r}.")
        try:
            finite = math.isfinite(float(value))
        except OverflowError:  # an int beyond float's range
            finite = False
        if not finite:
            raise ValueError(f"Parameter {name!r} must be finite, got {value!r}.")
        if self.high is None and abs(value) > MAX_PARAMETER:
            raise ValueError(
                f"Parameter {name!r} must be at most {MAX_PARAMETER:.0e} in magnitude, got "
                f"{value!r}."
            )
        lo_ok = self.low is None or (
            value >= self.low if self.closed in ("both", "left") else value > self.low
        )
        hi_ok = self.high is None or (
            value <= self.high if self.closed in ("both", "right") else value < self.high
        )
        if not (lo_ok and hi_ok):
            raise ValueError(f"Parameter {name!r} must be in {self._describe()}, got {value!r}.")

    def _describe(self) -> str:
        left = "[" if self.closed in ("both", "left") else "("
        right = "]" if self.closed in ("both", "right") else ")"
        lo = "-inf" if self.low is None else self.low
        hi = "inf" if self.high is None else self.high
        return f"{left}{lo}, {hi}{right}"


@dataclass(frozen=True)
class Options:
    """The value must be one of a fixed set."""

    values: frozenset
    allow_none: bool = False

    def __init__(self, values: Iterable[Any], allow_none: bool = False):
        object.__setattr__(self, "values", frozenset(values))
        object.__setattr__(self, "allow_none", allow_none)

    def check(self, name: str, value: Any) -> None:
        if value is None and self.allow_none:
            return
        if value not in self.values:
            raise ValueError(
                f"Parameter {name!r} must be one of {sorted(map(str, self.values))}, got {value!r}."
            )


@dataclass(frozen=True)
class Check:
    """A custom predicate with a description used in the error message."""

    predicate: Callable[[Any], bool]
    description: str

    def check(self, name: str, value: Any) -> None:
        if not self.predicate(value):
            raise ValueError(f"Parameter {name!r} must be {self.description}, got {value!r}.")


def _is_positive_int_sequence(value: Any) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and 0 < len(value) <= 1000
        and all(
            isinstance(v, numbers.Integral)
            and not isinstance(v, bool)
            and 0 < int(v) <= MAX_LAYER_UNITS
            for v in value
        )
    )


@dataclass(frozen=True)
class LayerSizes(Check):
    """Layer sizes: a non-empty sequence of at most 1000 positive ints, each at most
    `MAX_LAYER_UNITS`; the error for a huge width says what memory it would need."""

    def check(self, name: str, value: Any) -> None:
        if self.predicate(value):
            return
        if isinstance(value, Sequence) and not isinstance(value, str):
            huge = [
                v for v in value if isinstance(v, numbers.Integral) and int(v) > MAX_LAYER_UNITS
            ]
            if huge:
                gib = 4 * int(max(huge)) ** 2 / 2**30
                raise ValueError(
                    f"Parameter {name!r}: a layer of {max(huge)} units is over the limit of "
                    f"{MAX_LAYER_UNITS}; two such layers would need {gib:.3g} GiB of float32 "
                    "weights."
                )
        super().check(name, value)


def positive_int_sequence(allow_none: bool = False) -> Check:
    """A non-empty tuple/list of positive ints (layer sizes), each at most `MAX_LAYER_UNITS`."""
    if allow_none:
        return LayerSizes(
            lambda v: v is None or _is_positive_int_sequence(v),
            "None or a non-empty sequence of positive ints",
        )
    return LayerSizes(_is_positive_int_sequence, "a non-empty sequence of positive ints")


def _check_device(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    if value in ("auto", "cpu", "cuda", "mps"):
        return True
    head, _, idx = value.partition(":")
    return head == "cuda" and idx.isdigit()


DEVICE = Check(_check_device, '"auto", "cpu", "cuda", "cuda:<i>" or "mps"')
RANDOM_STATE = Check(
    lambda v: (
        v is None
        or (isinstance(v, numbers.Integral) and not isinstance(v, bool) and 0 <= int(v) < 2**32)
    ),
    "None or an int in [0, 2**32)",
)
#: Share of the training rows flagged; None: the training data are clean (see `FPR`).
CONTAMINATION = Interval(float, 0.0, 0.5, closed="right", allow_none=True)
#: `contamination=None` (clean training data): the threshold flags this share of normal rows.
FPR = Interval(float, 0.0, 0.5, closed="right")
#: Parameters of a detector trained for about `updates` Adam updates (`epochs=None`) or a fixed
#: number of `epochs` (`ganad.training.budget_epochs`): DTE, K-DSM.
UPDATE_BUDGET: dict[str, Interval] = {
    "epochs": Interval(int, 1, None, allow_none=True),
    "updates": Interval(int, 1, None),
    "batch_size": Interval(int, 1, None),
    "lr": Interval(float, 0.0, None, closed="neither"),
    "weight_decay": Interval(float, 0.0, None),
}
#: `updates`: about that many mini-batch updates per training stage, the epoch counts as upper
#: bounds (`ganad.training.stage_epochs`), or None for the fixed epoch counts (the papers).
UPDATES = Interval(int, 1, None, allow_none=True)
N_JOBS = Check(
    lambda v: v is None or (isinstance(v, numbers.Integral) and not isinstance(v, bool) and v != 0),
    "None (the measured default) or a non-zero int (k threads; -1 all cores, -2 all but one)",
)
BOOL = Check(lambda v: isinstance(v, bool | np.bool_), "a bool")


class Constraint(Protocol):
    """Anything with a `check(name, value)` that raises on a bad value: `Interval`, `Options`,
    `Check`."""

    def check(self, name: str, value: Any) -> None: ...


def check_params(
    params: Mapping[str, Any], constraints: Mapping[str, Constraint], owner: str
) -> None:
    """Check every parameter against its constraint; unknown constraint keys are a programming error."""
    for name, constraint in constraints.items():
        if name not in params:
            raise RuntimeError(f"{owner}: constraint for unknown parameter {name!r}")
        constraint.check(name, params[name])


_T = TypeVar("_T")


def renamed_keyword(new_value: _T, old_value: _T, *, new: str, old: str, where: str) -> _T:
    """The value of a keyword argument renamed from `old` to `new`: `old_value` (with a
    DeprecationWarning) when only the old name was given, else `new_value`; both is an error."""
    if old_value is None:
        return new_value
    if new_value is not None:
        raise TypeError(f"{where}: give {new}= only ({old}= is its old name).")
    import warnings

    warnings.warn(
        f"{where}: {old}= is now {new}= (the share of anomalies in the training split; "
        f"a detector's `contamination` is its flagged share).",
        DeprecationWarning,
        stacklevel=3,
    )
    return old_value
