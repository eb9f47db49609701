"""Before/after test AUCs for the speed options (issue #8): a speed option must not move ROC-AUC.

For each data set and seed, one DA3D is trained (DA3D protocol, the data set's preset, `--epochs`)
and its test split is scored three ways:

* before: one 8192-row pass per batch, one torch thread (`tiled_cpu_scoring` off);
* tiled: CPU scoring in cache-sized slices (the default), one thread;
* tiled, two threads.

It reports ROC-AUC, AP, the largest absolute score difference to "before" and samples/s.

    python benchmarks/speed_auc.py --root ../shared/datasets --datasets mammography kdd \\
        --seeds 110 210 310 --epochs 40 5 --json docs/results/speed/speed_auc.json
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import average_precision_score, roc_auc_score

import ganad
from ganad.data import load_split

BATCH = 8192


def score(det, X: np.ndarray, *, tiled: bool, threads: int) -> tuple[np.ndarray, float]:
    """Scores and samples/s (best of three passes) under one speed setting."""
    torch.set_num_threads(threads)
    declared = type(det).__ganad_tags__(det)
    det.__ganad_tags__ = lambda: replace(declared, tiled_cpu_scoring=tiled)
    try:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            scores = det.decision_function(X, batch_size=BATCH)
            best = min(best, time.perf_counter() - start)
    finally:
        del det.__ganad_tags__
    return scores, len(X) / best


def one_run(dataset: str, seed: int, epochs: int, root: str | None) -> list[dict]:
    split = load_split(dataset, protocol="da3d", seed=seed, root=root)
    torch.set_num_threads(1)
    det = ganad.get_detector(
        "da3d", preset=dataset, epochs=epochs, random_state=seed, device="cpu", scaling="none"
    )
    det.fit(split.x_train)
    X, y = split.x_test, split.y_test
    rows, before = [], None
    for label, tiled, threads in (("before", False, 1), ("tiled", True, 1), ("tiled", True, 2)):
        scores, speed = score(det, X, tiled=tiled, threads=threads)
        before = scores if before is None else before
        rows.append(
            {
                "dataset": dataset,
                "seed": seed,
                "epochs": epochs,
                "setting": label,
                "threads": threads,
                "roc_auc": roc_auc_score(y, scores),
                "average_precision": average_precision_score(y, scores),
                "max_abs_score_diff": float(np.abs(scores - before).max()),
                "samples_per_s": speed,
            }
        )
    return rows


def markdown(rows: list[dict]) -> str:
    lines = [
        "| data | seed | epochs | setting | threads | ROC-AUC | AP | max abs score diff | samples/s |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['dataset']} | {r['seed']} | {r['epochs']} | {r['setting']} | {r['threads']} "
        f"| {r['roc_auc']:.4f} | {r['average_precision']:.4f} | {r['max_abs_score_diff']:.1e} "
        f"| {r['samples_per_s']:,.0f} |"
        for r in rows
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", default=None)
    parser.add_argument("--datasets", nargs="+", default=["mammography", "kdd"])
    parser.add_argument("--epochs", type=int, nargs="+", default=[40, 5], help="per data set")
    parser.add_argument("--seeds", type=int, nargs="+", default=[110, 210, 310])
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    if len(args.epochs) != len(args.datasets):
        parser.error("give one --epochs value per data set")
    rows = [
        row
        for dataset, epochs in zip(args.datasets, args.epochs, strict=True)
        for seed in args.seeds
        for row in one_run(dataset, seed, epochs, args.root)
    ]
    print(markdown(rows))
    if args.json:
        Path(args.json).write_text(
            json.dumps({"torch": torch.__version__, "batch": BATCH, "rows": rows}, indent=1)
        )


if __name__ == "__main__":
    main()
