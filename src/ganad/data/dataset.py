"""`Dataset`: one loaded data set, features and labels as the published loaders prepared them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Dataset"]


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """A data set in memory.

    * `X`: float32 (n, d) for tabular sets, with nominal attributes already one-hot encoded the way
      the published loader did (column names in `feature_names`, e.g. `"service=http"`); uint8
      (n, C, H, W) for images (scaling happens in the protocol). For `load_table` data, `X` is the
      raw `DataFrame` (encode it with `TabularEncoder`, fitted on the training part).
    * `y`: 1 = anomaly, 0 = normal; None when the set has no anomaly definition yet (CIFAR-10
      without `anomaly_classes`, an unlabelled table).
    * `fine_labels`: the original class of each row (digit, attack name, sub-label of the normal
      class as in the DA3D code, ...), for book-keeping only.
    * `categorical`: the source columns that are (or must be) one-hot encoded.
    * `X_test`, `y_test`, `fine_test`: the official test part, if the data set has one.
    * `files`: the files read; `meta`: loader options and facts (e.g. Census' leakage flag).

    Parameters
    ----------
    name : str
        The data set's name (registry key, or the file name for a table).
    X : numpy.ndarray or pandas.DataFrame
        The (training) rows: float32 (n, d) features, uint8 (n, C, H, W) images, or a raw
        DataFrame from `load_table`.
    y : numpy.ndarray or None
        Labels per row of `X`, 1 = anomaly, 0 = normal; None: unlabelled.
    fine_labels : numpy.ndarray, optional
        The original class of each row of `X`.
    kind : str, default "tabular"
        ``"tabular"`` or ``"image"``.
    feature_names : list of str, optional
        Names of the columns of `X` (after one-hot encoding).
    categorical : list of str, default []
        The source columns that are (or must be) one-hot encoded.
    X_test : numpy.ndarray or pandas.DataFrame, optional
        The official test rows (None: the data set has no official test part).
    y_test : numpy.ndarray, optional
        Labels of `X_test`.
    fine_test : numpy.ndarray, optional
        Original classes of `X_test`.
    description : str, default ""
        Free-text description.
    source : str, default ""
        Where the data comes from.
    files : tuple of str, default ()
        The files read.
    meta : dict, default {}
        Loader options and facts (e.g. ``"leakage"``, ``"test_is_train"``, ``"missing"``).
    """

    name: str
    X: np.ndarray | pd.DataFrame
    y: np.ndarray | None
    fine_labels: np.ndarray | None = None
    kind: str = "tabular"
    feature_names: list[str] | None = None
    categorical: list[str] = field(default_factory=list)
    X_test: np.ndarray | pd.DataFrame | None = None
    y_test: np.ndarray | None = None
    fine_test: np.ndarray | None = None
    description: str = ""
    source: str = ""
    files: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def has_official_test(self) -> bool:
        """Whether the data set has an official test part (`X_test` is set)."""
        return self.X_test is not None

    @property
    def n_samples(self) -> int:
        """Rows of `X` (the training part when there is an official test part)."""
        return len(self.X)

    @property
    def n_features(self) -> int:
        """Features per sample (pixels for images)."""
        if isinstance(self.X, pd.DataFrame):
            return self.X.shape[1]
        return int(np.prod(self.X.shape[1:]))

    @property
    def anomaly_ratio(self) -> float | None:
        """Fraction of anomalies in the (training) part, None if unlabelled."""
        return None if self.y is None else float(np.mean(self.y))

    def __repr__(self) -> str:
        test = f", X_test={tuple(self.X_test.shape)}" if self.X_test is not None else ""
        anomalies = "unlabelled" if self.y is None else f"{int(np.sum(self.y)):,} anomalies"
        return f"Dataset({self.name!r}, {self.kind}, X={tuple(self.X.shape)} ({anomalies}){test})"
