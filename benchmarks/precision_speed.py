"""Fit and scoring speed of DA3D (NSL-KDD preset, 2 epochs per stage) in float32 and under
bfloat16 autocast, one thread, on random data of NSL-KDD's width (timing does not depend on the
values). Prints the CPU's SIMD flags with the figures: bf16 pays only with native support
(`avx512_bf16` / `amx_bf16`); emulated, it is slower (`precision.md`).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/precision_speed.py
"""

from __future__ import annotations

import json

import numpy as np
import torch
from _machine import cpu_flags, cpu_model
from auto_speed import fit_and_score_times

import ganad


def measure(precision: str, X: np.ndarray, X_score: np.ndarray) -> dict[str, object]:
    det = ganad.get_detector(
        "da3d", "kdd", epochs=2, precision=precision, n_jobs=1, random_state=0, device="cpu"
    )
    fit, rows_per_second = fit_and_score_times(det, X, X_score, warmup=8192)
    return {
        "precision": det.precision_,
        "fit_seconds": round(fit, 2),
        "aae_epoch_seconds": round(det.history_["aae/epoch_seconds"][-1], 3),
        "da3d_epoch_seconds": round(det.history_["da3d/epoch_seconds"][-1], 3),
        "score_rows_per_second": round(rows_per_second),
    }


def main() -> int:
    torch.set_num_threads(1)
    X = np.random.default_rng(0).uniform(size=(20000, 121)).astype(np.float32)
    X_score = np.random.default_rng(1).uniform(size=(65536, 121)).astype(np.float32)
    rows = [measure(p, X, X_score) for p in ("float32", "bfloat16")]
    print(
        json.dumps(
            {"cpu": cpu_model(), "simd": cpu_flags(), "torch": torch.__version__, "rows": rows},
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
