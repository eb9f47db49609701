"""Fence GAN on MNIST, one digit anomalous (paper §IV.B, Fig. 2; METHODS §4.4.1, F-8, F-9).

Split of the code (`utils/data.py::get_mnist`): the official train and test sets concatenated,
not shuffled; normal digits in file order: train = first 80 %, test = next 15 % + the first
75 % of the anomalous digit, val = last 5 % + the last 25 % of the anomalous digit.
Networks and hyper-parameters: the "mnist" preset (code column of §4.3).

Metrics on the test split, at the **last** epoch (no checkpoint selection unless --select-on-val):
  * auprc_normal: the code's number (trapezoidal area under the PR curve, *normal* positive,
    score D(x)), the one to compare with the paper's Fig. 2;
  * ap_anomaly: average precision with the anomalous digit positive and score 1 - D(x);
  * auroc.

Usage (full paper protocol: 100 epochs + 15 pre-training epochs, 10 digits x 3 seeds):
    .venv/bin/python benchmarks/fence_gan_mnist.py --digits 0 1 2 3 4 5 6 7 8 9 --seeds 0 1 2
On a CPU a full run takes hours: `--checkpoint-dir DIR` saves each run's training state every
epoch, and the same command resumes killed runs where they stopped (same final result).
Reduced CPU run (docs/results/fence_gan/README.md §3; per digit, two processes in parallel):
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/fence_gan_mnist.py --digits 1 --seeds 0 1 2 \
        --epochs 10 --pretrain-epochs 1 --validation-every 1 --tag mnist_reduced_d1
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_auc_score

import ganad

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ROOT = REPO.parent / "shared" / "datasets" / "mnist"
FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


def read_idx(path: Path) -> np.ndarray:
    """Big-endian idx file (gzip): magic 0x0000080D, dims, then uint8 data."""
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4).astype(int)
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_mnist_code_split(root: Path, anomaly_digit: int) -> dict[str, np.ndarray]:
    """The code's unshuffled 80 / 15 / 5 split; uint8 images (n, 1, 28, 28); y = 1: anomaly."""
    train_x, train_y, test_x, test_y = (read_idx(root / name) for name in FILES)
    x = np.concatenate([train_x, test_x])[:, None]
    y = np.concatenate([train_y, test_y])
    normal, anomalous = x[y != anomaly_digit], x[y == anomaly_digit]
    n, a = len(normal), len(anomalous)
    cut80, cut95, cut_a = int(0.8 * n), int(0.95 * n), a * 3 // 4
    return {
        "X_train": normal[:cut80],
        "X_test": np.concatenate([normal[cut80:cut95], anomalous[:cut_a]]),
        "y_test": np.r_[np.zeros(cut95 - cut80), np.ones(cut_a)].astype(np.int64),
        "X_val": np.concatenate([normal[cut95:], anomalous[cut_a:]]),
        "y_val": np.r_[np.zeros(n - cut95), np.ones(a - cut_a)].astype(np.int64),
    }


def metrics(y_anomaly: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    precision, recall, _ = precision_recall_curve(1 - y_anomaly, 1.0 - scores)
    return {
        "auprc_normal": float(auc(recall, precision)),
        "ap_anomaly": float(average_precision_score(y_anomaly, scores)),
        "auroc": float(roc_auc_score(y_anomaly, scores)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digits", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=None, help="override the preset's 100")
    parser.add_argument(
        "--pretrain-epochs", type=int, default=None, help="override the preset's 15"
    )
    parser.add_argument(
        "--train-limit", type=int, default=None, help="use only the first N training images"
    )
    parser.add_argument(
        "--select-on-val", action="store_true", help="the code's best-validation checkpoint"
    )
    parser.add_argument(
        "--validation-every", type=int, default=None, help="override the preset's 4 (epochs)"
    )
    parser.add_argument(
        "--checkpoint-dir",
        type=Path,
        default=None,
        help="save each run's training state there every epoch; a rerun resumes killed runs",
    )
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "results" / "fence_gan")
    parser.add_argument("--tag", default="mnist")
    args = parser.parse_args()
    torch.set_num_threads(1)

    overrides = {"model_selection": "best_validation" if args.select_on_val else "last"}
    if args.epochs is not None:
        overrides["epochs"] = args.epochs
    if args.pretrain_epochs is not None:
        overrides["pretrain_epochs"] = args.pretrain_epochs
    if args.validation_every is not None:
        overrides["validation_every"] = args.validation_every
    runs = []
    for digit in args.digits:
        split = load_mnist_code_split(args.root, digit)
        X_train = split["X_train"][: args.train_limit]
        for seed in args.seeds:
            det = ganad.get_detector(
                "fence_gan", preset="mnist", random_state=seed, device="cpu", **overrides
            )
            resume = {}
            if args.checkpoint_dir is not None:
                resume = {
                    "checkpoint": args.checkpoint_dir / f"{args.tag}_d{digit}_s{seed}.ckpt",
                    "checkpoint_every": 1,
                }
            start = time.perf_counter()
            det.fit(X_train, validation_data=(split["X_val"], split["y_val"]), **resume)
            seconds = time.perf_counter() - start
            result = {
                "digit": digit,
                "seed": seed,
                "n_train": len(X_train),
                "fit_seconds": round(seconds, 1),
                **metrics(split["y_test"], det.decision_function(split["X_test"])),
                "selection": det.selection_,
                "val_epoch": det.history_.get("validation/epoch", []),
                "val_auprc_normal_by_epoch": det.history_.get("validation/auprc_normal", []),
            }
            runs.append(result)
            print(
                json.dumps({k: v for k, v in result.items() if not k.startswith("val_")}),
                flush=True,
            )

    per_digit = {}
    for digit in args.digits:
        rows = [r for r in runs if r["digit"] == digit]
        per_digit[digit] = {
            k: (
                float(np.mean([r[k] for r in rows])),
                float(np.std([r[k] for r in rows], ddof=1)) if len(rows) > 1 else 0.0,
            )
            for k in ("auprc_normal", "ap_anomaly", "auroc")
        }
    args.out.mkdir(parents=True, exist_ok=True)
    params = det.get_params()
    params.pop("random_state")
    (args.out / f"{args.tag}.json").write_text(
        json.dumps(
            {
                "params": params,
                "train_limit": args.train_limit,
                "runs": runs,
                "per_digit_mean_std": per_digit,
            },
            indent=1,
        )
    )
    print(json.dumps(per_digit))


if __name__ == "__main__":
    main()
