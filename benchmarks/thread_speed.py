"""Epoch and scoring time of DA3D at 1, 2, torch's default and ganad's default (`n_jobs=None`)
threads, on an idle machine and next to competing CPU-bound processes (issue #16).

For each preset (Mammography, NSL-KDD, MNIST) it fits DA3D for two epochs per stage on a subset
of the training rows with each thread setting, times the second epoch of each stage (the first
warms caches and the allocator), scales it to the preset's full training set, and times
`decision_function` at the scoring batch (8192) on 16,384 rows (median of 5). "loaded" repeats everything with
`--competitors` busy-looping processes running (one per core they take).

    python benchmarks/thread_speed.py --root ../shared/datasets --json docs/results/speed/threads.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import cpu_flags, cpu_model
from train_speed import training_data

import ganad
from ganad._threads import available_cores

TORCH_DEFAULT_THREADS = torch.get_num_threads()  # before anything changes it

# preset -> (data set, sample shape, rows timed, rows of the paper's training set)
PRESETS = {
    "mammography": ("mammography", (6,), 8819, 8819),
    "kdd": ("kdd", (126,), 8192, 63930),
    "mnist": ("mnist", (1, 28, 28), 2048, 29066),
}
SCORE_ROWS = 16384


def preset_data(preset: str, root: str | None) -> tuple[np.ndarray, str]:
    """The preset's training rows (train_speed's loader: real data, else random of its shape),
    the first `rows` of them."""
    X, source = training_data(preset, root)
    return X[: PRESETS[preset][2]], source


@contextlib.contextmanager
def competitors(n: int):
    """`n` busy-looping processes (each keeps one core busy) for the duration of the block."""
    # Each loops until its parent is gone, so a killed benchmark leaves no busy process behind.
    spin = "import os\nparent = os.getppid()\nwhile os.getppid() == parent: pass"
    procs = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(max(0, n))]
    try:
        time.sleep(1.0 if procs else 0.0)
        yield
    finally:
        for p in procs:
            p.kill()
            p.wait()


def _seconds(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


def measure(preset: str, X: np.ndarray, n_jobs: int | None) -> dict:
    full_rows = PRESETS[preset][3]
    det = ganad.get_detector(
        "da3d", preset=preset, epochs=2, aae_epochs=2, random_state=0, device="cpu", n_jobs=n_jobs
    )
    det.fit(X)
    scale = full_rows / len(X)
    aae = det.history_["aae/epoch_seconds"][-1] * scale
    da3d = det.history_["da3d/epoch_seconds"][-1] * scale
    rows = np.resize(X, (SCORE_ROWS, *X.shape[1:]))
    det.decision_function(rows[:1024])  # warm-up
    score_s = float(np.median([_seconds(det.decision_function, rows) for _ in range(5)]))
    return {
        "threads_fit": det._threads(det._train_batch_rows()),
        "threads_score": det._threads(det._score_rows(None)),
        "aae_s_per_epoch": aae,
        "da3d_s_per_epoch": da3d,
        "score_rows_per_s": SCORE_ROWS / score_s,
    }


def markdown(rows: list[dict]) -> str:
    lines = [
        "| preset | load | setting | threads fit/score | AAE s/epoch | DA3D s/epoch | scoring rows/s |",
        "|---|---|---|---|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['preset']} | {r['load']} | {r['setting']} | {r['threads_fit']}/{r['threads_score']} "
            f"| {r['aae_s_per_epoch']:.3f} | {r['da3d_s_per_epoch']:.3f} | {r['score_rows_per_s']:,.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--presets", nargs="+", default=list(PRESETS), choices=list(PRESETS))
    parser.add_argument("--root", default=None)
    parser.add_argument(
        "--competitors", type=int, default=1, help="busy processes of the loaded condition"
    )
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    settings = {
        "1 thread": 1,
        "2 threads": 2,
        f"torch default ({TORCH_DEFAULT_THREADS})": TORCH_DEFAULT_THREADS,
        "ganad default (n_jobs=None)": None,
    }
    rows = []
    for preset in args.presets:
        X, source = preset_data(preset, args.root)
        for load, n_comp in (("idle", 0), (f"{args.competitors} busy", args.competitors)):
            with competitors(n_comp):
                for setting, n_jobs in settings.items():
                    row = {"preset": preset, "data": source, "load": load, "setting": setting}
                    row.update(measure(preset, X, n_jobs))
                    rows.append(row)
                    print(json.dumps(row), file=sys.stderr)
    meta = {
        "cpu": cpu_model(),
        "cpu_flags": cpu_flags(),
        "cores": available_cores(),
        "torch": torch.__version__,
        "ganad": ganad.__version__,
        "torch_default_threads": TORCH_DEFAULT_THREADS,
    }
    print(markdown(rows))
    print(json.dumps(meta))
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
