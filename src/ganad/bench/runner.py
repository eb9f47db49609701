"""Run an experiment grid: resumable, one CSV row per run, optionally in parallel processes.

`run_experiment(experiment, "results.csv", jobs=2)` expands the grid, skips runs already recorded
with status ok, skips data sets that are not present locally (logged), and appends one row per
finished run (status ok or failed with the error message). With `strict=True` the first failure
stops the grid. Each run: `ganad.data.load_split(...)` -> `get_detector(..., random_state=seed)`
-> `fit(x_train)` -> `decision_function(x_test)` -> ROC-AUC / AP (anomaly = positive class) and,
if the experiment sets `top_fraction`, precision / recall / F1 flagging that fraction of the
highest test scores (Fence GAN's KDD99 rule: top 20 %).
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import platform
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..data.table import is_data_file_name
from ..tags import get_tags
from .backends import Backend, make_backend
from .experiment import Experiment, RunSpec, canonical_json, is_adapter, load_experiment
from .metrics import ranking_metrics, top_fraction_prf
from .results import ResultsFile, artifacts_dir, checkpoints_dir, results_lock

__all__ = ["BenchSummary", "dataset_available", "run_experiment", "run_one"]

logger = logging.getLogger(__name__)


class DataUnavailable(Exception):
    """The data set of a run is not present locally (the run is skipped, not failed)."""


@dataclass
class BenchSummary:
    """What `run_experiment` did.

    Parameters
    ----------
    total : int, default 0
        Runs in the grid.
    skipped_done : int, default 0
        Runs already recorded with status ok in the results file (resumed past).
    ok : int, default 0
        Runs executed now that succeeded.
    failed : int, default 0
        Runs executed now that failed.
    skipped_missing_data : list of str, default []
        Data sets skipped because they are not present.
    stopped_early : bool, default False
        Whether the grid stopped at a failure (`strict`).
    out : str, default ""
        The results file.
    failures : list of str, default []
        One line per failed run: the run and its error.
    """

    total: int = 0
    skipped_done: int = 0
    ok: int = 0
    failed: int = 0
    skipped_missing_data: list[str] = field(default_factory=list)
    stopped_early: bool = False
    out: str = ""
    failures: list[str] = field(default_factory=list)

    @property
    def executed(self) -> int:
        return self.ok + self.failed


# -- environment -----------------------------------------------------------------------------


def _versions() -> dict[str, str]:
    import sklearn
    import torch

    from .. import __version__

    return {
        "ganad_version": __version__,
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "sklearn_version": sklearn.__version__,
        "python_version": platform.python_version(),
    }


def _device_name(device: str) -> str:
    import torch

    if device.startswith("cuda") and torch.cuda.is_available():
        idx = torch.device(device).index or 0
        return torch.cuda.get_device_name(idx)
    if device == "cpu":
        return platform.processor() or platform.machine()
    return device


def one_line(text: str, limit: int = 2000) -> str:
    text = " | ".join(part.strip() for part in str(text).splitlines() if part.strip())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- data ------------------------------------------------------------------------------------


def _data_errors() -> tuple[type[BaseException], ...]:
    from ..data._errors import DataNotFoundError

    return (DataNotFoundError,)


def dataset_available(name: str, root: str | os.PathLike[str] | None = None) -> tuple[bool, str]:
    """(present, message) for data set `name` without loading it (bundled sets: always).

    Parameters
    ----------
    name : str
        A registered data-set name or a data file path.
    root : str, path-like or None, default None
        Data root; None: the default (`GANAD_DATA`).

    Returns
    -------
    present : bool
        Whether the data set can be loaded here.
    message : str
        Why not (the missing files and how to fetch them), else "".
    """
    path = Path(name)
    if is_data_file_name(path):
        return path.is_file(), f"file {path} not found"
    from ..data import download, sources

    try:
        info = sources.get_info(name)
    except ValueError as exc:
        return False, str(exc)
    if info.bundled:
        return True, ""
    try:
        statuses = download.file_status(name, root)
    except Exception as exc:  # availability check must never break the grid
        logger.debug("file_status(%s) failed: %s; trying to load the data set", name, exc)
        return True, ""
    missing = [s for s in statuses if not s.present and not s.remote.optional]
    if missing:
        return False, "missing " + ", ".join(
            str(s.path) for s in missing
        ) + f" (get it with `ganad datasets fetch {name}`)"
    return True, ""


def _load_split(run: RunSpec):
    from .. import data

    try:
        return data.load_split(
            run.dataset_name,
            protocol=run.protocol,
            seed=run.seed,
            train_contamination=run.train_contamination,
            root=run.data_root,
            **run.data_options,
        )
    except _data_errors() as exc:
        raise DataUnavailable(str(exc)) from exc


def _find(info: Any, keys: Sequence[str]) -> Any:
    """First value of any of `keys` in a nested dict (the split info), or None."""
    if isinstance(info, dict):
        for k in keys:
            if k in info and info[k] not in (None, ""):
                return info[k]
        for v in info.values():
            found = _find(v, keys)
            if found is not None:
                return found
    return None


def dataset_variant(run: RunSpec, info: dict[str, Any]) -> str:
    """Which variant of a data set was used, e.g. Census' training file (METHODS A-17)."""
    if run.dataset_name.lower() == "census":
        train_file = _find(info, ("census_train_file", "train_file"))
        leak = _find(info, ("leakage", "test_is_train"))
        if train_file is None and leak is not None:
            train_file = "test" if leak else "data"
        if train_file is None:
            return "unknown"
        return f"train_file={train_file}" + (
            " (leaky, as published)" if str(train_file) == "test" else " (corrected)"
        )
    return ""


# -- one run ---------------------------------------------------------------------------------


def _metrics(y: np.ndarray, scores: np.ndarray, top_fraction: float | None) -> dict[str, Any]:
    out: dict[str, Any] = ranking_metrics(y, scores)
    if top_fraction is not None:
        out.update(top_fraction_prf(y, scores, top_fraction))
        out["threshold_rule"] = (
            f"top {top_fraction:.0%} of test scores flagged (anomaly = positive)"
        )
    return out


def run_columns(run: RunSpec) -> dict[str, Any]:
    """The columns that identify a run (and the environment it ran in) in its results row."""
    return {
        "experiment": run.experiment,
        "dataset": run.dataset,
        "dataset_name": run.dataset_name,
        "detector_label": run.label,
        "detector": run.detector,
        "preset": run.preset or "",
        "params_hash": run.params_hash,
        "params": canonical_json(run.params),
        "data_options": canonical_json(run.data_options),
        "seed": run.seed,
        "train_contamination": run.train_contamination,
        "protocol": run.protocol,
        "fit_on": run.fit_on,
        "device": run.device,
        "started_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        **_versions(),
    }


def run_one(
    run: RunSpec,
    *,
    artifacts: str | os.PathLike[str] | None = None,
    checkpoints: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Execute one run and return its results row (status "failed" with the error on failure).

    `checkpoints`: a folder where detectors that support it save their training state every
    epoch (`<run_id>.ckpt`); a run killed mid-training resumes from there, and the file is
    removed once the run has succeeded.

    Raises `DataUnavailable` when the data set is not present (the caller skips the run).

    Parameters
    ----------
    run : RunSpec
        The run.
    artifacts : str, path-like or None, default None
        Folder for the run's test labels and scores (`<run_id>.npz`) and history
        (`<run_id>.json`); None: not saved.
    checkpoints : str, path-like or None, default None
        Folder for the training checkpoint `<run_id>.ckpt`; None: no checkpoints.

    Returns
    -------
    dict of str to Any
        The results row (`COLUMNS`).
    """
    row = run_columns(run)
    try:
        split = _load_split(run)
        info = dict(getattr(split, "info", {}) or {})
        row["dataset_variant"] = dataset_variant(run, info)
        row["split_info"] = canonical_json(
            {k: v for k, v in info.items() if not isinstance(v, np.ndarray)}
        )
        row["n_train"] = len(split.x_train)
        y_test = np.asarray(split.y_test).astype(int)
        row["n_test"] = len(y_test)
        row["n_test_anomalous"] = int(y_test.sum())
        detector = _build_detector(run)
        resume = _checkpoint_args(detector, run, checkpoints)
        t0 = time.perf_counter()
        if run.fit_on == "test":
            # Transductive outlier detection (METHODS B-1): fit on the test data, report its scores.
            detector.fit(split.x_test, **resume)
            row["fit_seconds"] = time.perf_counter() - t0
            row["n_train"] = len(split.x_test)
            t0 = time.perf_counter()
            scores = np.asarray(detector.decision_scores_, dtype=np.float64)
        else:
            y_train = np.asarray(split.y_train) if get_tags(detector).uses_labels else None
            validation = (
                {"validation_data": _validation_pair(split)}
                if _selects_on_validation(detector)
                else {}
            )
            detector.fit(split.x_train, y_train, **resume, **validation)
            row["fit_seconds"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            scores = np.asarray(detector.decision_function(split.x_test), dtype=np.float64)
        row["score_seconds"] = time.perf_counter() - t0
        row["device"] = getattr(detector, "device_", "cpu")
        row["device_name"] = _device_name(row["device"])
        row.update(_metrics(y_test, scores, run.top_fraction))
        row["model_selection"] = _selection_summary(detector)
        row["status"] = "ok"
        if artifacts is not None:
            _save_artifacts(Path(artifacts), run, y_test, scores, detector)
        if resume:
            Path(resume["checkpoint"]).unlink(missing_ok=True)
    except DataUnavailable:
        raise
    except Exception as exc:  # a failing run is recorded, the grid goes on
        logger.debug("run %s failed:\n%s", run.describe(), traceback.format_exc())
        row["status"] = "failed"
        row["error"] = one_line(f"{type(exc).__name__}: {exc}")
    return row


def _checkpoint_args(
    detector: Any, run: RunSpec, checkpoints: str | os.PathLike[str] | None
) -> dict[str, Any]:
    """`fit` keywords that checkpoint this run every epoch, when asked and supported."""
    if checkpoints is None or not get_tags(detector).supports_checkpoint:
        return {}
    return {"checkpoint": Path(checkpoints) / f"{run.run_id}.ckpt", "checkpoint_every": 1}


def _selects_on_validation(detector: Any) -> bool:
    """Whether the detector keeps its best-validation checkpoint (e.g. FenceGAN's
    `model_selection="best_validation"`, the original code's rule), so it needs labelled
    validation data in `fit`."""
    return get_tags(detector).requires_validation_data


def _validation_pair(split: Any) -> tuple[np.ndarray, np.ndarray]:
    """The split's validation rows and labels; selection is meaningless without both classes."""
    y_val = np.asarray(split.y_val).astype(int)
    n_anomalous = int(y_val.sum())
    if n_anomalous in (0, len(y_val)):  # also true for an empty split
        raise ValueError(
            "model_selection='best_validation' needs a validation split with normal and anomalous "
            f"rows; this split has {len(y_val)} validation rows ({n_anomalous} anomalous). "
            "Give the data set a validation share, e.g. options = {val_size = 0.1}."
        )
    return split.x_val, y_val


def _selection_summary(detector: Any) -> str:
    """The results row's `model_selection` cell: "" for detectors without checkpoint selection,
    "last", or "best_validation: epoch E, validation <metric> V" (selection ON)."""
    record = getattr(detector, "selection_", None)
    if not isinstance(record, dict) or "selection" not in record:
        return ""
    if record["selection"] != "best_validation":
        return str(record["selection"])
    return (
        f"best_validation: epoch {record['epoch']}, validation "
        f"{record['validation_metric']} {float(record['validation_value']):.4f}"
    )


def _build_detector(run: RunSpec) -> Any:
    """A registered detector, or a scikit-learn / PyOD estimator behind `ganad.adapters`."""
    from .. import get_detector
    from ..adapters import get_adapter

    if is_adapter(run.detector):
        return get_adapter(run.detector, random_state=run.seed, **run.params)
    return get_detector(
        run.detector, **run.params, random_state=run.seed, device=run.device, verbose=0
    )


def _save_artifacts(
    root: Path, run: RunSpec, y: np.ndarray, scores: np.ndarray, detector: Any
) -> None:
    """Test labels and scores (`<run_id>.npz`, no pickle) and the training history (JSON)."""
    root.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        root / f"{run.run_id}.npz", y_test=y.astype(np.int8), scores=scores.astype(np.float64)
    )
    meta = {
        "dataset": run.dataset,
        "detector_label": run.label,
        "seed": run.seed,
        "train_contamination": run.train_contamination,
        "protocol": run.protocol,
        "params_hash": run.params_hash,
        "history": getattr(detector, "history_", {}),
    }
    (root / f"{run.run_id}.json").write_text(json.dumps(meta))


# -- the grid --------------------------------------------------------------------------------


def run_experiment(
    experiment: Experiment | str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    jobs: int = 1,
    strict: bool = False,
    device: str | None = None,
    data_root: str | os.PathLike[str] | None = None,
    threads: int = 1,
    save_artifacts: bool = False,
    checkpoints: bool = False,
    progress: bool = True,
    on_row: Callable[[dict[str, Any]], None] | None = None,
    backend: str | Backend = "local",
    address: str | None = None,
    cpus_per_run: float | None = None,
    gpus_per_run: float | None = None,
    max_retries: int = 2,
) -> BenchSummary:
    """Run (or resume) `experiment`, appending one row per run to the CSV `out`.

    `jobs` > 1 runs that many worker processes (each with `threads` torch threads); `device`
    overrides the experiment's device for every run; `save_artifacts` keeps each run's test
    labels/scores and training history in `<out stem>.runs/` (used by `ganad report` for curves);
    `checkpoints` saves unfinished runs' training state in `<out stem>.ckpt/` every epoch, so a
    killed grid resumes them mid-training instead of from scratch.

    `backend`: "local" (this process, or `jobs` worker processes) or "ray" (one Ray task per run
    on the cluster at `address`, else `$RAY_ADDRESS`, else a local Ray instance; each task
    reserves `cpus_per_run` CPUs, default `threads`, and `gpus_per_run` GPUs, default 1 for a
    CUDA run; a task whose worker dies is retried `max_retries` times, then recorded as failed),
    or a `Backend` object (see `ganad.bench.backends`). Only this process writes `out`, one
    fsync'd row per finished run, whatever the backend; a second driver on the same file is
    refused (`ResultsLockedError`).

    Parameters
    ----------
    experiment : Experiment, str or path-like
        The experiment, or a TOML file or preset name (`load_experiment`).
    out : str or path-like
        The results CSV; runs already recorded there with status ok are skipped.
    jobs : int, default 1
        Local worker processes (Ray: CPUs of a local instance started here).
    strict : bool, default False
        Stop at the first failed run.
    device : str or None, default None
        Device of every run; None: the experiment's.
    data_root : str, path-like or None, default None
        Data root; None: the experiment's, else the default.
    threads : int, default 1
        Torch threads per run.
    save_artifacts : bool, default False
        Keep test labels, scores and histories in `<out stem>.runs/`.
    checkpoints : bool, default False
        Checkpoint unfinished runs in `<out stem>.ckpt/` every epoch.
    progress : bool, default True
        Show a progress bar.
    on_row : callable or None, default None
        Called with each results row after it is written.
    backend : {"local", "ray"} or Backend, default "local"
        Where the runs execute (`make_backend`).
    address : str or None, default None
        Ray cluster address.
    cpus_per_run : float or None, default None
        CPUs per Ray task; None: `threads`.
    gpus_per_run : float or None, default None
        GPUs per Ray task; None: 1 for a CUDA run, else 0.
    max_retries : int, default 2
        Ray retries of a task whose worker died.

    Returns
    -------
    BenchSummary
        What was run, skipped and failed.
    """
    with results_lock(out):
        return _run_experiment(
            experiment,
            out,
            strict=strict,
            device=device,
            data_root=data_root,
            save_artifacts=save_artifacts,
            checkpoints=checkpoints,
            progress=progress,
            on_row=on_row,
            executor=make_backend(
                backend,
                jobs=jobs,
                threads=threads,
                address=address,
                cpus_per_run=cpus_per_run,
                gpus_per_run=gpus_per_run,
                max_retries=max_retries,
            ),
        )


def _pending_runs(
    all_runs: list[RunSpec], results: ResultsFile, summary: BenchSummary
) -> list[RunSpec]:
    """The runs not yet in the results file (a rerun resumes where the last one stopped)."""
    done = results.completed()
    pending = [r for r in all_runs if r.key not in done]
    summary.skipped_done = len(all_runs) - len(pending)
    if summary.skipped_done:
        logger.info(
            "%d of %d runs already in %s; resuming with the other %d.",
            summary.skipped_done,
            len(all_runs),
            summary.out,
            len(pending),
        )
    return pending


def _skip_missing(summary: BenchSummary, present: dict[str, bool], name: str, why: Any) -> None:
    """Record once that data set `name` is absent: its runs are skipped (logged), not failed."""
    present[name] = False
    if name not in summary.skipped_missing_data:
        logger.warning("data set %r is not present locally; skipping its runs (%s).", name, why)
        summary.skipped_missing_data.append(name)


def _runs_with_data(
    pending: list[RunSpec], summary: BenchSummary
) -> tuple[list[RunSpec], dict[str, bool]]:
    """The pending runs whose data set is present here, and the presence of each data set."""
    present: dict[str, bool] = {}
    for run in pending:
        if run.dataset_name not in present:
            ok, why = dataset_available(run.dataset_name, run.data_root)
            present[run.dataset_name] = ok
            if not ok:
                _skip_missing(summary, present, run.dataset_name, why)
    return [r for r in pending if present[r.dataset_name]], present


class _RunRecorder:
    """Appends each finished run to the results file and the summary; says when to stop."""

    def __init__(
        self,
        results: ResultsFile,
        summary: BenchSummary,
        present: dict[str, bool],
        bar: Any,
        *,
        strict: bool,
        on_row: Callable[[dict[str, Any]], None] | None,
    ):
        self.results = results
        self.summary = summary
        self.present = present
        self.bar = bar
        self.strict = strict
        self.on_row = on_row

    def __call__(self, run: RunSpec, kind: str, payload: Any) -> bool:
        """Record one outcome; False when the grid must stop (a failure under `strict`)."""
        self.bar.update(1)
        if kind == "missing":
            _skip_missing(self.summary, self.present, run.dataset_name, payload)
            return True
        row = payload
        self.results.append(row)
        if self.on_row is not None:
            self.on_row(row)
        if row["status"] == "ok":
            self.summary.ok += 1
            self.bar.set_postfix_str(
                f"{run.dataset}/{run.label} AUC {row['roc_auc']:.3f}", refresh=False
            )
            logger.info(
                "%s: ROC-AUC %.4f, AP %.4f, fit %.1f s",
                run.describe(),
                row["roc_auc"],
                row["average_precision"],
                row["fit_seconds"],
            )
            return True
        self.summary.failed += 1
        self.summary.failures.append(f"{run.describe()}: {row['error']}")
        logger.error("run %s failed: %s", run.describe(), row["error"])
        return not self.strict


def _run_experiment(
    experiment: Experiment | str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    strict: bool,
    device: str | None,
    data_root: str | os.PathLike[str] | None,
    save_artifacts: bool,
    checkpoints: bool,
    progress: bool,
    on_row: Callable[[dict[str, Any]], None] | None,
    executor: Backend,
) -> BenchSummary:
    from tqdm.auto import tqdm

    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    results = ResultsFile(out)
    # Absolute paths: runs may execute in other processes or on other machines (Ray).
    root = None if data_root is None else str(Path(data_root).resolve())
    all_runs = exp.runs(device=device, data_root=root)
    summary = BenchSummary(total=len(all_runs), out=str(out))
    pending, present = _runs_with_data(_pending_runs(all_runs, results, summary), summary)
    outputs = {
        "artifacts": str(artifacts_dir(out).resolve()) if save_artifacts else None,
        "checkpoints": str(checkpoints_dir(out).resolve()) if checkpoints else None,
    }
    bar = tqdm(total=len(pending), desc=f"bench {exp.name}", unit="run", disable=not progress)
    record = _RunRecorder(results, summary, present, bar, strict=strict, on_row=on_row)
    outcomes = executor.execute(pending, outputs)
    try:
        for run, kind, payload in outcomes:
            if not record(run, kind, payload):
                summary.stopped_early = True
                break
    finally:
        # Stopped early or interrupted (Ctrl-C, SIGTERM): the backend cancels what is left.
        outcomes.close()
        bar.close()
    return summary
