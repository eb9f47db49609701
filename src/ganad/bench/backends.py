"""Where the runs of a grid execute: this process, a local process pool, or a Ray cluster.

A backend takes the pending runs and yields `(run, kind, payload)` as each one finishes:
`("row", results_row)` or `("missing", reason)` when the data set is not present where the run
executed. Only the driver (`runner._run_experiment`) writes the results CSV, so every backend
has the same resume semantics: a finished run is one fsync'd row, an unfinished one no row.

Closing the generator (the driver stops at a failure with `strict`, or is interrupted by
Ctrl-C / SIGTERM) cancels every run still outstanding.

* `LocalBackend(jobs=1)` runs in this process; `jobs > 1` in that many spawned worker
  processes (no extra package).
* `RayBackend` submits one Ray task per run with its resources (`cpus_per_run` CPUs, which are
  also its torch threads; `gpus_per_run` GPUs, by default 1 for a run on a CUDA device and 0
  otherwise) to the cluster at `address` (else `$RAY_ADDRESS`, else a local Ray instance it
  starts and stops). A task whose worker process dies (killed, out of memory, node lost) is
  retried `max_retries` times by Ray and then recorded as failed with the reason. Tasks load
  their data set on the worker from the data root: every node needs the data (`GANAD_DATA`, or
  the same `--root` path on a shared file system), and checkpoints need a folder every worker
  can reach.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .._threads import limited_threads
from .experiment import RunSpec

__all__ = [
    "BACKENDS",
    "Backend",
    "LocalBackend",
    "Outcome",
    "RayBackend",
    "RayUnavailableError",
    "make_backend",
]

logger = logging.getLogger(__name__)

#: What a backend yields per finished run: the run, "row" or "missing", and the row or reason.
Outcome = tuple[RunSpec, str, Any]

#: Names accepted by `run_experiment(backend=...)` and `ganad bench --backend`.
BACKENDS: tuple[str, ...] = ("local", "ray")


class RayUnavailableError(ImportError):
    """`backend="ray"` without Ray installed."""


class Backend(Protocol):
    """Executes runs and yields their outcomes as they finish (any order).

    A structural protocol (`LocalBackend`, `RayBackend`, or any object with `execute`); it is
    not instantiated.

    Parameters
    ----------
    *args, **kwargs
        Not used: `typing.Protocol` classes cannot be instantiated.
    """

    def execute(
        self, runs: Sequence[RunSpec], outputs: dict[str, str | None]
    ) -> Generator[Outcome, None, None]:
        """Run `runs`; `outputs` are `run_one`'s `artifacts` / `checkpoints` folders.

        Parameters
        ----------
        runs : sequence of RunSpec
            The pending runs.
        outputs : dict of str to str or None
            Keyword arguments of `run_one`: "artifacts" and "checkpoints" folders (None: none).

        Yields
        ------
        tuple (RunSpec, str, Any)
            The run, "row" or "missing", and the results row or the reason the data is missing.
        """
        ...


def execute_run(run: RunSpec, outputs: dict[str, str | None]) -> tuple[str, Any]:
    """One run where it executes: ("row", row) or ("missing", reason)."""
    from .runner import DataUnavailable, run_one

    try:
        return "row", run_one(run, **outputs)
    except DataUnavailable as exc:
        return "missing", str(exc)


def failed_row(run: RunSpec, exc: BaseException, where: str = "worker process") -> dict[str, Any]:
    """The row of a run whose worker died (killed, out of memory) before it returned one."""
    from .runner import one_line, run_columns

    return {
        **run_columns(run),
        "status": "failed",
        "error": one_line(f"{where} failed: {type(exc).__name__}: {exc}"),
    }


# -- local: this process or a process pool ---------------------------------------------------


def _exit_with_parent() -> None:
    """End this worker process as soon as the process that spawned it is gone.

    A runner killed by SIGTERM/SIGKILL runs no cleanup, and its pool workers would otherwise
    train their current runs to the end with nobody left to write the rows.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="ganad-parent-watch", daemon=True).start()


def _init_worker(threads: int, log_level: int) -> None:
    import torch

    _exit_with_parent()
    torch.set_num_threads(max(1, threads))
    logging.basicConfig(level=log_level, format="ganad[%(process)d]: %(message)s")


@dataclass(frozen=True)
class LocalBackend:
    """`jobs` = 1: in this process; more: that many spawned processes, `threads` torch threads
    each.

    Parameters
    ----------
    jobs : int, default 1
        Worker processes; 1 (or less) runs in this process.
    threads : int, default 1
        Torch threads of each run (at least 1).
    """

    jobs: int = 1
    threads: int = 1

    def execute(
        self, runs: Sequence[RunSpec], outputs: dict[str, str | None]
    ) -> Generator[Outcome, None, None]:
        """Run `runs` here or in the process pool; closing the generator cancels the rest.

        A worker process that crashes gives a "failed" row for its run.

        Parameters
        ----------
        runs : sequence of RunSpec
            The pending runs.
        outputs : dict of str to str or None
            Keyword arguments of `run_one`: "artifacts" and "checkpoints" folders (None: none).

        Yields
        ------
        tuple (RunSpec, str, Any)
            The run, "row" or "missing", and the results row or the reason the data is missing.
        """
        if self.jobs <= 1:
            yield from self._serial(runs, outputs)
        else:
            yield from self._pool(runs, outputs)

    def _serial(
        self, runs: Sequence[RunSpec], outputs: dict[str, str | None]
    ) -> Generator[Outcome, None, None]:
        with limited_threads(max(1, self.threads)):
            for run in runs:
                kind, payload = execute_run(run, outputs)
                yield run, kind, payload

    def _pool(
        self, runs: Sequence[RunSpec], outputs: dict[str, str | None]
    ) -> Generator[Outcome, None, None]:
        ctx = multiprocessing.get_context("spawn")
        level = logging.getLogger("ganad").getEffectiveLevel()
        pool = cf.ProcessPoolExecutor(
            max_workers=self.jobs,
            mp_context=ctx,
            initializer=_init_worker,
            initargs=(self.threads, level),
        )
        futures = {pool.submit(execute_run, run, outputs): run for run in runs}
        finished = False
        try:
            for fut in cf.as_completed(futures):
                run = futures[fut]
                try:
                    kind, payload = fut.result()
                except Exception as exc:  # a crashed worker is a failed run
                    kind, payload = "row", failed_row(run, exc)
                yield run, kind, payload
            finished = True
        finally:
            # Interrupted or stopped early: drop queued runs and do not wait for running ones
            # (their workers end with this process, see `_exit_with_parent`).
            pool.shutdown(wait=finished, cancel_futures=True)


# -- Ray -------------------------------------------------------------------------------------


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise RayUnavailableError(
            "backend 'ray' needs Ray: pip install 'ganad[ray]' (or use --backend local)."
        ) from exc
    return ray


def _sigterm_handler() -> Any:
    """The current SIGTERM handler, or None where it cannot be set back (not the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.getsignal(signal.SIGTERM)


def _ray_task(
    run: RunSpec, outputs: dict[str, str | None], threads: int, log_level: int
) -> tuple[str, Any]:
    """The body of one Ray task (module level, so Ray pickles it by reference)."""
    logging.basicConfig(level=log_level, format="ganad[%(process)d]: %(message)s")
    with limited_threads(max(1, threads)):
        return execute_run(run, outputs)


@dataclass(frozen=True)
class RayBackend:
    """One Ray task per run, on the cluster at `address` (else `$RAY_ADDRESS`, else a local
    instance started here with `num_cpus` CPUs, default all).

    Parameters
    ----------
    address : str or None, default None
        Address of the Ray cluster; None: `$RAY_ADDRESS`, else a local instance.
    cpus_per_run : float > 0, default 1.0
        CPUs reserved per task; its integer part (at least 1) is the run's torch threads.
    gpus_per_run : float >= 0 or None, default None
        GPUs reserved per task; None: 1 for a run on a CUDA device, else 0.
    max_retries : int >= 0, default 2
        Times Ray retries a task whose worker died before the run is recorded as failed.
    num_cpus : int or None, default None
        CPUs of a local instance started here; None: all of them.
    """

    address: str | None = None
    cpus_per_run: float = 1.0
    gpus_per_run: float | None = None
    max_retries: int = 2
    num_cpus: int | None = None

    def __post_init__(self) -> None:
        if self.cpus_per_run <= 0:
            raise ValueError(f"cpus_per_run must be > 0, got {self.cpus_per_run}.")
        if self.gpus_per_run is not None and self.gpus_per_run < 0:
            raise ValueError(f"gpus_per_run must be >= 0, got {self.gpus_per_run}.")
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {self.max_retries}.")

    def gpus_for(self, run: RunSpec) -> float:
        """GPUs reserved for `run`: `gpus_per_run`, else 1 for a CUDA run and 0 otherwise.

        Parameters
        ----------
        run : RunSpec
            The run (its `device`).

        Returns
        -------
        float
            Number of GPUs.
        """
        if self.gpus_per_run is not None:
            return self.gpus_per_run
        return 1.0 if str(run.device).startswith("cuda") else 0.0

    def _connect(self, ray: Any) -> bool:
        """Connect (or start a local instance); True when this call started Ray."""
        if ray.is_initialized():
            return False
        address = self.address or os.environ.get("RAY_ADDRESS") or None
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
        if address is None:
            kwargs["num_cpus"] = self.num_cpus or os.cpu_count() or 1
            logger.info("starting a local Ray instance (%d CPUs)", kwargs["num_cpus"])
        else:
            logger.info("connecting to the Ray cluster at %s", address)
        # ray.init replaces the SIGTERM handler with sys.exit; keep the caller's (the CLI's turns
        # SIGTERM into KeyboardInterrupt, so outstanding tasks are cancelled).
        on_sigterm = _sigterm_handler()
        try:
            ray.init(address=address, **kwargs)
        except ConnectionError as exc:
            raise ConnectionError(
                f"could not connect to the Ray cluster at {address}: {exc}. A cluster with "
                "token authentication (Ray's default) also needs RAY_AUTH_MODE=token and its "
                "token (RAY_AUTH_TOKEN, or ~/.ray/auth_token) in this shell."
            ) from exc
        if on_sigterm is not None:
            signal.signal(signal.SIGTERM, on_sigterm)
        return True

    def execute(
        self, runs: Sequence[RunSpec], outputs: dict[str, str | None]
    ) -> Generator[Outcome, None, None]:
        """Submit one Ray task per run and yield outcomes as tasks finish.

        Closing the generator cancels the outstanding tasks; a Ray instance started here is
        shut down at the end. A task that failed beyond its retries gives a "failed" row.

        Parameters
        ----------
        runs : sequence of RunSpec
            The pending runs.
        outputs : dict of str to str or None
            Keyword arguments of `run_one`: "artifacts" and "checkpoints" folders, which every
            worker must reach.

        Yields
        ------
        tuple (RunSpec, str, Any)
            The run, "row" or "missing", and the results row or the reason the data is missing.
        """
        ray = _import_ray()
        started = self._connect(ray)
        task = ray.remote(_ray_task)
        threads = max(1, int(self.cpus_per_run))
        level = logging.getLogger("ganad").getEffectiveLevel()
        pending: dict[Any, RunSpec] = {}
        try:
            for run in runs:
                ref = task.options(
                    num_cpus=self.cpus_per_run,
                    num_gpus=self.gpus_for(run),
                    max_retries=self.max_retries,
                    retry_exceptions=False,
                    name=f"ganad:{run.run_id}",
                ).remote(run, outputs, threads, level)
                pending[ref] = run
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=1)
                for ref in ready:
                    run = pending.pop(ref)
                    yield run, *self._outcome(ray, ref, run)
        finally:
            # Stopped early or interrupted: nothing outstanding keeps running on the cluster.
            for ref in pending:
                try:
                    ray.cancel(ref, force=True)
                except Exception as exc:  # a task that just finished cannot be cancelled
                    logger.debug("could not cancel a Ray task: %s", exc)
            if started:
                ray.shutdown()

    def _outcome(self, ray: Any, ref: Any, run: RunSpec) -> tuple[str, Any]:
        try:
            return ray.get(ref)
        except ray.exceptions.RayError as exc:
            # The worker died more often than `max_retries` allows (or Ray lost the task).
            where = f"Ray task (after {self.max_retries} retries)"
            return "row", failed_row(run, exc, where=where)


def make_backend(
    backend: str | Backend = "local",
    *,
    jobs: int = 1,
    threads: int = 1,
    address: str | None = None,
    cpus_per_run: float | None = None,
    gpus_per_run: float | None = None,
    max_retries: int = 2,
) -> Backend:
    """The backend called `backend` ("local" or "ray"), or `backend` itself if it is one.

    Parameters
    ----------
    backend : {"local", "ray"} or Backend, default "local"
        Backend name, or a backend object returned as it is.
    jobs : int, default 1
        Local: worker processes. Ray: CPUs of a local instance started here when > 1.
    threads : int, default 1
        Torch threads per run (Ray: the default of `cpus_per_run`).
    address : str or None, default None
        Ray cluster address (Ray only).
    cpus_per_run : float or None, default None
        CPUs per Ray task; None: `threads`.
    gpus_per_run : float or None, default None
        GPUs per Ray task (Ray only); None: 1 for CUDA runs, else 0.
    max_retries : int, default 2
        Ray retries of a task whose worker died.

    Returns
    -------
    Backend
        A `LocalBackend` or `RayBackend`.
    """
    if not isinstance(backend, str):
        return backend
    if backend == "local":
        if address is not None or gpus_per_run is not None:
            raise ValueError("--address and --gpus-per-run need --backend ray.")
        return LocalBackend(jobs=jobs, threads=threads)
    if backend == "ray":
        cpus = float(threads if cpus_per_run is None else cpus_per_run)
        return RayBackend(
            address=address,
            cpus_per_run=cpus,
            gpus_per_run=gpus_per_run,
            max_retries=max_retries,
            num_cpus=jobs if jobs > 1 else None,
        )
    raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}.")
