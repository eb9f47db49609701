"""Shared helpers for the baseline reference runs (`baselines_*.py`): data, metrics, output.

The data come from `ganad.data.load_split` (the papers' protocols); the staged files are looked
up in `$GANAD_DATA`, else `../shared/datasets` beside the checkout.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "docs" / "results" / "baselines"

logger = logging.getLogger("baselines")


def setup(threads: int = 1) -> None:
    """One intra-op thread (shared 2-core machine) and INFO logging to stderr."""
    torch.set_num_threads(threads)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")


def data_root() -> Path:
    env = os.environ.get("GANAD_DATA")
    return Path(env) if env else REPO.parent / "shared" / "datasets"


def load_split(name: str, protocol: str, seed: int):
    """`ganad.data.load_split` with the staged data directory."""
    from ganad.data import load_split as _load_split

    return _load_split(name, protocol=protocol, seed=seed, root=data_root())


def mean_std(values: Sequence[float]) -> dict[str, float]:
    """Mean and sample standard deviation (ddof = 1, as the DA3D evaluation script)."""
    vals = [float(v) for v in values]
    return {
        "mean": statistics.fmean(vals),
        "std": statistics.stdev(vals) if len(vals) > 1 else 0.0,
        "n": len(vals),
    }


class Timer:
    """Wall-clock and process CPU seconds of a block."""

    def __enter__(self) -> Timer:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0


def environment() -> dict[str, Any]:
    import ganad

    return {
        "ganad": ganad.__version__,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "torch_threads": torch.get_num_threads(),
        "device": "cpu",
    }


def write_json(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1) + "\n")
    logger.info("wrote %s", path)
