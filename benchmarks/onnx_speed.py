"""Scoring throughput of onnxruntime against torch for the same exported graphs (issue #20).

Detectors with their defaults (no preset) on a 20,000 x 20 synthetic table; 50,000 rows scored in
one call, best of 3, one thread for both (`torch.set_num_threads(1)`, onnxruntime
`intra_op_num_threads=1`).

    python benchmarks/onnx_speed.py --json docs/results/serving/onnx_speed.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import cpu_flags, cpu_model

import ganad

DETECTORS = ["dte", "kdsm", "aae", "da3d", "deepsvdd", "fanogan"]


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--detectors", nargs="+", default=DETECTORS)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    train = rng.normal(size=(20_000, 20)).astype(np.float32)
    test = rng.normal(size=(50_000, 20)).astype(np.float32)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.detectors:
            det = ganad.get_detector(
                name,
                preset="smoke" if name in ("da3d", "fanogan") else None,
                random_state=0,
                n_jobs=1,
            )
            det.fit(train[:2000])
            path = det.to_onnx(f"{tmp}/{name}.onnx")
            session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            torch_s = best_of(lambda det=det: det.decision_function(test))
            onnx_s = best_of(lambda session=session: session.run(None, {"x": test}))
            rows.append(
                {
                    "detector": name,
                    "torch_rows_s": len(test) / torch_s,
                    "onnxruntime_rows_s": len(test) / onnx_s,
                    "speedup": torch_s / onnx_s,
                }
            )
            print(json.dumps(rows[-1]), file=sys.stderr)
    print("| detector | torch rows/s | onnxruntime rows/s | onnxruntime / torch |")
    print("|---|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['detector']} | {r['torch_rows_s']:,.0f} | {r['onnxruntime_rows_s']:,.0f} | {r['speedup']:.2f}x |"
        )
    meta = {
        "cpu": cpu_model(),
        "cpu_flags": cpu_flags(),
        "torch": torch.__version__,
        "onnxruntime": ort.__version__,
        "threads": 1,
    }
    print(json.dumps(meta))
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
