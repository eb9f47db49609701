"""Seconds per epoch of the AAE and of DA3D, next to a roofline measured in the same run.

For each preset (Mammography, NSL-KDD, MNIST) this trains a few epochs of both stages and
reports the measured seconds per epoch, and the time the very same matrix products take as bare
torch calls (recorded from one real training step with a dispatch mode, replayed on random
tensors, scaled to an epoch): the arithmetic lower bound on this machine. ratio = measured /
roofline. Real data is used when the data directory has it (`--root` or $GANAD_DATA), else
random data of the preset's exact shape (timing does not depend on the values).

    python benchmarks/train_speed.py --presets mammography kdd mnist --epochs 2 --json out.json
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _roofline import record_matmuls, replay_seconds

import ganad
from ganad.nn import adam
from ganad.nn.aae import AAEStep, make_aae_optimisers

# (data-set name for ganad.data, shape of one sample, number of training normals in the paper)
SHAPES = {
    "mammography": ("mammography", (6,), 8819),
    "kdd": ("kdd", (126,), 63930),
    "mnist": ("mnist", (1, 28, 28), 29066),
}


def training_data(preset: str, root: str | None) -> tuple[np.ndarray, str]:
    name, shape, n = SHAPES[preset]
    try:
        from ganad.data import load_split

        split = load_split(name, protocol="da3d", seed=110, root=root)
        return split.x_train.astype(np.float32), "real"
    except Exception as exc:  # data set absent here: time on random data of the same shape
        print(
            f"# {preset}: {type(exc).__name__}: using random data of shape {(n, *shape)}",
            file=sys.stderr,
        )
        rng = np.random.default_rng(0)
        return rng.uniform(size=(n, *shape)).astype(np.float32), "synthetic"


def roofline_per_epoch(det, X: np.ndarray) -> dict[str, float]:
    """Bare-matmul time of one step of each stage, scaled to one epoch."""
    nets = det.networks_
    bs = det.batch_size
    x = torch.from_numpy(X[:bs]).to(det.device_)
    steps_per_epoch = math.ceil(len(X) / bs)
    enc, dec, prior = nets["encoder"], nets["decoder"], nets["prior"]
    for m in (enc, dec, prior):
        m.requires_grad_(True)
    aae_step = AAEStep(enc, dec, prior, make_aae_optimisers(enc, dec, prior, 1e-4))
    aae_calls = record_matmuls(lambda: aae_step(x))
    for m in (enc, dec, prior):
        m.eval().requires_grad_(False)
    h, a = det._encode_all(x)
    opts = {k: adam(nets[k], 1e-4) for k in ("alarm", "generator", "critic")}
    da3d_step = det._make_step(opts, None, train_generator=True)
    da3d_calls = record_matmuls(lambda: da3d_step((h, a)))
    return {
        "aae": replay_seconds(aae_calls) * steps_per_epoch,
        "da3d": replay_seconds(da3d_calls) * steps_per_epoch,
        "aae_matmuls_per_step": len(aae_calls),
        "da3d_matmuls_per_step": len(da3d_calls),
    }


def measure(preset: str, epochs: int, root: str | None, device: str) -> dict:
    X, source = training_data(preset, root)
    det = ganad.get_detector(
        "da3d", preset=preset, epochs=epochs, aae_epochs=epochs, random_state=0, device=device
    )
    started = time.perf_counter()
    det.fit(X)
    total = time.perf_counter() - started
    # Skip the first epoch of each stage (warm-up: allocator, caches, lazy init).
    aae = float(
        np.median(det.history_["aae/epoch_seconds"][1:] or det.history_["aae/epoch_seconds"])
    )
    da3d = float(
        np.median(det.history_["da3d/epoch_seconds"][1:] or det.history_["da3d/epoch_seconds"])
    )
    roof = roofline_per_epoch(det, X)
    return {
        "preset": preset,
        "data": source,
        "n_train": len(X),
        "batch_size": det.batch_size,
        "device": det.device_,
        "aae_s_per_epoch": aae,
        "da3d_s_per_epoch": da3d,
        "aae_roofline_s": roof["aae"],
        "da3d_roofline_s": roof["da3d"],
        "aae_ratio": aae / roof["aae"],
        "da3d_ratio": da3d / roof["da3d"],
        "matmuls_per_step": {
            "aae": roof["aae_matmuls_per_step"],
            "da3d": roof["da3d_matmuls_per_step"],
        },
        "fit_seconds_total": total,
    }


def markdown(rows: list[dict]) -> str:
    lines = [
        "| preset | data | n_train | batch | AAE s/epoch | roofline | ratio | DA3D s/epoch | roofline | ratio |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['preset']} | {r['data']} | {r['n_train']} | {r['batch_size']} | {r['aae_s_per_epoch']:.3f} | "
            f"{r['aae_roofline_s']:.3f} | {r['aae_ratio']:.1f}x | {r['da3d_s_per_epoch']:.3f} | "
            f"{r['da3d_roofline_s']:.3f} | {r['da3d_ratio']:.1f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--presets", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    parser.add_argument(
        "--epochs", type=int, default=3, help="epochs per stage (the first is not counted)"
    )
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch intra-op threads (default: torch's)"
    )
    parser.add_argument(
        "--root", default=None, help="data directory (default: $GANAD_DATA / cache)"
    )
    parser.add_argument("--json", default=None, help="also write the rows as JSON here")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    rows = [measure(p, args.epochs, args.root, args.device) for p in args.presets]
    meta = {
        "torch": torch.__version__,
        "ganad": ganad.__version__,
        "machine": platform.machine(),
        "threads": torch.get_num_threads(),
        "processor": platform.processor(),
    }
    print(markdown(rows))
    print(json.dumps(meta))
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
