"""Quality guard of bfloat16 autocast (issue #16): paired seeds, the same detector trained and
scored in float32 and in bfloat16, ROC-AUC and AP before/after, and the paired differences.

bf16 rounding is the same on every x86 CPU (native or emulated), so the accuracy side of the
guard can run anywhere; only the speed needs a CPU with native bf16 (`benchmarks/train_speed.py`
there). Default: DA3D, Mammography preset, 40 epochs per stage, DA3D protocol, seeds 110/210/310.

    python benchmarks/precision_auc.py --root ../shared/datasets --json docs/results/speed/precision_auc.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import average_precision_score, roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import cpu_flags, cpu_model

import ganad
from ganad.data import load_split


def run(dataset: str, preset: str, epochs: int, seed: int, precision: str, root) -> dict:
    split = load_split(dataset, protocol="da3d", seed=seed, root=root)
    det = ganad.get_detector(
        "da3d",
        preset=preset,
        epochs=epochs,
        aae_epochs=epochs,
        random_state=seed,
        device="cpu",
        n_jobs=1,
        precision=precision,
    )
    started = time.perf_counter()
    det.fit(split.x_train)
    fit_s = time.perf_counter() - started
    scores = det.decision_function(split.x_test)
    return {
        "dataset": dataset,
        "seed": seed,
        "precision": det.precision_,
        "roc_auc": float(roc_auc_score(split.y_test, scores)),
        "ap": float(average_precision_score(split.y_test, scores)),
        "fit_s": fit_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", default="mammography")
    parser.add_argument("--preset", default="mammography")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seeds", type=int, nargs="+", default=[110, 210, 310])
    parser.add_argument("--root", default=None)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = []
    for seed in args.seeds:
        for precision in ("float32", "bfloat16"):
            rows.append(run(args.dataset, args.preset, args.epochs, seed, precision, args.root))
            print(json.dumps(rows[-1]), file=sys.stderr)
    diffs = {
        metric: [b[metric] - a[metric] for a, b in zip(rows[::2], rows[1::2], strict=True)]
        for metric in ("roc_auc", "ap")
    }
    print("| seed | ROC-AUC fp32 | ROC-AUC bf16 | AP fp32 | AP bf16 | fit s fp32 | fit s bf16 |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for a, b in zip(rows[::2], rows[1::2], strict=True):
        print(
            f"| {a['seed']} | {a['roc_auc']:.4f} | {b['roc_auc']:.4f} | {a['ap']:.4f} | "
            f"{b['ap']:.4f} | {a['fit_s']:.1f} | {b['fit_s']:.1f} |"
        )
    summary = {
        m: {
            "mean_diff": float(np.mean(d)),
            "std_diff": float(np.std(d, ddof=1)) if len(d) > 1 else 0.0,
        }
        for m, d in diffs.items()
    }
    meta = {
        "cpu": cpu_model(),
        "cpu_flags": cpu_flags(),
        "torch": torch.__version__,
        "dataset": args.dataset,
        "epochs": args.epochs,
    }
    print(json.dumps({"paired_differences": summary, **meta}))
    if args.json:
        Path(args.json).write_text(
            json.dumps({"meta": meta, "rows": rows, "paired": summary}, indent=1)
        )


if __name__ == "__main__":
    main()
