"""Scoring throughput of DA3D and the peak memory of streaming scoring.

1. samples/s of `decision_function` for the Mammography, NSL-KDD and MNIST presets at batch
   sizes 1, 256 and 8192 (untrained networks of the preset's exact size: scoring cost does not
   depend on the weights), for each `--threads` count, next to a roofline measured in the same
   run: the matrix products that scoring one batch dispatches, replayed as bare torch calls
   (`_roofline.py`), and the GFLOP/s both reach;
2. peak RSS of `ganad score MODEL big.csv` streaming a 1,000,000-row CSV (NSL-KDD width), read
   from /proc by polling the child process.

    python benchmarks/score_speed.py --threads 1 2 --json out.json [--rows 1000000] [--skip-stream]
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

import numpy as np
import torch
from _machine import cpu_model
from _roofline import matmul_flops, record_matmuls, replay_seconds

import ganad

SHAPES = {"mammography": (6,), "kdd": (126,), "mnist": (1, 28, 28)}


def fitted_untrained(preset: str, shape: tuple[int, ...], device: str):
    """A DA3D of the preset's size, 'fitted' for one epoch on a few random rows."""
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(64, *shape)).astype(np.float32)
    det = ganad.get_detector(
        "da3d", preset=preset, epochs=1, batch_size=64, random_state=0, device=device
    )
    return det.fit(X)


def throughput(det, shape: tuple[int, ...], batch: int, min_seconds: float = 2.0) -> float:
    rng = np.random.default_rng(1)
    n = max(batch, min(batch * 64, 200_000))
    X = rng.uniform(size=(n, *shape)).astype(np.float32)
    if batch == 1:
        X = X[:2000]
    det.decision_function(X[: min(len(X), batch * 2)], batch_size=batch)  # warm-up
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < min_seconds:
        det.decision_function(X, batch_size=batch)
        done += len(X)
    return done / (time.perf_counter() - start)


def peak_rss_streaming(rows: int, workdir: Path) -> dict:
    """Fit a small NSL-KDD-sized model, write a CSV of `rows` rows, stream-score it via the CLI."""
    rng = np.random.default_rng(0)
    det = ganad.get_detector(
        "da3d", preset="kdd", epochs=1, batch_size=64, random_state=0, device="cpu"
    )
    det.fit(rng.uniform(size=(256, 126)).astype(np.float32))
    model = workdir / "model"
    det.save(model)
    csv = workdir / "big.csv"
    chunk = 100_000
    with csv.open("w") as fh:
        fh.write(",".join(f"f{i}" for i in range(126)) + "\n")
        for start in range(0, rows, chunk):
            block = rng.uniform(size=(min(chunk, rows - start), 126)).astype(np.float32)
            np.savetxt(fh, block, fmt="%.5f", delimiter=",")
    out = workdir / "scores.csv"
    cmd = [
        sys.executable,
        "-m",
        "ganad.cli",
        "score",
        str(model),
        str(csv),
        "--out",
        str(out),
        "--quiet",
    ]
    proc = subprocess.Popen(cmd)
    peak = 0
    status = Path(f"/proc/{proc.pid}/status")
    started = time.perf_counter()
    while proc.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) * 1024)
        except FileNotFoundError:
            break
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "csv_bytes": csv.stat().st_size,
        "exit_code": proc.returncode,
        "peak_rss_mb": peak / 2**20,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
    }


def roofline(det, shape: tuple[int, ...], batch: int) -> dict:
    """Bare-matmul bound of scoring `batch` rows: samples/s and the FLOPs per sample."""
    X = np.random.default_rng(2).uniform(size=(batch, *shape)).astype(np.float32)
    calls = record_matmuls(lambda: det.decision_function(X, batch_size=batch))
    seconds = replay_seconds(calls, repeats=5 if batch > 1 else 50)
    flops = matmul_flops(calls)
    return {
        "roofline_samples_per_s": batch / seconds,
        "flops_per_sample": None if flops is None else flops / batch,
    }


def measure(
    threads: int, device: str, presets: list[str] | None = None, batches=(1, 256, 8192)
) -> list[dict]:
    torch.set_num_threads(threads)
    rows = []
    for preset in presets or list(SHAPES):
        shape = SHAPES[preset]
        det = fitted_untrained(preset, shape, device)
        for batch in batches:
            row = {"preset": preset, "threads": threads, "batch": batch}
            row["samples_per_s"] = throughput(det, shape, batch)
            row.update(roofline(det, shape, batch))
            if row["flops_per_sample"]:
                row["gflops"] = row["samples_per_s"] * row["flops_per_sample"] / 1e9
                row["roofline_gflops"] = (
                    row["roofline_samples_per_s"] * row["flops_per_sample"] / 1e9
                )
            rows.append(row)
    return rows


def markdown(rows: list[dict]) -> str:
    lines = [
        "| preset | threads | batch | samples/s | roofline samples/s | ratio | GFLOP/s | roofline GFLOP/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ratio = r["roofline_samples_per_s"] / r["samples_per_s"]
        gf = f"{r['gflops']:.1f}" if "gflops" in r else "-"
        rgf = f"{r['roofline_gflops']:.1f}" if "roofline_gflops" in r else "-"
        lines.append(
            f"| {r['preset']} | {r['threads']} | {r['batch']} | {r['samples_per_s']:,.0f} "
            f"| {r['roofline_samples_per_s']:,.0f} | {ratio:.2f}x | {gf} | {rgf} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, nargs="+", default=[1])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-stream", action="store_true")
    parser.add_argument("--presets", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    parser.add_argument("--batches", nargs="+", type=int, default=[1, 256, 8192])
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    rows = [
        row
        for threads in args.threads
        for row in measure(threads, args.device, args.presets, tuple(args.batches))
    ]
    print(markdown(rows))
    result = {"torch": torch.__version__, "cpu": cpu_model(), "throughput": rows}
    if not args.skip_stream:
        with tempfile.TemporaryDirectory() as tmp:
            result["streaming"] = peak_rss_streaming(args.rows, Path(tmp))
        print(json.dumps(result["streaming"]))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
