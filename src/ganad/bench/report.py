"""Reports from a results CSV: Markdown + a self-contained HTML page (+ PNG figures).

Aggregation follows the DA3D evaluation script (METHODS §1.5, A-20): per data set, detector and
training contamination, the mean and the **sample** standard deviation (ddof = 1) over the runs
with status ok; the "mean" row averages the *unrounded* per-data-set means. Each cell shows the
paper's [DA3D-A] Table 2 value beside ours, the difference (ours - paper) and a verdict:

* "within": |ours - paper| <= paper std (+ 0.005 for the paper's rounding to two decimals);
* "better": ours > paper + std (+ 0.005);
* "below": ours < paper - std (- 0.005).

Fence GAN rows (precision / recall / F1 at a threshold) are compared with [FG] Table I.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import paper
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

METRICS = {"roc_auc": "ROC-AUC", "average_precision": "AP"}
ROUNDING = 0.005
_SYMBOL = {"within": "✓", "better": "▲", "below": "✗"}


# -- aggregation -----------------------------------------------------------------------------


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


#: Appended to a cell's detector label when its runs kept a best-validation checkpoint.
SELECTION_MARK = "[selection ON]"


def _selection_on(column: pd.Series) -> bool:
    """Whether any run kept its best-validation checkpoint (`model_selection` column)."""
    return any(str(v).startswith("best_validation") for v in column.dropna())


def _selection_note(agg: pd.DataFrame) -> list[str]:
    """The report's warning for cells whose numbers come from checkpoint selection."""
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


def aggregate_results(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (protocol, contamination, data set, detector): run counts, mean and ddof-1 std
    of every metric, mean fit/score seconds, devices and data-set variants."""
    df = df.copy()
    if df.empty:
        return pd.DataFrame()
    for col in (
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
    ):
        if col not in df.columns:
            df[col] = np.nan
    df["dataset_name"] = df["dataset_name"].fillna(df["dataset"])
    df["params_hash"] = df["params_hash"].fillna("")
    df["detector_name"] = df["detector"]  # the registry name, before it becomes a cell label
    df["detector"] = _label_with_hash(df)
    df["contamination"] = df["contamination"].astype(float).round(6)
    keys = ["protocol", "contamination", "dataset", "detector"]
    ok = df[df["status"] == "ok"]
    rows = []
    for key, group in df.groupby(keys, sort=False, dropna=False):
        good = ok.loc[ok.index.intersection(group.index)]
        row: dict[str, Any] = dict(zip(keys, key, strict=True))
        row["dataset_name"] = str(group["dataset_name"].iloc[0])
        row["detector_label"] = str(group["detector_label"].iloc[0])
        row["detector_name"] = str(group["detector_name"].iloc[0])
        row["n_ok"] = len(good)
        row["n_failed"] = int((group["status"] != "ok").sum())
        row["seeds"] = ",".join(str(int(s)) for s in sorted(good["seed"].unique()))
        for metric in ("roc_auc", "average_precision", "precision", "recall", "f1"):
            values = pd.to_numeric(good[metric], errors="coerce").dropna()
            row[f"{metric}_mean"] = float(values.mean()) if len(values) else np.nan
            row[f"{metric}_std"] = float(values.std(ddof=1)) if len(values) > 1 else np.nan
        for col in ("fit_seconds", "score_seconds", "n_train", "n_test"):
            values = pd.to_numeric(good[col], errors="coerce").dropna()
            row[f"{col}_mean"] = float(values.mean()) if len(values) else np.nan
        row["devices"] = ", ".join(sorted({str(d) for d in good["device"].dropna()}))
        row["variants"] = ", ".join(
            sorted({str(v) for v in group["dataset_variant"].dropna() if str(v)})
        )
        row["selection_on"] = _selection_on(good["model_selection"])
        if row["selection_on"]:
            row["detector"] = f"{row['detector']} {SELECTION_MARK}"
        rows.append(row)
    return pd.DataFrame(rows)


def verdict(ours: float, paper_mean: float, paper_std: float) -> str:
    """ "better" / "within" / "below" the paper's mean ± std (with half a unit of rounding)."""
    diff = ours - paper_mean
    tol = paper_std + ROUNDING
    if diff > tol:
        return "better"
    if diff < -tol:
        return "below"
    return "within"


def paper_comparison(agg: pd.DataFrame) -> pd.DataFrame:
    """`agg` plus, per metric, the paper's mean/std, ours - paper and the verdict (DA3D)."""
    out = agg.copy()
    for metric in METRICS:
        pm, ps, diff, ver = [], [], [], []
        for _, r in out.iterrows():
            cell = None
            if r["protocol"] == "da3d":
                cell = paper.paper_cell(
                    r["dataset_name"], r["detector_label"], r["contamination"], metric
                )
            ours = r[f"{metric}_mean"]
            if cell is None or pd.isna(ours):
                pm.append(np.nan), ps.append(np.nan), diff.append(np.nan), ver.append("")
                continue
            pm.append(cell.mean), ps.append(cell.std), diff.append(ours - cell.mean)
            ver.append(verdict(ours, cell.mean, cell.std))
        out[f"{metric}_paper_mean"] = pm
        out[f"{metric}_paper_std"] = ps
        out[f"{metric}_diff"] = diff
        out[f"{metric}_verdict"] = ver
    return out


def mean_rows(cmp: pd.DataFrame, protocol: str, contamination: float, metric: str) -> pd.DataFrame:
    """Per detector: the mean of the unrounded per-data-set means, the number of data sets, and the
    paper's mean over the same data sets (its printed mean row when all ten are present)."""
    sub = cmp[(cmp["protocol"] == protocol) & (np.isclose(cmp["contamination"], contamination))]
    rows = []
    for det, group in sub.groupby("detector", sort=False):
        values = group[f"{metric}_mean"].dropna()
        row = {
            "detector": det,
            "n_datasets": len(values),
            "mean": float(values.mean()) if len(values) else np.nan,
        }
        method = paper.paper_method(group["detector_label"].iloc[0])
        paper_means = group.loc[values.index, f"{metric}_paper_mean"]
        key = (round(float(contamination), 4), metric)
        names = set(
            group.loc[values.index, "dataset_name"].map(lambda n: paper.paper_dataset(n) or n)
        )
        if (
            protocol == "da3d"
            and method
            and key in paper.DA3D_TABLE2
            and names >= set(paper.DA3D_TABLE2[key])
        ):
            row["paper_mean"] = paper.DA3D_TABLE2_MEANS[key][method]
            row["paper_basis"] = "printed mean row"
        elif paper_means.notna().any() and paper_means.notna().all():
            row["paper_mean"] = float(paper_means.mean())
            row["paper_basis"] = f"mean of the paper's cells for these {len(values)} data set(s)"
        else:
            row["paper_mean"] = np.nan
            row["paper_basis"] = ""
        row["diff"] = row["mean"] - row["paper_mean"]
        rows.append(row)
    return pd.DataFrame(rows)


def _fg_method(r: pd.Series) -> str | None:
    """[FG] Table I column of an aggregated cell. A variant's label ("FGAN-AdamD") need not
    name one; its registry name ("fence_gan") does."""
    return paper.paper_method(r["detector_label"], table="fence_gan") or paper.paper_method(
        r["detector_name"], table="fence_gan"
    )


def fence_gan_comparison(agg: pd.DataFrame) -> pd.DataFrame:
    """Rows with precision/recall/F1 (a thresholded protocol) beside [FG] Table I."""
    sub = agg[agg["precision_mean"].notna()].copy()
    # One Table I row (precision, recall, F1) per cell, or None where the paper has none.
    table_rows = [
        paper.FG_TABLE1[method]
        if (method := _fg_method(r)) is not None
        and str(r["dataset_name"]).lower() == "kdd99"
        and r["protocol"] == "fence_gan"
        else None
        for _, r in sub.iterrows()
    ]
    for i, name in enumerate(("precision", "recall", "f1")):
        sub[f"{name}_paper"] = [np.nan if t is None else t[i] for t in table_rows]
        sub[f"{name}_diff"] = sub[f"{name}_mean"] - sub[f"{name}_paper"]
    return sub


# -- formatting ------------------------------------------------------------------------------


def _f(x: float, digits: int = 3, signed: bool = False) -> str:
    """Paper style: '.834', '-.006', '1.000'."""
    if x is None or pd.isna(x):
        return "—"
    s = f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"
    s = s.replace("0.", ".", 1) if s.lstrip("+-").startswith("0.") else s
    return s.replace("-", "−")


def _ms(mean: float, std: float, digits: int = 3) -> str:
    if pd.isna(mean):
        return "—"
    return (
        f"{_f(mean, digits)} ± {_f(std, digits)}"
        if not pd.isna(std)
        else f"{_f(mean, digits)} (1 run)"
    )


@dataclass
class _Table:
    header: list[str]
    rows: list[list[tuple[str, str]]]  # (text, css class)


@dataclass
class _Section:
    title: str
    level: int = 2
    paragraphs: list[str] = field(default_factory=list)
    tables: list[_Table] = field(default_factory=list)
    images: list[tuple[str, Path]] = field(default_factory=list)


def _cell(text: str, cls: str = "") -> tuple[str, str]:
    return (text, cls)


def _da3d_tables(cmp: pd.DataFrame) -> list[_Section]:
    sections = []
    for protocol in cmp["protocol"].unique():
        sub_p = cmp[cmp["protocol"] == protocol]
        for contamination in sorted(sub_p["contamination"].unique()):
            sub = sub_p[np.isclose(sub_p["contamination"], contamination)]
            if sub[[f"{m}_mean" for m in METRICS]].isna().all().all():
                continue
            detectors = list(dict.fromkeys(sub["detector"]))
            datasets = list(dict.fromkeys(sub["dataset"]))
            for metric, metric_name in METRICS.items():
                sec = _Section(
                    f"{metric_name}, training contamination {contamination:.0%} (protocol "
                    f"{protocol})",
                    level=3,
                )
                header = ["Data set", *detectors]
                rows = []
                counts = {"within": 0, "better": 0, "below": 0}
                for ds in datasets:
                    row = [_cell(ds)]
                    for det in detectors:
                        r = sub[(sub["dataset"] == ds) & (sub["detector"] == det)]
                        if r.empty:
                            row.append(_cell("—"))
                            continue
                        r = r.iloc[0]
                        text = _ms(r[f"{metric}_mean"], r[f"{metric}_std"])
                        ver = r.get(f"{metric}_verdict", "")
                        if ver:
                            counts[ver] += 1
                            cell = paper.PaperCell(
                                r[f"{metric}_paper_mean"], r[f"{metric}_paper_std"]
                            )
                            diff = _f(r[f"{metric}_diff"], 3, signed=True)
                            text += f" (paper {cell}; {diff} {_SYMBOL[ver]})"
                        elif (
                            protocol == "da3d"
                            and paper.paper_dataset(r["dataset_name"])
                            and paper.paper_method(r["detector_label"])
                        ):
                            text += " (paper: unknown)"
                        row.append(_cell(text, ver))
                    rows.append(row)
                means = mean_rows(sub, protocol, contamination, metric).set_index("detector")
                row = [_cell("mean")]
                for det in detectors:
                    if det not in means.index or pd.isna(means.loc[det, "mean"]):
                        row.append(_cell("—"))
                        continue
                    m = means.loc[det]
                    text = f"{_f(m['mean'])} over {int(m['n_datasets'])}"
                    if not pd.isna(m["paper_mean"]):
                        text += (
                            f" (paper {_f(m['paper_mean'], 2)}; {_f(m['diff'], 3, signed=True)})"
                        )
                    row.append(_cell(text, "mean"))
                rows.append(row)
                sec.tables.append(_Table(header, rows))
                if sum(counts.values()):
                    sec.paragraphs.append(
                        f"Against the paper: {counts['within']} cell(s) within the paper's std, "
                        f"{counts['better']} better, {counts['below']} below."
                    )
                bases = {b for b in means.get("paper_basis", pd.Series(dtype=str)) if b}
                if bases and bases != {"printed mean row"}:
                    sec.paragraphs.append(
                        "Mean row, paper: the mean of the paper's cells over the same data sets "
                        "(its printed mean row covers all ten)."
                    )
                sections.append(sec)
    return sections


def _runs_section(agg: pd.DataFrame) -> _Section:
    sec = _Section("Runs")
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
            _cell(r["protocol"]),
            _cell(f"{r['contamination']:.0%}"),
            _cell(r["dataset"]),
            _cell(r["detector"]),
            _cell(str(r["n_ok"])),
            _cell(str(r["n_failed"]), "below" if r["n_failed"] else ""),
            _cell(r["seeds"]),
            _cell(r["variants"] or ""),
        ]
        for _, r in agg.iterrows()
    ]
    sec.tables.append(_Table(header, rows))
    return sec


def _timing_section(agg: pd.DataFrame) -> _Section:
    sec = _Section("Timing")
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
            _cell(r["dataset"]),
            _cell(r["detector"]),
            _cell(str(int(r["runs"]))),
            _cell("—" if pd.isna(r["fit"]) else f"{r['fit']:.1f}"),
            _cell("—" if pd.isna(r["score"]) else f"{r['score']:.2f}"),
            _cell("—" if pd.isna(r["n_train"]) else f"{r['n_train']:.0f}"),
            _cell("—" if pd.isna(r["n_test"]) else f"{r['n_test']:.0f}"),
            _cell(r["devices"]),
        ]
        for _, r in t.iterrows()
    ]
    sec.tables.append(_Table(header, rows))
    return sec


def _fence_gan_section(agg: pd.DataFrame) -> _Section | None:
    fg = fence_gan_comparison(agg)
    if fg.empty:
        return None
    sec = _Section("Thresholded metrics (Fence GAN protocol, [FG] Table I)")
    sec.paragraphs.append(
        "Precision / recall / F1 with the anomaly class positive at the experiment's threshold "
        "rule "
        "(KDD99: the top 20 % of test scores flagged; anomaly = non-attack). F1 is the mean of "
        "per-run F1 "
        "values, as in [FG]. Paper values from [FG] Table I (mean over 10 seeds)."
    )
    header = ["Data set", "Detector", "runs", "precision", "recall", "F1"]
    rows = []
    for _, r in fg.iterrows():
        row = [_cell(r["dataset"]), _cell(r["detector"]), _cell(str(r["n_ok"]))]
        for name in ("precision", "recall", "f1"):
            text = _ms(r[f"{name}_mean"], r[f"{name}_std"], 4)
            if not pd.isna(r[f"{name}_paper"]):
                text += (
                    f" (paper {r[f'{name}_paper']:.4f}; {_f(r[f'{name}_diff'], 4, signed=True)})"
                )
            row.append(_cell(text))
        rows.append(row)
    sec.tables.append(_Table(header, rows))
    return sec


def _failures_section(df: pd.DataFrame, limit: int = 30) -> _Section | None:
    failed = df[df["status"] != "ok"]
    if failed.empty:
        return None
    sec = _Section("Failed runs")
    header = ["Data set", "Detector", "seed", "contamination", "error"]
    rows = [
        [
            _cell(str(r["dataset"])),
            _cell(str(r["detector_label"])),
            _cell(str(r["seed"])),
            _cell(f"{float(r['contamination']):.0%}"),
            _cell(str(r.get("error", ""))[:300]),
        ]
        for _, r in failed.head(limit).iterrows()
    ]
    if len(failed) > limit:
        sec.paragraphs.append(f"First {limit} of {len(failed)} failed runs.")
    sec.tables.append(_Table(header, rows))
    return sec


# -- rendering -------------------------------------------------------------------------------


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _render_markdown(title: str, intro: list[str], sections: list[_Section], out_dir: Path) -> str:
    lines = [f"# {title}", ""]
    lines += [p + "\n" for p in intro]
    for sec in sections:
        lines += ["#" * sec.level + " " + sec.title, ""]
        for p in sec.paragraphs:
            lines += [p, ""]
        for t in sec.tables:
            lines.append("| " + " | ".join(_md_escape(h) for h in t.header) + " |")
            lines.append("|" + "---|" * len(t.header))
            for row in t.rows:
                lines.append("| " + " | ".join(_md_escape(text) for text, _ in row) + " |")
            lines.append("")
        for caption, path in sec.images:
            lines += [f"![{caption}]({os.path.relpath(path, out_dir)})", ""]
    return "\n".join(lines)


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;
  max-width:1400px;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:0.5em 0 1.5em;font-size:13px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}
td.within{background:#eef7ee} td.better{background:#dff0ff} td.below{background:#fde8e8}
td.mean{font-weight:600}
img{max-width:100%;border:1px solid #ddd;margin:0.5em 0}
code{background:#f5f5f5;padding:1px 4px}
.legend{font-size:13px;color:#555}
"""


def _render_html(title: str, intro: list[str], sections: list[_Section]) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
    ]
    parts += [f'<p class="legend">{e(p)}</p>' for p in intro]
    for sec in sections:
        tag = f"h{sec.level}"
        parts.append(f"<{tag}>{e(sec.title)}</{tag}>")
        parts += [f"<p>{e(p)}</p>" for p in sec.paragraphs]
        for t in sec.tables:
            parts.append(
                "<table><thead><tr>"
                + "".join(f"<th>{e(h)}</th>" for h in t.header)
                + "</tr></thead><tbody>"
            )
            for row in t.rows:
                parts.append(
                    "<tr>"
                    + "".join(
                        f'<td class="{e(c)}">{e(text)}</td>' if c else f"<td>{e(text)}</td>"
                        for text, c in row
                    )
                    + "</tr>"
                )
            parts.append("</tbody></table>")
        for caption, path in sec.images:
            data = base64.b64encode(Path(path).read_bytes()).decode()
            parts.append(
                f'<figure><img alt="{e(caption)}" '
                f'src="data:image/png;base64,{data}"><figcaption>{e(caption)}</figcaption></figure>'
            )
    parts.append("</body></html>")
    return "\n".join(parts)


# -- figures ---------------------------------------------------------------------------------


def _figures(
    df: pd.DataFrame, cmp: pd.DataFrame, out_dir: Path, artifacts: Sequence[Path]
) -> list[_Section]:
    from . import plots

    fig_dir = out_dir / "figures"
    sections = []
    comp = _Section("Figures")
    for (protocol, contamination), sub in cmp.groupby(["protocol", "contamination"], sort=False):
        for metric, name in METRICS.items():
            ours = {
                (r["dataset"], r["detector"]): (r[f"{metric}_mean"], r[f"{metric}_std"])
                for _, r in sub.iterrows()
                if not pd.isna(r[f"{metric}_mean"])
            }
            ref = {
                (r["dataset"], r["detector"]): (r[f"{metric}_paper_mean"], r[f"{metric}_paper_std"])
                for _, r in sub.iterrows()
                if not pd.isna(r.get(f"{metric}_paper_mean", np.nan))
            }
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
    if comp.images:
        sections.append(comp)
    artifacts = [a for a in artifacts if a.is_dir()]
    if not artifacts:
        return sections
    curves = _Section("Curves, score histograms and training losses (first seed of each detector)")
    ok = df[df["status"] == "ok"]
    for (protocol, dataset, contamination), sub in ok.groupby(
        ["protocol", "dataset", "contamination"], sort=False
    ):
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
        if not data:
            continue
        tag = "".join(
            ch if ch.isalnum() else "_" for ch in f"{protocol}_{dataset}_c{float(contamination):g}"
        )
        title = f"{dataset}, contamination {float(contamination):.0%}"
        curves.images.append(
            (
                f"ROC / PR: {title}",
                plots.plot_roc_pr(data, fig_dir / f"curves_{tag}.png", title=title),
            )
        )
        for name, (y, s) in data.items():
            safe = "".join(ch if ch.isalnum() else "_" for ch in name)
            curves.images.append(
                (
                    f"Scores: {title}, {name}",
                    plots.plot_score_histogram(
                        y, s, fig_dir / f"hist_{tag}_{safe}.png", title=f"{title}: {name}"
                    ),
                )
            )
        for label, hist in histories.items():
            if hist:
                safe = "".join(ch if ch.isalnum() else "_" for ch in label)
                curves.images.append(
                    (
                        f"Training losses: {title}, {label}",
                        plots.plot_history(
                            hist, fig_dir / f"history_{tag}_{safe}.png", title=f"{title}: {label}"
                        ),
                    )
                )
    if curves.images:
        sections.append(curves)
    return sections


def _run_id(r: pd.Series) -> str:
    from .experiment import RunSpec

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
        contamination=float(r["contamination"]),
        protocol=str(r["protocol"]),
        device="",
    )
    return spec.run_id


# -- entry point -----------------------------------------------------------------------------


def _as_paths(value: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[Path]:
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


@dataclass
class ReportFiles:
    markdown: Path
    html: Path
    figures: list[Path]
    summary: pd.DataFrame


def make_report(
    results: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | pd.DataFrame,
    out_dir: str | os.PathLike[str],
    *,
    title: str | None = None,
    figures: bool = True,
    artifacts: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
    notes: list[str] | None = None,
) -> ReportFiles:
    """Write `report.md`, `report.html` (self-contained: figures embedded) and `summary.csv` to
    `out_dir`. `results`: one results CSV, several (one table over all of them, e.g. one grid
    per data set) or a DataFrame. `artifacts`: the `<results>.runs/` folders of
    `ganad bench --save-scores` (found automatically beside each results file) for ROC/PR
    curves, score histograms and loss curves."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
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
    agg = aggregate_results(df)
    cmp = paper_comparison(agg)
    n_ok = int((df["status"] == "ok").sum())
    intro = [
        f"Source: {source}; {len(df)} run(s), {n_ok} ok, {len(df) - n_ok} failed.",
        "Cells: ours mean ± sample std (ddof 1) over seeds (paper mean ± std; ours − paper; "
        "✓ within the paper's std, ▲ better than the paper's mean + std, ✗ below its mean − std; "
        "a 0.005 rounding allowance is added to the paper's std). The mean row averages the "
        "unrounded "
        "per-data-set means. Paper: [DA3D-A] Table 2 (METHODS.md §6.2; REPEN-AP cells lost in the "
        "source are unknown).",
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
    intro += _selection_note(agg)
    intro += list(notes or [])
    sections = [_Section("Results vs the paper")]
    sections += _da3d_tables(cmp)
    fg = _fence_gan_section(agg)
    if fg is not None:
        sections.append(fg)
    sections += [_runs_section(agg), _timing_section(agg)]
    failures = _failures_section(df)
    if failures is not None:
        sections.append(failures)
    figure_paths: list[Path] = []
    if figures:
        try:
            fig_sections = _figures(df, cmp, out, artifact_dirs)
        except ImportError as exc:
            logger.warning("no figures: %s", exc)
            fig_sections = []
        sections += fig_sections
        figure_paths = [p for s in fig_sections for _, p in s.images]
    title = title or "ganad benchmark report"
    md = out / "report.md"
    md.write_text(_render_markdown(title, intro, sections, out), encoding="utf-8")
    page = out / "report.html"
    page.write_text(_render_html(title, intro, sections), encoding="utf-8")
    cmp.to_csv(out / "summary.csv", index=False)
    return ReportFiles(md, page, figure_paths, cmp)
