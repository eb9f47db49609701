"""Fixtures of the data-layer unit tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest


@pytest.fixture
def tiny_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data root for miniature copies of data-set files (so the registered sizes and
    checksums are not checked)."""
    monkeypatch.setenv("GANAD_VERIFY_DATA", "0")
    root = tmp_path / "data"
    root.mkdir()
    return root


@pytest.fixture
def cifar_batches() -> dict[str, bytes]:
    """CIFAR-10 binary batches: 5 train batches of 4 records, a test batch of 4 records."""
    rng = np.random.default_rng(0)
    out = {}
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        records = []
        for k in range(4):
            label = (len(out) * 4 + k) % 10
            pixels = rng.integers(0, 256, size=3072, dtype=np.uint8)
            records.append(bytes([label]) + pixels.tobytes())
        out[name] = b"".join(records)
    return out
