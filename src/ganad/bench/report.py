"""Reports from a results CSV: Markdown + a self-contained HTML page (+ PNG figures).

Aggregation follows the DA3D evaluation script (METHODS §1.5, A-20): per data set, detector and
training contamination, the mean and the **sample** standard deviation (ddof = 1) over the runs
with status ok; the "mean" row averages the *unrounded* per-data-set means. Each cell shows the
paper's [DA3D-A] Table 2 value beside ours, the difference (ours - paper) and a verdict:

* "within": |ours - paper| <= paper std (+ 0.005 for the paper's rounding to two decimals);
* "better": ours > paper + std (+ 0.005);
* "below": ours < paper - std (- 0.005).

Fence GAN rows (precision / recall / F1 at a threshold) are compared with [FG] Table I.

This module is the entry point (`make_report`); the generic parts (aggregation, sections,
rendering, figures) are in `ganad.bench.reporting`, the paper-specific tables in
`ganad.bench.papers` (`da3d`, `fence_gan`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .papers.da3d import CELL_LEGEND, da3d_sections, mean_rows, paper_comparison, verdict
from .papers.fence_gan import fence_gan_comparison, fence_gan_section
from .reporting.aggregate import aggregate_results, selection_note
from .reporting.document import Section
from .reporting.figures import figure_sections
from .reporting.render import render_html, render_markdown
from .reporting.sections import failures_section, runs_section, timing_section
from .results import artifacts_dir, read_results, row_key

__all__ = [
    "ReportFiles",
    "aggregate_results",
    "fence_gan_comparison",
    "make_report",
    "mean_rows",
    "paper_comparison",
    "verdict",
]

logger = logging.getLogger(__name__)

_PathOrPaths = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]


def _as_paths(value: _PathOrPaths) -> list[Path]:
    return [Path(value)] if isinstance(value, (str, os.PathLike)) else [Path(v) for v in value]


def _read_many(paths: Sequence[Path]) -> pd.DataFrame:
    """Several results files as one table. The same run in two files would count one seed
    twice in the mean and std, so that is an error rather than a silent merge."""
    frames: list[pd.DataFrame] = []
    first_file: dict[tuple, Path] = {}
    for path in paths:
        frame = read_results(path)
        for key in {row_key(row) for row in frame.to_dict("records")}:
            if key in first_file:
                dataset, label, _, seed, contamination, _ = key
                raise ValueError(
                    f"run {dataset}/{label} seed {seed} contamination {contamination:g} is in "
                    f"more than one results file ({first_file[key]}, {path}); report each file "
                    "separately or remove the duplicate rows."
                )
            first_file[key] = path
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _load(
    results: _PathOrPaths | pd.DataFrame, artifacts: _PathOrPaths | None
) -> tuple[pd.DataFrame, str, list[Path]]:
    """The runs, a description of where they came from, and the run-artifact folders."""
    if isinstance(results, pd.DataFrame):
        df, source, paths = results, "DataFrame", []
    else:
        paths = _as_paths(results)
        if not paths:
            raise ValueError("no results files given.")
        df, source = _read_many(paths), ", ".join(map(str, paths))
    artifact_dirs = [artifacts_dir(p) for p in paths] if artifacts is None else _as_paths(artifacts)
    if df.empty:
        raise ValueError(f"{source} has no runs to report.")
    return df, source, artifact_dirs


def _intro(df: pd.DataFrame, agg: pd.DataFrame, source: str, notes: list[str] | None) -> list[str]:
    """The report's opening paragraphs: source and run counts, the cell legend, versions, the
    checkpoint-selection warning and the caller's notes."""
    n_ok = int((df["status"] == "ok").sum())
    intro = [
        f"Source: {source}; {len(df)} run(s), {n_ok} ok, {len(df) - n_ok} failed.",
        CELL_LEGEND,
    ]
    versions = {
        c: sorted({str(v) for v in df[c].dropna()})
        for c in ("ganad_version", "torch_version")
        if c in df
    }
    versions = {k: v for k, v in versions.items() if v}
    if versions:
        intro.append(
            "Versions: "
            + "; ".join(f"{k.replace('_version', '')} {', '.join(v)}" for k, v in versions.items())
            + "."
        )
    intro += selection_note(agg)
    intro += list(notes or [])
    return intro


def _table_sections(df: pd.DataFrame, agg: pd.DataFrame, cmp: pd.DataFrame) -> list[Section]:
    """The paper comparisons, then runs, timing and failed runs."""
    sections = [Section("Results vs the paper")]
    sections += da3d_sections(cmp)
    fg = fence_gan_section(agg)
    if fg is not None:
        sections.append(fg)
    sections += [runs_section(agg), timing_section(agg)]
    failures = failures_section(df)
    if failures is not None:
        sections.append(failures)
    return sections


def _figure_sections(
    df: pd.DataFrame, cmp: pd.DataFrame, out: Path, artifact_dirs: Sequence[Path]
) -> list[Section]:
    """The figure sections, or none (with a warning) without matplotlib."""
    try:
        return figure_sections(df, cmp, out, artifact_dirs)
    except ImportError as exc:
        logger.warning("no figures: %s", exc)
        return []


@dataclass
class ReportFiles:
    """What `make_report` wrote.

    Parameters
    ----------
    markdown : pathlib.Path
        `report.md`.
    html : pathlib.Path
        `report.html` (self-contained, figures embedded).
    figures : list of pathlib.Path
        The PNG figures.
    summary : pandas.DataFrame
        The aggregated results beside the paper's values (also written as `summary.csv`).
    """

    markdown: Path
    html: Path
    figures: list[Path]
    summary: pd.DataFrame


def make_report(
    results: _PathOrPaths | pd.DataFrame,
    out_dir: str | os.PathLike[str],
    *,
    title: str | None = None,
    figures: bool = True,
    artifacts: _PathOrPaths | None = None,
    notes: list[str] | None = None,
) -> ReportFiles:
    """Write `report.md`, `report.html` (self-contained: figures embedded) and `summary.csv` to
    `out_dir`. `results`: one results CSV, several (one table over all of them, e.g. one grid
    per data set) or a DataFrame. `artifacts`: the `<results>.runs/` folders of
    `ganad bench --save-scores` (found automatically beside each results file) for ROC/PR
    curves, score histograms and loss curves.

    Parameters
    ----------
    results : str, path-like, sequence of them, or pandas.DataFrame
        Results CSV(s) of `ganad bench`, or the runs as a DataFrame; a run in two files is an
        error.
    out_dir : str or path-like
        Directory to write the report to (created if missing).
    title : str or None, default None
        Report title; None: "ganad benchmark report".
    figures : bool, default True
        Draw figures (skipped with a warning when matplotlib is missing).
    artifacts : str, path-like, sequence of them, or None, default None
        Run-artifact folders; None: `<results>.runs/` beside each results file.
    notes : list of str or None, default None
        Extra paragraphs for the report's introduction.

    Returns
    -------
    ReportFiles
        The files written and the summary table.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    df, source, artifact_dirs = _load(results, artifacts)
    agg = aggregate_results(df)
    cmp = paper_comparison(agg)
    intro = _intro(df, agg, source, notes)
    sections = _table_sections(df, agg, cmp)
    fig_sections = _figure_sections(df, cmp, out, artifact_dirs) if figures else []
    sections += fig_sections
    figure_paths = [p for s in fig_sections for _, p in s.images]
    title = title or "ganad benchmark report"
    md = out / "report.md"
    md.write_text(render_markdown(title, intro, sections, out), encoding="utf-8")
    page = out / "report.html"
    page.write_text(render_html(title, intro, sections), encoding="utf-8")
    cmp.to_csv(out / "summary.csv", index=False)
    return ReportFiles(md, page, figure_paths, cmp)
