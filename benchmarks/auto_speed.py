"""Fit time and scoring throughput of the recommended detector at the size of issue #15's target
(20,000 x 100 training rows, one CPU thread), next to DTE-NP and PyOD's KNN on the same arrays.

Prints the CPU model and its SIMD flags with the figures (speed depends on them) and writes JSON.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/auto_speed.py --json auto_speed.json
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch
from _machine import cpu_model

import ganad

SIMD = ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "fma")


def cpu_flags() -> list[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                have = set(line.split(":", 1)[1].split())
                return [f for f in SIMD if f in have]
    except OSError:
        pass
    return []


def fit_and_score_times(
    det, X: np.ndarray, X_test: np.ndarray, warmup: int = 256
) -> tuple[float, float]:
    """Seconds to fit `det` on `X`, and rows of `X_test` scored per second after a warm-up."""
    started = time.perf_counter()
    det.fit(X)
    fit = time.perf_counter() - started
    det.decision_function(X_test[:warmup])
    started = time.perf_counter()
    det.decision_function(X_test)
    return fit, len(X_test) / (time.perf_counter() - started)


def timed(make, X: np.ndarray, X_test: np.ndarray) -> dict[str, float]:
    det = make()
    fit, rows_per_second = fit_and_score_times(det, X, X_test)
    out = {"fit_seconds": fit, "score_rows_per_second": rows_per_second}
    if hasattr(det, "kind_"):
        out["kind"] = det.kind_
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--features", type=int, default=100)
    parser.add_argument("--test-rows", type=int, default=50_000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    # Correlated normal data (a random linear map of Gaussian factors), like a real table.
    mix = rng.normal(size=(args.features // 4 + 1, args.features))
    X = (rng.normal(size=(args.rows, mix.shape[0])) @ mix).astype(np.float32)
    X_test = (rng.normal(size=(args.test_rows, mix.shape[0])) @ mix).astype(np.float32)

    from pyod.models.knn import KNN

    candidates = {
        "auto": lambda: ganad.get_detector("auto", random_state=0, device="cpu"),
        "dte_np": lambda: ganad.get_detector("dte_np", random_state=0, device="cpu"),
        "pyod:KNN": lambda: KNN(),
    }
    results = {name: timed(make, X, X_test) for name, make in candidates.items()}
    summary = {
        "cpu": cpu_model(),
        "simd": cpu_flags(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "threads": args.threads,
        "shape": [args.rows, args.features],
        "test_rows": args.test_rows,
        "results": results,
    }
    print(f"CPU {summary['cpu']}  flags {' '.join(summary['simd'])}  threads {args.threads}")
    for name, r in results.items():
        kind = f" ({r['kind']})" if "kind" in r else ""
        print(
            f"{name + kind:<18} fit {r['fit_seconds']:7.1f} s   "
            f"score {r['score_rows_per_second']:10,.0f} rows/s"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
