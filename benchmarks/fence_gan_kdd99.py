"""Fence GAN on KDDCUP99 10 % (paper §IV.D, Table I; METHODS §4.4.3 and F-10).

Protocol (Zenati et al.'s, which the paper follows):
  * 121 features: one-hot of protocol_type, service, flag, land, logged_in, is_host_login,
    is_guest_login; the other 34 columns numeric;
  * 50 % of all rows for training (pandas `sample(frac=0.5, random_state=42)`), keeping only the
    attacks ("attack" is the majority and is treated as normal data); test = the other 50 %
    (attacks + non-attacks, about 19.7 % non-attack);
  * MinMax scaling fitted on the training rows (the detector's own `scaling`), not clipped;
  * the top 20 % of test scores are flagged (score >= 80th percentile of the test scores);
  * precision / recall / F1 with **non-attack as the positive class**, averaged over seeds.

Usage:
    .venv/bin/python benchmarks/fence_gan_kdd99.py --seeds 0 1 2 --out docs/results/fence_gan
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import average_precision_score, precision_recall_fscore_support, roc_auc_score

import ganad

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FILE = REPO.parent / "shared" / "datasets" / "kdd99" / "kddcup.data_10_percent.gz"

COLUMNS = [
    "duration",
    "protocol_type",
    "service",
    "flag",
    "src_bytes",
    "dst_bytes",
    "land",
    "wrong_fragment",
    "urgent",
    "hot",
    "num_failed_logins",
    "logged_in",
    "num_compromised",
    "root_shell",
    "su_attempted",
    "num_root",
    "num_file_creations",
    "num_shells",
    "num_access_files",
    "num_outbound_cmds",
    "is_host_login",
    "is_guest_login",
    "count",
    "srv_count",
    "serror_rate",
    "srv_serror_rate",
    "rerror_rate",
    "srv_rerror_rate",
    "same_srv_rate",
    "diff_srv_rate",
    "srv_diff_host_rate",
    "dst_host_count",
    "dst_host_srv_count",
    "dst_host_same_srv_rate",
    "dst_host_diff_srv_rate",
    "dst_host_same_src_port_rate",
    "dst_host_srv_diff_host_rate",
    "dst_host_serror_rate",
    "dst_host_srv_serror_rate",
    "dst_host_rerror_rate",
    "dst_host_srv_rerror_rate",
    "label",
]
CATEGORICAL = (
    "protocol_type",
    "service",
    "flag",
    "land",
    "logged_in",
    "is_host_login",
    "is_guest_login",
)

#: [FG] Table I (METHODS §6.4): precision, recall, F1 (non-attack positive, mean of 10 seeds).
PAPER_TABLE_I = {
    "OC-SVM": (0.7457, 0.8523, 0.7954),
    "DSEBM-r": (0.8521, 0.6472, 0.7328),
    "DSEBM-e": (0.8619, 0.6446, 0.7399),
    "DAGMM": (0.9297, 0.9442, 0.9369),
    "AnoGAN": (0.8786, 0.8297, 0.8865),
    "ALAD": (0.9427, 0.9577, 0.9501),
    "FGAN": (0.9546, 0.9697, 0.9553),
}


def load_kdd99_private(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X_train attacks only, X_test, y_test with 1 = non-attack) by Zenati's split."""
    with gzip.open(path, "rt") as fh:
        df = pd.read_csv(fh, header=None, names=COLUMNS)
    if df.shape != (494_021, 42):
        raise ValueError(f"{path}: expected 494021 x 42 rows/columns, got {df.shape}.")
    # One-hot in column order, like Zenati's `_encode_text_dummy` (dummies appended at the end).
    for name in CATEGORICAL:
        dummies = pd.get_dummies(df[name], prefix=name, dtype=np.float32)
        df = pd.concat([df.drop(columns=name), dummies], axis=1)
    y = (df.pop("label") == "normal.").to_numpy(dtype=np.int64)  # 1 = non-attack = anomaly
    X = df.to_numpy(dtype=np.float32)
    train_idx = df.sample(frac=0.5, random_state=42).index
    is_train = np.zeros(len(df), dtype=bool)
    is_train[train_idx] = True
    X_train = X[is_train & (y == 0)]
    return X_train, X[~is_train], y[~is_train]


def load_kdd99(seed: int, path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """`ganad.data.load_split("kdd99", protocol="fence_gan")` (same protocol, already MinMax
    scaled) when it is available, else the private loader above."""
    try:
        from ganad.data import load_split

        split = load_split("kdd99", protocol="fence_gan", seed=seed, root=path.parent.parent)
        x_train, x_test = (np.asarray(a, dtype=np.float32) for a in (split.x_train, split.x_test))
        return x_train, x_test, np.asarray(split.y_test), "ganad.data.load_split"
    except (ImportError, AttributeError, TypeError, ValueError, FileNotFoundError) as exc:
        print(f"ganad.data.load_split unavailable ({type(exc).__name__}: {exc}); private loader")
        X_train, X_test, y_test = load_kdd99_private(path)
        return X_train, X_test, y_test, "private loader (benchmarks/fence_gan_kdd99.py)"


def top_fraction_metrics(
    y_true: np.ndarray, scores: np.ndarray, fraction: float = 0.2
) -> dict[str, float]:
    """Flag score >= the (1 - fraction) quantile of the test scores (Zenati's rule)."""
    threshold = np.percentile(scores, 100.0 * (1.0 - fraction))
    y_pred = (scores >= threshold).astype(np.int64)
    p, r, f1, _ = precision_recall_fscore_support(y_true, y_pred, average="binary", zero_division=0)
    return {
        "precision": float(p),
        "recall": float(r),
        "f1": float(f1),
        "auroc": float(roc_auc_score(y_true, scores)),
        "average_precision": float(average_precision_score(y_true, scores)),
        "flagged_fraction": float(y_pred.mean()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="kdd99", help="kdd99 (Table IV) or kdd99_adam")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--epochs", type=int, default=None, help="override the preset's 50")
    parser.add_argument(
        "--pretrain-epochs", type=int, default=None, help="override the preset's 15"
    )
    parser.add_argument(
        "--set", nargs="*", default=[], metavar="NAME=JSON", help="more parameter overrides"
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "results" / "fence_gan")
    parser.add_argument("--tag", default="kdd99")
    args = parser.parse_args()
    torch.set_num_threads(1)

    overrides = {name: json.loads(value) for name, value in (s.split("=", 1) for s in args.set)}
    if args.epochs is not None:
        overrides["epochs"] = args.epochs
    if args.pretrain_epochs is not None:
        overrides["pretrain_epochs"] = args.pretrain_epochs
    # The split is fixed (random_state 42, F-10); the seeds vary only the model.
    X_train, X_test, y_test, source = load_kdd99(args.seeds[0], args.data)
    runs = []
    for seed in args.seeds:
        det = ganad.get_detector(
            "fence_gan", preset=args.preset, random_state=seed, device="cpu", **overrides
        )
        start = time.perf_counter()
        det.fit(X_train)
        seconds = time.perf_counter() - start
        metrics = top_fraction_metrics(y_test, det.decision_function(X_test))
        runs.append({"seed": seed, "fit_seconds": round(seconds, 1), **metrics})
        print(json.dumps(runs[-1]), flush=True)

    keys = ("precision", "recall", "f1", "auroc", "average_precision")
    summary = {
        k: (
            float(np.mean([r[k] for r in runs])),
            float(np.std([r[k] for r in runs], ddof=1)) if len(runs) > 1 else 0.0,
        )
        for k in keys
    }
    result = {
        "preset": args.preset,
        "overrides": overrides,
        "data_source": source,
        "n_train": len(X_train),
        "n_test": len(X_test),
        "test_non_attack_fraction": float(y_test.mean()),
        "n_features": int(X_train.shape[1]),
        "params": {k: v for k, v in det.get_params().items() if k not in ("random_state",)},
        "threshold_rule": "score >= 80th percentile of the test scores (top 20 % flagged)",
        "runs": runs,
        "mean_std": summary,
        "paper_table_i": PAPER_TABLE_I,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.tag}.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
