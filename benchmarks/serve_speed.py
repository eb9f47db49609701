"""Latency and throughput of `ganad serve` (issue #20): p50/p99 latency and rows/s at batch 1
and batch 1,000 from concurrent clients over loopback HTTP, and the server's RSS before/after.

The model is a `ganad fit` of the recommended detector (`auto`) on a 20-column synthetic table of
5,000 rows; the server runs in a subprocess with one worker.

    python benchmarks/serve_speed.py --json docs/results/serving/serve_speed.json
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import cpu_flags, cpu_model

from ganad.cli import main as ganad_main


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _post(url: str, body: bytes) -> float:
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as resp:
        resp.read()
        if resp.status != 200:
            raise RuntimeError(f"status {resp.status}")
    return time.perf_counter() - started


def load(url: str, rows: np.ndarray, batch: int, requests: int, clients: int) -> dict:
    body = json.dumps({"rows": rows[:batch].tolist()}).encode()
    for _ in range(5):
        _post(url, body)  # warm-up
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        latencies = list(pool.map(lambda _: _post(url, body), range(requests)))
    wall = time.perf_counter() - started
    ms = np.asarray(latencies) * 1e3
    return {
        "batch": batch,
        "clients": clients,
        "requests": requests,
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
        "requests_per_s": requests / wall,
        "rows_per_s": requests * batch / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(5000, 20))
    with tempfile.TemporaryDirectory() as tmp:
        pd.DataFrame(rows, columns=[f"x{i}" for i in range(20)]).to_csv(f"{tmp}/t.csv", index=False)
        assert ganad_main(["fit", "auto", f"{tmp}/t.csv", "--out", f"{tmp}/m", "-q"]) == 0
        port = _free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "ganad.cli", "serve", f"{tmp}/m", "--port", str(port), "-q"]
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(url + "/health", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.1)
            rss_before = _rss_mib(proc.pid)
            results = [
                load(url + "/score", rows, 1, 2000, args.clients),
                load(url + "/score", rows, 1000, 200, args.clients),
            ]
            rss_after = _rss_mib(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    meta = {
        "cpu": cpu_model(),
        "cpu_flags": cpu_flags(),
        "rss_mib_before": rss_before,
        "rss_mib_after": rss_after,
        "detector": "auto (dte_np, 5,000 x 20)",
        "workers": 1,
    }
    print("| batch | clients | requests | p50 ms | p99 ms | requests/s | rows/s |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['batch']} | {r['clients']} | {r['requests']} | {r['p50_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['requests_per_s']:.0f} | {r['rows_per_s']:,.0f} |"
        )
    print(json.dumps(meta))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"meta": meta, "rows": results}, indent=1))


if __name__ == "__main__":
    main()
