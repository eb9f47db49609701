"""Per-run rows -> one row per (protocol, contamination, data set, detector).

As the DA3D evaluation script (METHODS §1.5, A-20): per cell, the mean and the **sample**
standard deviation (ddof = 1) over the runs with status ok; failed runs are counted, never
averaged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SELECTION_MARK", "aggregate_results", "selection_note"]

#: Appended to a cell's detector label when its runs kept a best-validation checkpoint.
SELECTION_MARK = "[selection ON]"

_KEYS = ["protocol", "train_contamination", "dataset", "detector"]
_OPTIONAL_COLUMNS = (
    "params_hash",
    "dataset_name",
    "dataset_variant",
    "device",
    "precision",
    "recall",
    "f1",
    "fit_seconds",
    "score_seconds",
    "n_train",
    "n_test",
    "model_selection",
)
_METRIC_COLUMNS = ("roc_auc", "average_precision", "precision", "recall", "f1")
_COST_COLUMNS = ("fit_seconds", "score_seconds", "n_train", "n_test")


def _label_with_hash(df: pd.DataFrame) -> pd.Series:
    """Detector labels, disambiguated by params hash where one label has several configurations."""
    n_hashes = df.groupby(["protocol", "dataset", "detector_label"])["params_hash"].transform(
        "nunique"
    )
    return np.where(
        n_hashes > 1,
        df["detector_label"] + " #" + df["params_hash"].astype(str).str[:6],
        df["detector_label"],
    )


def _selection_on(column: pd.Series) -> bool:
    """Whether any run kept its best-validation checkpoint (`model_selection` column)."""
    return any(str(v).startswith("best_validation") for v in column.dropna())


def selection_note(agg: pd.DataFrame) -> list[str]:
    """The report's warning for cells whose numbers come from checkpoint selection.

    Parameters
    ----------
    agg : pandas.DataFrame
        Aggregated results (`aggregate_results`), with its selection_on column.

    Returns
    -------
    list of str
        One paragraph naming those cells, or [] when there are none.
    """
    if "selection_on" not in agg or not agg["selection_on"].any():
        return []
    cells = agg[agg["selection_on"]]
    names = ", ".join(
        sorted({f"{r.detector_label} on {r.dataset_name}" for r in cells.itertuples()})
    )
    return [
        f"Checkpoint selection is ON for {names}: each run kept the epoch with the best score "
        "on a validation split with labelled anomalies (the original Fence GAN code's rule). "
        "Labelled anomalies are not available in the unsupervised setting, so these numbers "
        "are optimistic; every other cell is the last epoch."
    ]


def _prepared(df: pd.DataFrame) -> pd.DataFrame:
    """`df` (a copy) with every optional column, data-set names filled in and the detector
    column replaced by the cell label (the registry name kept as `detector_name`)."""
    for col in _OPTIONAL_COLUMNS:
        if col not in df.columns:
            df[col] = np.nan
    df["dataset_name"] = df["dataset_name"].fillna(df["dataset"])
    df["params_hash"] = df["params_hash"].fillna("")
    df["detector_name"] = df["detector"]  # the registry name, before it becomes a cell label
    df["detector"] = _label_with_hash(df)
    df["train_contamination"] = df["train_contamination"].astype(float).round(6)
    return df


def _mean(values: pd.Series) -> float:
    return float(values.mean()) if len(values) else np.nan


def _cell_row(key: tuple, group: pd.DataFrame, good: pd.DataFrame) -> dict[str, Any]:
    """The aggregated row of one cell: `group` its runs, `good` those with status ok."""
    row: dict[str, Any] = dict(zip(_KEYS, key, strict=True))
    row["dataset_name"] = str(group["dataset_name"].iloc[0])
    row["detector_label"] = str(group["detector_label"].iloc[0])
    row["detector_name"] = str(group["detector_name"].iloc[0])
    row["n_ok"] = len(good)
    row["n_failed"] = int((group["status"] != "ok").sum())
    row["seeds"] = ",".join(str(int(s)) for s in sorted(good["seed"].unique()))
    for metric in _METRIC_COLUMNS:
        values = pd.to_numeric(good[metric], errors="coerce").dropna()
        row[f"{metric}_mean"] = _mean(values)
        row[f"{metric}_std"] = float(values.std(ddof=1)) if len(values) > 1 else np.nan
    for col in _COST_COLUMNS:
        row[f"{col}_mean"] = _mean(pd.to_numeric(good[col], errors="coerce").dropna())
    row["devices"] = ", ".join(sorted({str(d) for d in good["device"].dropna()}))
    row["variants"] = ", ".join(
        sorted({str(v) for v in group["dataset_variant"].dropna() if str(v)})
    )
    row["selection_on"] = _selection_on(good["model_selection"])
    if row["selection_on"]:
        row["detector"] = f"{row['detector']} {SELECTION_MARK}"
    return row


def aggregate_results(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (protocol, contamination, data set, detector): run counts, mean and ddof-1 std
    of every metric, mean fit/score seconds, devices and data-set variants.

    Parameters
    ----------
    df : pandas.DataFrame
        Per-run results rows (`read_results`), with protocol, train_contamination, dataset,
        detector, detector_label, status, seed and metric columns.

    Returns
    -------
    pandas.DataFrame
        One row per cell (empty for no runs): n_ok, n_failed, seeds, `<metric>_mean`,
        `<metric>_std`, `<cost>_mean`, devices, variants, selection_on.
    """
    df = df.copy()
    if df.empty:
        return pd.DataFrame()
    df = _prepared(df)
    ok = df[df["status"] == "ok"]
    rows = [
        _cell_row(key, group, ok.loc[ok.index.intersection(group.index)])
        for key, group in df.groupby(_KEYS, sort=False, dropna=False)
    ]
    return pd.DataFrame(rows)
