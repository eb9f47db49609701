"""Python phases of `benchmarks/device_check.sh` (issue #22): what the machine is, the chip's
matmul ceiling, save-on-device / load-on-CPU equality, and the closing summary table.

    python benchmarks/device_check.py env --out DIR --device cuda
    python benchmarks/device_check.py ceiling --out DIR --device cuda [--size 8192]
    python benchmarks/device_check.py roundtrip --out DIR --device cuda
    python benchmarks/device_check.py summary --out DIR

Each phase writes one JSON file under DIR as soon as it has its result, so a run cut off by its
time limit keeps every phase that finished.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import cpu_flags, cpu_model

import ganad


def _write(out: Path, name: str, payload: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".{name}.tmp"
    tmp.write_text(json.dumps(payload, indent=1))
    tmp.replace(out / name)  # whole file or none, if the run is killed mid-write


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def env(out: Path, device: str) -> dict:
    info = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "ganad": ganad.__version__,
        "cpu": cpu_model(),
        "cpu_flags": cpu_flags(),
        "cuda_available": torch.cuda.is_available(),
        "device": device,
    }
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        info.update(
            gpu=props.name,
            gpu_memory_gib=round(props.total_memory / 2**30, 1),
            multiprocessors=props.multi_processor_count,
            cuda=torch.version.cuda,
            bf16=torch.cuda.is_bf16_supported(),
        )
    _write(out, "env.json", info)
    return info


def ceiling(out: Path, device: str, size: int) -> dict:
    """The chip's matmul ceiling: a large square product per dtype, best of 5 after warm-up."""
    dev = torch.device(device)
    rows = {}
    dtypes = {"float32": torch.float32, "bfloat16": torch.bfloat16}
    if dev.type == "cuda":
        dtypes["tf32"] = torch.float32
    for label, dtype in dtypes.items():
        previous = torch.backends.cuda.matmul.allow_tf32
        torch.backends.cuda.matmul.allow_tf32 = label == "tf32"
        try:
            a = torch.randn(size, size, device=dev, dtype=dtype)
            b = torch.randn(size, size, device=dev, dtype=dtype)
            a @ b
            _sync(dev)
            best = float("inf")
            for _ in range(5):
                started = time.perf_counter()
                a @ b
                _sync(dev)
                best = min(best, time.perf_counter() - started)
            rows[label] = {"size": size, "seconds": best, "tflops": 2 * size**3 / best / 1e12}
        finally:
            torch.backends.cuda.matmul.allow_tf32 = previous
    _write(out, "ceiling.json", rows)
    return rows


def roundtrip(out: Path, device: str) -> dict:
    """Fit on `device`, save, load on the CPU: the scores must agree."""
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(2000, 20)).astype(np.float32)
    rows = {}
    for name in ("da3d", "aae", "dte", "kdsm", "dte_np"):
        det = ganad.get_detector(name, preset="smoke", random_state=0, device=device).fit(X)
        with tempfile.TemporaryDirectory() as tmp:
            det.save(tmp)
            on_cpu = ganad.load(tmp, device="cpu")
        a, b = det.decision_function(X), on_cpu.decision_function(X)
        rows[name] = {
            "fit_device": det.device_,
            "max_abs_diff": float(np.max(np.abs(a - b))),
            "max_rel_diff": float(np.max(np.abs(a - b) / np.maximum(np.abs(a), 1e-12))),
        }
    _write(out, "roundtrip.json", rows)
    return rows


def _read(out: Path, name: str):
    path = out / name
    return json.loads(path.read_text()) if path.exists() else None


def summary(out: Path) -> str:
    lines = ["", "== device check summary =="]
    info = _read(out, "env.json") or {}
    lines.append(
        f"machine: {info.get('gpu', 'no GPU')} | torch {info.get('torch')} | cpu {info.get('cpu')} "
        f"({info.get('cpu_flags')})"
    )
    tests = out / "cuda_tests.txt"
    if tests.exists():
        last = [ln for ln in tests.read_text().splitlines() if ln.strip()]
        lines.append(f"CUDA tests: {last[-1] if last else 'no output'}")
    for label, row in (_read(out, "ceiling.json") or {}).items():
        lines.append(f"ceiling {label}: {row['tflops']:.1f} TFLOP/s ({row['size']}^3)")
    train = _read(out, "train_speed.json") or {}
    for r in train.get("rows", []):
        lines.append(
            f"train {r['preset']}: AAE {r['aae_s_per_epoch']:.3f} s/epoch ({r['aae_ratio']:.1f}x "
            f"roofline), DA3D {r['da3d_s_per_epoch']:.3f} s/epoch ({r['da3d_ratio']:.1f}x)"
        )
    score = _read(out, "score_speed.json") or {}
    for r in score.get("throughput", []):
        lines.append(f"score {r['preset']} batch {r['batch']}: {r['samples_per_s']:,.0f} samples/s")
    for name, r in (_read(out, "roundtrip.json") or {}).items():
        lines.append(
            f"save on {r['fit_device']} -> load on cpu, {name}: max |diff| {r['max_abs_diff']:.2e}"
        )
    results = out / "paper_runs.csv"
    if results.exists():
        with results.open(newline="") as fh:
            runs = list(csv.DictReader(fh))
        ok = [r for r in runs if r.get("status") == "ok"]
        lines.append(f"paper-length runs finished: {len(ok)} ok of {len(runs)} recorded")
    else:
        lines.append("paper-length runs: none finished")
    text = "\n".join(lines)
    (out / "summary.txt").write_text(text + "\n")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("phase", choices=["env", "ceiling", "roundtrip", "summary"])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--size", type=int, default=8192)
    args = parser.parse_args()
    if args.phase == "env":
        print(json.dumps(env(args.out, args.device)))
    elif args.phase == "ceiling":
        print(json.dumps(ceiling(args.out, args.device, args.size)))
    elif args.phase == "roundtrip":
        print(json.dumps(roundtrip(args.out, args.device)))
    else:
        print(summary(args.out))


if __name__ == "__main__":
    main()
