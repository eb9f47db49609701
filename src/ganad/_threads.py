"""Torch CPU thread counts for one fit or one scoring call, restored afterwards.

Torch's default (one intra-op thread per core) is a poor fit for ganad's small tabular networks:
their mini-batch steps are dozens of tiny kernels whose cost is dispatch and thread wake-up, not
arithmetic, so extra threads only add synchronisation — and on a machine with other work running
they oversubscribe the cores. `benchmarks/thread_speed.py` measures it
(docs/results/speed/threads.md); `resolve_threads` encodes what it found.

Like the RNG, the caller's settings are never changed: `limited_threads` sets the count for the
duration of a call and restores the previous one, also when the call raises. Torch's thread
count is process-wide, so calls from several Python threads at once share it (the serving app
scores one request at a time for this reason).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator

import torch

__all__ = ["available_cores", "busy_cores", "limited_threads", "resolve_threads"]

#: Multiply-adds per forward pass of one batch from which a second thread pays off on an idle
#: CPU. Measured with benchmarks/thread_speed.py (docs/results/speed/threads.md): DA3D's
#: Mammography training batches (2.3 M) are faster on one thread even when idle (0.36 s vs
#: 0.60 s per AAE epoch), its scoring slices (144 M) and the NSL-KDD and MNIST presets' batches
#: (0.56 G, 5.9 G) gain from a second idle core.
PARALLEL_WORK = 50_000_000


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS reports it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def _running_tasks() -> int | None:
    try:
        with open("/proc/loadavg", encoding="ascii") as fh:
            return int(fh.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return None


_BUSY_CACHE_SECONDS = 1.0
_busy_cache: tuple[float, int] | None = None


def busy_cores(samples: int = 3, interval: float = 0.005) -> int:
    """Runnable tasks of other processes (Linux `/proc/loadavg`, which counts this one too): the
    least of a few readings milliseconds apart, so a short-lived process (a shell command) does
    not count as load. 0 where the OS does not say. Read at most once a second (the readings
    take 10 ms, too much for every call of a scoring service)."""
    global _busy_cache
    now = time.monotonic()
    if _busy_cache is not None and now - _busy_cache[0] < _BUSY_CACHE_SECONDS:
        return _busy_cache[1]
    busy = _read_busy_cores(samples, interval)
    _busy_cache = (now, busy)
    return busy


def _read_busy_cores(samples: int, interval: float) -> int:
    readings = []
    for i in range(samples):
        if i:
            time.sleep(interval)
        running = _running_tasks()
        if running is None:
            return 0
        readings.append(running)
    return max(0, min(readings) - 1)


def resolve_threads(n_jobs: int | None, work: float, *, load_aware: bool = True) -> int:
    """The thread count for a call: `n_jobs` as scikit-learn reads it (k > 0: k threads; -1: all
    cores, -2: all but one, ...), or for `n_jobs=None` one thread when `work` (multiply-adds of
    one batch's forward pass) is below `PARALLEL_WORK`, else the cores that are idle when the
    call starts (at least one; `load_aware=False`: every core, so the count, and with it the
    float rounding of a fit, does not depend on the machine's load). A thread on a core that
    another process keeps busy makes every step wait for it: 2-5x slower on the benchmark. `None` never exceeds the caller's current
    torch setting (so `torch.set_num_threads(1)` or `OMP_NUM_THREADS=1` is respected)."""
    cores = available_cores()
    if n_jobs is None:
        wanted = 1 if work < PARALLEL_WORK else cores - (busy_cores() if load_aware else 0)
        return max(1, min(wanted, torch.get_num_threads()))
    if n_jobs > 0:
        return int(n_jobs)
    return max(1, cores + 1 + int(n_jobs))


@contextlib.contextmanager
def limited_threads(n_threads: int) -> Iterator[int]:
    """Run the body with `n_threads` torch intra-op threads, then restore the caller's count."""
    previous = torch.get_num_threads()
    if n_threads != previous:
        torch.set_num_threads(n_threads)
    try:
        yield n_threads
    finally:
        if torch.get_num_threads() != previous:
            torch.set_num_threads(previous)
