"""The report's figures (matplotlib, via `ganad.bench.plots`): ours vs the paper per metric and,
from saved run artifacts, ROC / PR curves, score histograms and training losses."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .document import METRICS, Section

__all__ = ["figure_sections"]


def figure_sections(
    df: pd.DataFrame, cmp: pd.DataFrame, out_dir: Path, artifacts: Sequence[Path]
) -> list[Section]:
    """The figure sections of a report (ImportError without matplotlib). `df`: the runs, `cmp`:
    the aggregated cells with the paper's columns, `artifacts`: the run-artifact folders.

    Parameters
    ----------
    df : pandas.DataFrame
        The per-run results rows.
    cmp : pandas.DataFrame
        The aggregated cells with the paper's columns (`paper_comparison`).
    out_dir : pathlib.Path
        The report directory; figures go to `out_dir/figures`.
    artifacts : sequence of pathlib.Path
        Run-artifact folders (`ganad bench --save-scores`) for ROC/PR, histogram and loss
        figures; folders that do not exist are skipped.

    Returns
    -------
    list of Section
        The figure sections that have images.
    """
    fig_dir = out_dir / "figures"
    sections = []
    comp = _comparison_section(cmp, fig_dir)
    if comp.images:
        sections.append(comp)
    artifacts = [a for a in artifacts if a.is_dir()]
    if not artifacts:
        return sections
    curves = _curves_section(df, fig_dir, artifacts)
    if curves.images:
        sections.append(curves)
    return sections


def _mean_std_by_cell(sub: pd.DataFrame, mean: str, std: str) -> dict[tuple, tuple]:
    """(data set, detector) -> (mean, std) of the cells of `sub` where column `mean` is known."""
    return {
        (r["dataset"], r["detector"]): (r[mean], r[std])
        for _, r in sub.iterrows()
        if not pd.isna(r.get(mean, np.nan))
    }


def _comparison_section(cmp: pd.DataFrame, fig_dir: Path) -> Section:
    """One plot per (protocol, contamination, metric): ours (filled) vs the paper (hollow)."""
    from .. import plots

    comp = Section("Figures")
    for (protocol, contamination), sub in cmp.groupby(
        ["protocol", "train_contamination"], sort=False
    ):
        for metric, name in METRICS.items():
            ours = _mean_std_by_cell(sub, f"{metric}_mean", f"{metric}_std")
            ref = _mean_std_by_cell(sub, f"{metric}_paper_mean", f"{metric}_paper_std")
            if not ours:
                continue
            tag = f"{protocol}_c{contamination:g}_{metric}".replace(".", "p")
            path = plots.plot_paper_comparison(
                ours,
                ref,
                fig_dir / f"compare_{tag}.png",
                title=f"{name}, contamination {contamination:.0%}",
                ylabel=name,
            )
            comp.images.append(
                (
                    f"{name}, contamination {contamination:.0%}: ours (filled) vs paper (hollow), "
                    "mean ± std",
                    path,
                )
            )
    return comp


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name)


def _curves_section(df: pd.DataFrame, fig_dir: Path, artifacts: Sequence[Path]) -> Section:
    """Per (protocol, data set, contamination): ROC / PR of each detector's first seed, its score
    histogram and its training losses, from the runs' saved scores."""
    from .. import plots

    curves = Section("Curves, score histograms and training losses (first seed of each detector)")
    ok = df[df["status"] == "ok"]
    for (protocol, dataset, contamination), sub in ok.groupby(
        ["protocol", "dataset", "train_contamination"], sort=False
    ):
        data, histories = _first_seed_artifacts(sub, artifacts)
        if not data:
            continue
        tag = _safe(f"{protocol}_{dataset}_c{float(contamination):g}")
        title = f"{dataset}, contamination {float(contamination):.0%}"
        curves.images.append(
            (
                f"ROC / PR: {title}",
                plots.plot_roc_pr(data, fig_dir / f"curves_{tag}.png", title=title),
            )
        )
        for name, (y, s) in data.items():
            curves.images.append(
                (
                    f"Scores: {title}, {name}",
                    plots.plot_score_histogram(
                        y, s, fig_dir / f"hist_{tag}_{_safe(name)}.png", title=f"{title}: {name}"
                    ),
                )
            )
        for label, hist in histories.items():
            if hist:
                curves.images.append(
                    (
                        f"Training losses: {title}, {label}",
                        plots.plot_history(
                            hist,
                            fig_dir / f"history_{tag}_{_safe(label)}.png",
                            title=f"{title}: {label}",
                        ),
                    )
                )
    return curves


def _first_seed_artifacts(
    sub: pd.DataFrame, artifacts: Sequence[Path]
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], dict[str, dict]]:
    """Per detector label of `sub`, its first seed's saved (y_test, scores), keyed
    "label (seed N)", and its training history, keyed by label; labels without artifacts are
    left out."""
    data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    histories: dict[str, dict] = {}
    for label, g in sub.groupby("detector_label", sort=False):
        r = g.sort_values("seed").iloc[0]
        run_id = _run_id(r)
        folder = next((a for a in artifacts if (a / f"{run_id}.npz").is_file()), None)
        if folder is None:
            continue
        with np.load(folder / f"{run_id}.npz", allow_pickle=False) as z:
            data[f"{label} (seed {int(r['seed'])})"] = (z["y_test"], z["scores"])
        meta = folder / f"{run_id}.json"
        if meta.is_file():
            histories[label] = json.loads(meta.read_text()).get("history", {})
    return data, histories


def _run_id(r: pd.Series) -> str:
    from ..experiment import RunSpec

    spec = RunSpec(
        experiment="",
        dataset=str(r["dataset"]),
        dataset_name="",
        data_options={},
        label=str(r["detector_label"]),
        detector="",
        preset=None,
        params={},
        params_hash=str(r["params_hash"]),
        seed=int(r["seed"]),
        train_contamination=float(r["train_contamination"]),
        protocol=str(r["protocol"]),
        device="",
    )
    return spec.run_id
