"""Do explanations name the right column? (issue #19, part 4)

For every registered detector with its defaults: train on the normal training rows of a shared
ADBench table (the one-class protocol, seed 0), take normal *test* rows and move one known column
per row outside the training range (to max + 0.5 x range or min - 0.5 x range, alternating; the
column cycles through all features), then ask `explain` (method "auto") which column raised each
row's score. Reported per detector: the method used, how often the moved column ranks first
(top-1) and among the first three (top-3), the share of planted rows flagged above the 95th
percentile of the training scores (a row the detector does not find anomalous has nothing to
explain), and the time to explain 1,000 rows on one thread.

    OMP_NUM_THREADS=1 python benchmarks/explain_planted.py --datasets adbench:cardio adbench:thyroid \
        --md docs/results/explain/planted.md --json docs/results/explain/planted.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import cpu_flags, cpu_model

import ganad
from ganad.data import load_dataset, make_one_class_split
from ganad.explain import resolve_method


def planted(split, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`n` normal test rows, each with one column moved half a training range outside it."""
    rng = np.random.default_rng(seed)
    normals = split.x_test[split.y_test == 0]
    rows = normals[rng.choice(len(normals), size=min(n, len(normals)), replace=False)].copy()
    lo, hi = split.x_train.min(axis=0), split.x_train.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    column = np.arange(len(rows)) % rows.shape[1]
    up = np.arange(len(rows)) % 2 == 0
    idx = np.arange(len(rows))
    rows[idx, column] = np.where(
        up, hi[column] + 0.5 * span[column], lo[column] - 0.5 * span[column]
    )
    return rows.astype(np.float32), column


def measure(name: str, split, rows: np.ndarray, column: np.ndarray) -> dict:
    det = ganad.get_detector(name, random_state=0, n_jobs=1)
    t0 = time.perf_counter()
    det.fit(split.x_train)
    fit_s = time.perf_counter() - t0
    method = resolve_method(det, "auto", torch.from_numpy(rows[:2]))
    t0 = time.perf_counter()
    att = det.explain(rows)
    explain_s = time.perf_counter() - t0
    order = np.argsort(-att, axis=1)
    flagged = det.decision_function(rows) > np.quantile(det.decision_scores_, 0.95)
    top1 = order[:, 0] == column
    return {
        "detector": name,
        "method": method,
        "top1": float(top1.mean()),
        "top3": float((order[:, :3] == column[:, None]).any(axis=1).mean()),
        "top1_flagged": float(top1[flagged].mean()) if flagged.any() else float("nan"),
        "flagged": float(flagged.mean()),
        "fit_s": fit_s,
        "explain_s_per_1000": explain_s / len(rows) * 1000,
    }


def markdown(results: list[dict], datasets: list[str], machine: str) -> str:
    lines = [
        "# Explanations on planted anomalies",
        "",
        "Made by `benchmarks/explain_planted.py` (see its docstring for the protocol). "
        f"Machine: {machine}; one torch thread.",
        "",
        "Each detector with its defaults, seed 0. *top-1*: the moved column ranks first; "
        "*top-1 flagged*: the same among the planted rows the detector scores above its 95th "
        "training percentile; *flagged*: their share.",
        "",
    ]
    for ds in datasets:
        rows = [r for r in results if r["dataset"] == ds]
        if not rows:
            continue
        d = rows[0]["n_features"]
        lines += [
            f"## {ds} ({d} features, {rows[0]['n_planted']} planted rows; chance top-1 = "
            f"{1 / d:.2f})",
            "",
            "| detector | method | top-1 | top-3 | top-1 flagged | flagged | fit s | explain s / 1,000 rows |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in rows:
            lines.append(
                f"| {r['detector']} | {r['method']} | {r['top1']:.2f} | {r['top3']:.2f} | "
                f"{r['top1_flagged']:.2f} | {r['flagged']:.2f} | {r['fit_s']:.1f} | "
                f"{r['explain_s_per_1000']:.2f} |"
            )
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["adbench:cardio", "adbench:thyroid"])
    parser.add_argument("--detectors", nargs="+", default=None)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--root", default="../shared/datasets", help="data root")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--md", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(1)
    machine = f"{cpu_model()}, SIMD flags: {cpu_flags()}, torch {torch.__version__}"
    results = []
    for ds_name in args.datasets:
        ds = load_dataset(ds_name, root=args.root)
        split = make_one_class_split(ds.X, ds.y, seed=0)
        rows, column = planted(split, args.rows, seed=0)
        for name in args.detectors or ganad.list_detectors():
            r = measure(name, split, rows, column)
            r.update(dataset=ds_name, n_features=rows.shape[1], n_planted=len(rows))
            results.append(r)
            print(json.dumps(r), flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"machine": machine, "results": results}, indent=1))
    if args.md:
        args.md.parent.mkdir(parents=True, exist_ok=True)
        args.md.write_text(markdown(results, args.datasets, machine))


if __name__ == "__main__":
    main()
