"""What the Ray backend of `ganad bench` costs (issue #21): the same 24-run grid (the `smoke`
experiment with 4 seeds: 3 detectors x 4 seeds x 2 contaminations on bundled Mammography) on the
local process pool and on a local Ray instance, both with 2 workers, one torch thread per run.

Each backend is timed end to end as a user sees it (`ganad bench` in a fresh process: imports,
pool or Ray start-up, the runs, shut-down), best of `--repeats`. The per-run overhead is
(Ray wall - local wall) / runs. Rows must be identical between the backends.

    OMP_NUM_THREADS=1 python benchmarks/ray_overhead.py --json docs/results/speed/ray.json \
        --md docs/results/speed/ray.md
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import cpu_flags, cpu_model

SEEDS = ["110", "210", "310", "410"]
KEY = ["detector_label", "seed", "train_contamination"]


def _bench(out: Path, backend: str) -> float:
    """Seconds for one `ganad bench smoke` grid in a fresh process."""
    cmd = [sys.executable, "-m", "ganad.cli", "bench", "smoke", "--out", str(out), "-q"]
    cmd += ["--seeds", *SEEDS, "--jobs", "2", "--backend", backend]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    started = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(repeats: int) -> dict:
    walls: dict[str, list[float]] = {"local": [], "ray": []}
    rows: dict[str, pd.DataFrame] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeats):
            for backend in ("local", "ray"):  # alternating, so load drifts hit both
                out = Path(tmp) / f"{backend}{i}.csv"
                walls[backend].append(_bench(out, backend))
                rows[backend] = pd.read_csv(out).set_index(KEY).sort_index()
    n_runs = len(rows["local"])
    same = rows["local"]["roc_auc"].equals(rows["ray"]["roc_auc"])
    best = {k: min(v) for k, v in walls.items()}
    run_seconds = {
        k: float(rows[k]["fit_seconds"].sum() + rows[k]["score_seconds"].sum()) for k in rows
    }
    return {
        "cpu": cpu_model(),
        "cpu_flags": cpu_flags(),
        "cores": os.cpu_count(),
        "runs": n_runs,
        "walls": walls,
        "best_wall_s": best,
        "ratio_ray_over_local": best["ray"] / best["local"],
        "overhead_per_run_s": (best["ray"] - best["local"]) / n_runs,
        "fit_plus_score_s": run_seconds,
        "identical_rows": bool(same),
    }


def markdown(r: dict) -> str:
    lines = [
        "# Ray backend overhead (`benchmarks/ray_overhead.py`)",
        "",
        f"Machine: {r['cpu']}, {r['cores']} cores, SIMD `{r['cpu_flags']}`; one torch thread per "
        "run, 2 workers on each backend. Grid: `smoke` with 4 seeds = "
        f"{r['runs']} runs (tiny DA3D / Simple / A3 fits on bundled Mammography). Wall time of "
        f"a fresh `ganad bench` process, best of {len(r['walls']['local'])} (alternating).",
        "",
        "| backend | wall s (best) | all repeats | fit + score s inside the runs |",
        "|---|---|---|---|",
    ]
    for k in ("local", "ray"):
        reps = ", ".join(f"{w:.1f}" for w in r["walls"][k])
        lines.append(
            f"| {k} | {r['best_wall_s'][k]:.1f} | {reps} | {r['fit_plus_score_s'][k]:.1f} |"
        )
    lines += [
        "",
        f"Ray / local wall time: **{r['ratio_ray_over_local']:.2f}x**; overhead per run "
        f"**{r['overhead_per_run_s']:.2f} s** (start-up included, spread over the runs). "
        f"Rows identical between the backends: {r['identical_rows']}.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json")
    parser.add_argument("--md")
    args = parser.parse_args()
    result = measure(args.repeats)
    text = markdown(result)
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    if args.md:
        Path(args.md).write_text(text)


if __name__ == "__main__":
    main()
