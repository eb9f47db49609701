"""AnoGAN inference throughput: ganad's batched latent search vs PyOD's AnoGAN (issue #6).

Setting: KDD Cup 99 10 % with Zenati et al.'s encoding (121 features; attacks are the normal
class, `normal.` traffic the anomaly; 50 % of the rows for training by
`sample(frac=0.5, random_state=42)`, attacks only; test = the other half), MinMax fitted on the
training rows. Both detectors get the same network sizes (Zenati's KDD AnoGAN: latent 32,
G 64-128, D 256-128-128) and the same 500 latent-search steps per sample.

Measured, in one run on this machine, single thread (`torch.set_num_threads(1)`):
  * ganad AnoGAN: samples/s of `decision_function` at batch 1 and at batch 4096 (500 Adam steps on
    z per sample, G and D frozen, feature-matching loss, λ = 0.1);
  * PyOD AnoGAN: its per-sample latent search at 500 steps. PyOD only searches inside `fit`
    (one sample at a time, updating G and D as it goes), so it is timed by `fit(epochs=0,
    epochs_query=500)` on a few samples and extrapolated per sample. Its `decision_function`
    does *no* search (every test point is compared with one latent vector learned in training);
    that time is reported too;
  * ROC-AUC of both detectors' `decision_function` on the same test subsample.
  * The review's table ([REV] Table 1, METHODS §6.5): 1139.7 ms/sample at batch 1 (a β-VAEGAN on
    MIT-BIH, GPU, ε = 0.005, n_max = 500) — a different model and machine, listed for scale only.

Training is shortened to keep the run at a few minutes of CPU (see --epochs/--train-size); the
timings do not depend on training length.

Usage:
    .venv/bin/python benchmarks/anogan_speed.py --out docs/results/review/anogan_speed.json
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

import ganad
from ganad.data import load_split

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ROOT = REPO.parent / "shared" / "datasets"
REVIEW_MS_PER_SAMPLE_BATCH1 = 1139.7

G_LAYERS = (64, 128)
D_LAYERS = (256, 128, 128)
LATENT = 32
STEPS = 500

logger = logging.getLogger("anogan_speed")


def timed(fn, repeats: int = 1) -> tuple[float, object]:
    """Median wall time of `fn()` over `repeats` runs, and the last result."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def pyod_anogan(**kw):
    from pyod.models.anogan import AnoGAN as PyODAnoGAN

    return PyODAnoGAN(
        G_layers=list(G_LAYERS), D_layers=list(D_LAYERS), latent_dim_G=LATENT, device="cpu", **kw
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="ganad data directory")
    parser.add_argument("--train-size", type=int, default=4000, help="ganad training rows")
    parser.add_argument(
        "--pyod-train-size",
        type=int,
        default=1000,
        help="PyOD training rows (its fit searches every training row one by one)",
    )
    parser.add_argument("--test-size", type=int, default=4096)
    parser.add_argument("--epochs", type=int, default=25, help="ganad GAN epochs (batch 50)")
    parser.add_argument("--batch1-samples", type=int, default=8)
    parser.add_argument("--pyod-search-samples", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out", type=Path, default=REPO / "docs" / "results" / "review" / "anogan_speed.json"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)

    # Zenati's KDD99 protocol (METHODS §4.4.3, F-10), MinMax fitted on the training rows.
    split = load_split("kdd99", protocol="fence_gan", seed=0, root=args.root)
    X_train, X_test, y_test = split.x_train, split.x_test, split.y_test
    rng = np.random.default_rng(args.seed)
    tr = rng.choice(len(X_train), size=min(args.train_size, len(X_train)), replace=False)
    te = rng.choice(len(X_test), size=min(args.test_size, len(X_test)), replace=False)
    X_tr, X_te = X_train[tr], X_test[te]
    y_te = y_test[te]
    X_tr_pyod = X_tr[: args.pyod_train_size]
    logger.info(
        "KDD99: %d features; train %d (PyOD %d); test %d (%.1f %% anomalies)",
        X_tr.shape[1],
        len(X_tr),
        len(X_tr_pyod),
        len(X_te),
        100 * y_te.mean(),
    )

    # --- ganad -------------------------------------------------------------------------------
    det = ganad.get_detector(
        "anogan",
        preset="kdd99",
        epochs=args.epochs,
        lr=1e-4,
        scaling="none",
        random_state=args.seed,
        device="cpu",
    )
    t_fit, _ = timed(lambda: det.fit(X_tr))
    logger.info("ganad fit (incl. scoring the training rows): %.1f s", t_fit)
    t_b4096, scores = timed(lambda: det.decision_function(X_te, batch_size=4096))
    x1 = X_te[: args.batch1_samples]
    t_b1, _ = timed(lambda: det.decision_function(x1, batch_size=1))
    ours = {
        "batch_4096": {
            "samples": len(X_te),
            "seconds": t_b4096,
            "samples_per_s": len(X_te) / t_b4096,
            "ms_per_sample": 1e3 * t_b4096 / len(X_te),
        },
        "batch_1": {
            "samples": len(x1),
            "seconds": t_b1,
            "samples_per_s": len(x1) / t_b1,
            "ms_per_sample": 1e3 * t_b1 / len(x1),
        },
        "roc_auc": float(roc_auc_score(y_te, scores)),
        "fit_seconds": t_fit,
    }
    logger.info(
        "ganad: batch 4096 %.2f ms/sample, batch 1 %.1f ms/sample, ROC-AUC %.4f",
        ours["batch_4096"]["ms_per_sample"],
        ours["batch_1"]["ms_per_sample"],
        ours["roc_auc"],
    )

    # --- PyOD --------------------------------------------------------------------------------
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)  # PyOD draws from the global RNGs
    xs = X_te[: args.pyod_search_samples]
    search = pyod_anogan(epochs=0, epochs_query=STEPS)
    t_search, _ = timed(lambda: search.fit(xs))
    pyod_search_ms = 1e3 * t_search / len(xs)
    logger.info("PyOD: per-sample latent search (500 steps) %.1f ms", pyod_search_ms)
    # Same number of GAN updates as ganad (about), default 20 query steps in its fit.
    steps_ours = args.epochs * int(np.ceil(len(X_tr) / 50))
    pyod_epochs = max(1, round(steps_ours / int(np.ceil(len(X_tr_pyod) / 32))))
    model = pyod_anogan(epochs=pyod_epochs)
    t_pfit, _ = timed(lambda: model.fit(X_tr_pyod))
    t_pscore, pscores = timed(lambda: model.decision_function(X_te))
    pyod = {
        "search_500_steps_ms_per_sample": pyod_search_ms,
        "search_samples_timed": len(xs),
        "decision_function_ms_per_sample": 1e3 * t_pscore / len(X_te),
        "roc_auc": float(roc_auc_score(y_te, pscores)),
        "fit_seconds": t_pfit,
        "fit": {
            "train_rows": len(X_tr_pyod),
            "epochs": pyod_epochs,
            "batch_size": 32,
            "epochs_query": 20,
        },
    }
    logger.info(
        "PyOD: decision_function %.3f ms/sample (no search), ROC-AUC %.4f",
        pyod["decision_function_ms_per_sample"],
        pyod["roc_auc"],
    )

    result = {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor(),
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
        },
        "setting": {
            "data": "KDD99 10 % (Zenati encoding, 121 features)",
            "search_steps": STEPS,
            "latent_dim": LATENT,
            "g_layers": G_LAYERS,
            "d_layers": D_LAYERS,
            "ganad_epochs": args.epochs,
            "ganad_train_rows": len(X_tr),
            "test_rows": len(X_te),
            "seed": args.seed,
        },
        "ganad": ours,
        "pyod": pyod,
        "review_batch1_ms_per_sample": REVIEW_MS_PER_SAMPLE_BATCH1,
        "speedup_vs_pyod_search": {
            "batch_4096": pyod_search_ms / ours["batch_4096"]["ms_per_sample"],
            "batch_1": pyod_search_ms / ours["batch_1"]["ms_per_sample"],
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    logger.info(
        "speed-up vs PyOD's per-sample search: %.0fx (batch 4096), %.1fx (batch 1); wrote %s",
        result["speedup_vs_pyod_search"]["batch_4096"],
        result["speedup_vs_pyod_search"]["batch_1"],
        args.out,
    )


if __name__ == "__main__":
    main()
