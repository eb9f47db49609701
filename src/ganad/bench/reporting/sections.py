"""The sections every report has, whatever the paper: runs, timing and failed runs."""

from __future__ import annotations

import pandas as pd

from .document import Section, Table, cell

__all__ = ["failures_section", "runs_section", "timing_section"]


def runs_section(agg: pd.DataFrame) -> Section:
    """The "Runs" table: per cell, its ok and failed runs, seeds and data-set variants.

    Parameters
    ----------
    agg : pandas.DataFrame
        Aggregated results (`aggregate_results`).

    Returns
    -------
    Section
        The section.
    """
    sec = Section("Runs")
    header = [
        "Protocol",
        "Contamination",
        "Data set",
        "Detector",
        "ok",
        "failed",
        "seeds",
        "variant",
    ]
    rows = [
        [
            cell(r["protocol"]),
            cell(f"{r['train_contamination']:.0%}"),
            cell(r["dataset"]),
            cell(r["detector"]),
            cell(str(r["n_ok"])),
            cell(str(r["n_failed"]), "below" if r["n_failed"] else ""),
            cell(r["seeds"]),
            cell(r["variants"] or ""),
        ]
        for _, r in agg.iterrows()
    ]
    sec.tables.append(Table(header, rows))
    return sec


def timing_section(agg: pd.DataFrame) -> Section:
    """The "Timing" table: per data set and detector, mean fit and score seconds of ok runs.

    Parameters
    ----------
    agg : pandas.DataFrame
        Aggregated results (`aggregate_results`).

    Returns
    -------
    Section
        The section.
    """
    sec = Section("Timing")
    sec.paragraphs.append(
        "Mean seconds per run (fit = training, score = scoring the test split), over the ok runs."
    )
    t = (
        agg.groupby(["dataset", "detector"], sort=False)
        .agg(
            fit=("fit_seconds_mean", "mean"),
            score=("score_seconds_mean", "mean"),
            n_train=("n_train_mean", "mean"),
            n_test=("n_test_mean", "mean"),
            runs=("n_ok", "sum"),
            devices=("devices", lambda s: ", ".join(sorted({d for d in s if d}))),
        )
        .reset_index()
    )
    header = ["Data set", "Detector", "runs", "fit s", "score s", "n_train", "n_test", "device"]
    rows = [
        [
            cell(r["dataset"]),
            cell(r["detector"]),
            cell(str(int(r["runs"]))),
            cell("—" if pd.isna(r["fit"]) else f"{r['fit']:.1f}"),
            cell("—" if pd.isna(r["score"]) else f"{r['score']:.2f}"),
            cell("—" if pd.isna(r["n_train"]) else f"{r['n_train']:.0f}"),
            cell("—" if pd.isna(r["n_test"]) else f"{r['n_test']:.0f}"),
            cell(r["devices"]),
        ]
        for _, r in t.iterrows()
    ]
    sec.tables.append(Table(header, rows))
    return sec


def failures_section(df: pd.DataFrame, limit: int = 30) -> Section | None:
    """The "Failed runs" table with each failed run's error, or None when every run is ok.

    Parameters
    ----------
    df : pandas.DataFrame
        Per-run results rows.
    limit : int, default 30
        Most failed runs listed (the section says how many there are in all).

    Returns
    -------
    Section or None
        The section, or None without failed runs.
    """
    failed = df[df["status"] != "ok"]
    if failed.empty:
        return None
    sec = Section("Failed runs")
    header = ["Data set", "Detector", "seed", "contamination", "error"]
    rows = [
        [
            cell(str(r["dataset"])),
            cell(str(r["detector_label"])),
            cell(str(r["seed"])),
            cell(f"{float(r['train_contamination']):.0%}"),
            cell(str(r.get("error", ""))[:300]),
        ]
        for _, r in failed.head(limit).iterrows()
    ]
    if len(failed) > limit:
        sec.paragraphs.append(f"First {limit} of {len(failed)} failed runs.")
    sec.tables.append(Table(header, rows))
    return sec
