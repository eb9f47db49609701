"""Our results beside [DA3D-A] Table 2 (published values in `da3d_table2`).

Each cell shows the paper's value beside ours, the difference (ours - paper) and a verdict:

* "within": |ours - paper| <= paper std (+ 0.005 for the paper's rounding to two decimals);
* "better": ours > paper + std (+ 0.005);
* "below": ours < paper - std (- 0.005).

The "mean" row averages the *unrounded* per-data-set means; the paper's side is its printed mean
row when all ten data sets are present, else the mean of its cells for the same data sets.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..reporting.document import METRICS, Cell, Section, Table, cell, fmt, mean_std
from . import da3d_table2 as table2

__all__ = ["CELL_LEGEND", "ROUNDING", "da3d_sections", "mean_rows", "paper_comparison", "verdict"]

ROUNDING = 0.005
_SYMBOL = {"within": "✓", "better": "▲", "below": "✗"}

#: The report's legend for the cells of the DA3D tables.
CELL_LEGEND = (
    "Cells: ours mean ± sample std (ddof 1) over seeds (paper mean ± std; ours − paper; "
    "✓ within the paper's std, ▲ better than the paper's mean + std, ✗ below its mean − std; "
    "a 0.005 rounding allowance is added to the paper's std). The mean row averages the "
    "unrounded "
    "per-data-set means. Paper: [DA3D-A] Table 2 (METHODS.md §6.2; REPEN-AP cells lost in the "
    "source are unknown)."
)


# -- comparison ------------------------------------------------------------------------------


def verdict(ours: float, paper_mean: float, paper_std: float) -> str:
    """ "better" / "within" / "below" the paper's mean ± std (with half a unit of rounding).

    Parameters
    ----------
    ours : float
        Our mean.
    paper_mean : float
        The paper's mean.
    paper_std : float
        The paper's standard deviation; the band is ± (paper_std + `ROUNDING`).

    Returns
    -------
    str
        "better", "within" or "below".
    """
    diff = ours - paper_mean
    tol = paper_std + ROUNDING
    if diff > tol:
        return "better"
    if diff < -tol:
        return "below"
    return "within"


def paper_comparison(agg: pd.DataFrame) -> pd.DataFrame:
    """`agg` plus, per metric, the paper's mean/std, ours - paper and the verdict (DA3D).

    Parameters
    ----------
    agg : pandas.DataFrame
        Aggregated results (`aggregate_results`): protocol, dataset_name, detector_label,
        train_contamination and `<metric>_mean` columns.

    Returns
    -------
    pandas.DataFrame
        A copy with `<metric>_paper_mean`, `_paper_std`, `_diff` and `_verdict` columns (NaN
        and "" where the paper has no value; only protocol "da3d" is compared).
    """
    out = agg.copy()
    for metric in METRICS:
        pm, ps, diff, ver = [], [], [], []
        for _, r in out.iterrows():
            published = None
            if r["protocol"] == "da3d":
                published = table2.paper_cell(
                    r["dataset_name"], r["detector_label"], r["train_contamination"], metric
                )
            ours = r[f"{metric}_mean"]
            if published is None or pd.isna(ours):
                pm.append(np.nan)
                ps.append(np.nan)
                diff.append(np.nan)
                ver.append("")
                continue
            pm.append(published.mean)
            ps.append(published.std)
            diff.append(ours - published.mean)
            ver.append(verdict(ours, published.mean, published.std))
        out[f"{metric}_paper_mean"] = pm
        out[f"{metric}_paper_std"] = ps
        out[f"{metric}_diff"] = diff
        out[f"{metric}_verdict"] = ver
    return out


def _paper_mean(
    group: pd.DataFrame, values: pd.Series, protocol: str, contamination: float, metric: str
) -> tuple[float, str]:
    """The paper's mean over the data sets of one detector's mean row, and how it was made."""
    method = table2.paper_method(group["detector_label"].iloc[0])
    paper_means = group.loc[values.index, f"{metric}_paper_mean"]
    key = (round(float(contamination), 4), metric)
    names = set(group.loc[values.index, "dataset_name"].map(lambda n: table2.paper_dataset(n) or n))
    if (
        protocol == "da3d"
        and method
        and key in table2.DA3D_TABLE2
        and names >= set(table2.DA3D_TABLE2[key])
    ):
        return table2.DA3D_TABLE2_MEANS[key][method], "printed mean row"
    if paper_means.notna().any() and paper_means.notna().all():
        return (
            float(paper_means.mean()),
            f"mean of the paper's cells for these {len(values)} data set(s)",
        )
    return np.nan, ""


def mean_rows(cmp: pd.DataFrame, protocol: str, contamination: float, metric: str) -> pd.DataFrame:
    """Per detector: the mean of the unrounded per-data-set means, the number of data sets, and the
    paper's mean over the same data sets (its printed mean row when all ten are present).

    Parameters
    ----------
    cmp : pandas.DataFrame
        Aggregated results with the paper's columns (`paper_comparison`).
    protocol : str
        The protocol of the rows to average.
    contamination : float
        The training contamination of the rows to average.
    metric : str
        The metric, e.g. "roc_auc" or "average_precision".

    Returns
    -------
    pandas.DataFrame
        One row per detector: detector, n_datasets, mean, paper_mean, paper_basis, diff.
    """
    sub = cmp[
        (cmp["protocol"] == protocol) & (np.isclose(cmp["train_contamination"], contamination))
    ]
    rows = []
    for det, group in sub.groupby("detector", sort=False):
        values = group[f"{metric}_mean"].dropna()
        row: dict[str, Any] = {
            "detector": det,
            "n_datasets": len(values),
            "mean": float(values.mean()) if len(values) else np.nan,
        }
        row["paper_mean"], row["paper_basis"] = _paper_mean(
            group, values, protocol, contamination, metric
        )
        row["diff"] = row["mean"] - row["paper_mean"]
        rows.append(row)
    return pd.DataFrame(rows)


# -- report tables ---------------------------------------------------------------------------


def da3d_sections(cmp: pd.DataFrame) -> list[Section]:
    """One table per (protocol, contamination, metric) with ranking metrics: data sets x
    detectors, each cell beside the paper's where it has one, and the mean row.

    Parameters
    ----------
    cmp : pandas.DataFrame
        Aggregated results with the paper's columns (`paper_comparison`).

    Returns
    -------
    list of Section
        The report sections.
    """
    sections = []
    for protocol in cmp["protocol"].unique():
        sub_p = cmp[cmp["protocol"] == protocol]
        for contamination in sorted(sub_p["train_contamination"].unique()):
            sub = sub_p[np.isclose(sub_p["train_contamination"], contamination)]
            if sub[[f"{m}_mean" for m in METRICS]].isna().all().all():
                continue
            sections += [
                _metric_section(sub, protocol, contamination, metric, metric_name)
                for metric, metric_name in METRICS.items()
            ]
    return sections


def _metric_section(
    sub: pd.DataFrame, protocol: str, contamination: float, metric: str, metric_name: str
) -> Section:
    sec = Section(
        f"{metric_name}, training contamination {contamination:.0%} (protocol {protocol})",
        level=3,
    )
    detectors = list(dict.fromkeys(sub["detector"]))
    counts = {"within": 0, "better": 0, "below": 0}
    rows = [
        _dataset_row(sub, ds, detectors, protocol, metric, counts)
        for ds in dict.fromkeys(sub["dataset"])
    ]
    means = mean_rows(sub, protocol, contamination, metric).set_index("detector")
    rows.append(_mean_row(means, detectors))
    sec.tables.append(Table(["Data set", *detectors], rows))
    sec.paragraphs += _section_notes(counts, means)
    return sec


def _dataset_row(
    sub: pd.DataFrame,
    ds: str,
    detectors: list[str],
    protocol: str,
    metric: str,
    counts: dict[str, int],
) -> list[Cell]:
    """One data set's row; adds each cell's verdict to `counts`."""
    row = [cell(ds)]
    for det in detectors:
        r = sub[(sub["dataset"] == ds) & (sub["detector"] == det)]
        row.append(cell("—") if r.empty else _result_cell(r.iloc[0], protocol, metric, counts))
    return row


def _result_cell(r: pd.Series, protocol: str, metric: str, counts: dict[str, int]) -> Cell:
    """Ours, and the paper's value with ours - paper and the verdict where Table 2 has one."""
    text = mean_std(r[f"{metric}_mean"], r[f"{metric}_std"])
    ver = r.get(f"{metric}_verdict", "")
    if ver:
        counts[ver] += 1
        paper = table2.PaperCell(r[f"{metric}_paper_mean"], r[f"{metric}_paper_std"])
        diff = fmt(r[f"{metric}_diff"], 3, signed=True)
        text += f" (paper {paper}; {diff} {_SYMBOL[ver]})"
    elif (
        protocol == "da3d"
        and table2.paper_dataset(r["dataset_name"])
        and table2.paper_method(r["detector_label"])
    ):
        text += " (paper: unknown)"
    return cell(text, ver)


def _mean_row(means: pd.DataFrame, detectors: list[str]) -> list[Cell]:
    row = [cell("mean")]
    for det in detectors:
        if det not in means.index or pd.isna(means.loc[det, "mean"]):
            row.append(cell("—"))
            continue
        m = means.loc[det]
        text = f"{fmt(m['mean'])} over {int(m['n_datasets'])}"
        if not pd.isna(m["paper_mean"]):
            text += f" (paper {fmt(m['paper_mean'], 2)}; {fmt(m['diff'], 3, signed=True)})"
        row.append(cell(text, "mean"))
    return row


def _section_notes(counts: dict[str, int], means: pd.DataFrame) -> list[str]:
    """The tally of verdicts, and a note where the paper's mean row is not its printed one."""
    notes = []
    if sum(counts.values()):
        notes.append(
            f"Against the paper: {counts['within']} cell(s) within the paper's std, "
            f"{counts['better']} better, {counts['below']} below."
        )
    bases = {b for b in means.get("paper_basis", pd.Series(dtype=str)) if b}
    if bases and bases != {"printed mean row"}:
        notes.append(
            "Mean row, paper: the mean of the paper's cells over the same data sets "
            "(its printed mean row covers all ten)."
        )
    return notes
