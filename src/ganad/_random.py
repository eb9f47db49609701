"""Seeding that never touches the caller's global random state."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np
import torch

__all__ = ["resolve_seed", "seeded"]


def resolve_seed(random_state: int | None) -> int:
    """An explicit seed, or a fresh one drawn from OS entropy when `random_state` is None."""
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    return int(random_state)


@contextlib.contextmanager
def seeded(seed: int, device: torch.device) -> Iterator[np.random.Generator]:
    """Seed torch inside a forked RNG state and yield a private NumPy generator.

    Torch layers (dropout, init) draw from the global torch RNG, so the state is forked: on exit
    the caller's CPU (and CUDA) RNG state is restored exactly. NumPy randomness goes through the
    yielded `Generator` only, never `np.random.*`.
    """
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices, enabled=True):
        # The CPU generator (what torch.manual_seed seeds first, so the same stream) and the
        # device in use, not every accelerator: torch.manual_seed also queues a lazy seeding of
        # all CUDA/XPU/MTIA devices, recording a stack trace each time (0.6 ms of every
        # scoring call on a CPU-only machine), and would change RNG states fork_rng does not
        # restore.
        torch.default_generator.manual_seed(seed)
        if devices:
            with torch.cuda.device(devices[0]):
                torch.cuda.manual_seed(seed)
        elif device.type == "mps":
            torch.mps.manual_seed(seed)
        yield np.random.default_rng(seed)
