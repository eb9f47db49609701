"""The results CSV: one flat row per run, appended atomically (write + flush + fsync).

A run killed mid-write leaves at most a partial last line; `ResultsFile` cuts it off before
appending again, so a killed grid loses at most the run in progress.
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "COLUMNS",
    "ResultsFile",
    "ResultsLockedError",
    "checkpoints_dir",
    "read_results",
    "results_lock",
    "row_key",
]

logger = logging.getLogger(__name__)

#: Column order of a results CSV.
COLUMNS: tuple[str, ...] = (
    "experiment",
    "dataset",
    "dataset_name",
    "dataset_variant",
    "detector_label",
    "detector",
    "preset",
    "params_hash",
    "params",
    "data_options",
    "seed",
    "train_contamination",
    "protocol",
    "fit_on",
    "roc_auc",
    "average_precision",
    "precision",
    "recall",
    "f1",
    "threshold_rule",
    "fit_seconds",
    "score_seconds",
    "n_train",
    "n_test",
    "n_test_anomalous",
    "device",
    "device_name",
    "ganad_version",
    "torch_version",
    "numpy_version",
    "sklearn_version",
    "python_version",
    "started_at",
    "status",
    "error",
    "split_info",
    "model_selection",
)


#: Columns renamed since results files were first written: old name -> current name.
RENAMED_COLUMNS: dict[str, str] = {"contamination": "train_contamination"}


def _norm_contamination(value: Any) -> float:
    return round(float(value), 6)


def row_key(row: dict[str, Any]) -> tuple[str, str, str, int, float, str]:
    """A run's identity: (data set, detector label, params hash, seed, train contamination,
    protocol).

    Parameters
    ----------
    row : dict of str to Any
        A results row (values may be strings, as read from the CSV).

    Returns
    -------
    tuple (str, str, str, int, float, str)
        The key; the contamination is rounded to 6 decimals.
    """
    return (
        str(row["dataset"]),
        str(row["detector_label"]),
        str(row["params_hash"]),
        int(float(row["seed"])),
        _norm_contamination(row["train_contamination"]),
        str(row["protocol"]),
    )


def _current_names(header: list[str]) -> list[str]:
    return [RENAMED_COLUMNS.get(name, name) for name in header]


def _is_older_layout(header: list[str]) -> bool:
    """A header written by an earlier ganad: the current columns (some under their old names)
    minus some appended since."""
    current = _current_names(header)
    return (current != header and tuple(current) == COLUMNS) or (
        len(current) < len(COLUMNS) and tuple(current) == COLUMNS[: len(current)]
    )


def _format(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return str(value)


class ResultsFile:
    """Append-only results CSV with resume support.

    Parameters
    ----------
    path : str or path-like
        The results CSV (created on the first `append`).
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)

    def _repair(self) -> None:
        """Drop a partial last line left by a killed writer; check the header."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        with open(self.path, "rb+") as fh:
            data = fh.read()
            if not data.endswith(b"\n"):
                cut = data.rfind(b"\n") + 1
                logger.warning(
                    "%s: dropping an incomplete last line (%d bytes) left by an interrupted run.",
                    self.path,
                    len(data) - cut,
                )
                fh.truncate(cut)
                fh.flush()
                os.fsync(fh.fileno())
        with open(self.path, newline="", encoding="utf-8") as fh:
            header = next(csv.reader(fh), None)
        if header is not None and _is_older_layout(header):
            self._upgrade(header)
        elif header is not None and tuple(header) != COLUMNS:
            raise ValueError(
                f"{self.path} has different columns than this ganad writes "
                f"(missing: {sorted(set(COLUMNS) - set(header))}, extra: "
                f"{sorted(set(header) - set(COLUMNS))}); "
                "write to a new results file (--out)."
            )

    def _upgrade(self, header: list[str]) -> None:
        """Rewrite a file written by an older ganad (its columns are a prefix of COLUMNS) with
        the current header, new columns empty, so a resumed grid appends aligned rows. The new
        file replaces the old one atomically."""
        with open(self.path, newline="", encoding="utf-8") as fh:
            rows = [
                {RENAMED_COLUMNS.get(k, k): v for k, v in row.items()} for row in csv.DictReader(fh)
            ]
        tmp = self.path.with_name(self.path.name + ".upgrade")
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS, restval="", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        logger.info(
            "%s: rewritten with the columns of this ganad version (renamed: %s; added, empty "
            "for the %d existing rows: %s).",
            self.path,
            ", ".join(f"{a} -> {b}" for a, b in RENAMED_COLUMNS.items() if a in header) or "none",
            len(rows),
            ", ".join(COLUMNS[len(header) :]) or "none",
        )

    def completed(self) -> set[tuple]:
        """Keys of the runs already recorded with status ok."""
        self._repair()
        if not self.path.exists() or self.path.stat().st_size == 0:
            return set()
        check_records(self.path)
        done = set()
        with open(self.path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row.get("status") == "ok":
                    try:
                        done.add(row_key(row))
                    except (KeyError, ValueError):
                        continue
        return done

    def append(self, row: dict[str, Any]) -> None:
        """Append one row atomically (one write, flush, fsync); writes the header first if new.

        Parameters
        ----------
        row : dict of str to Any
            Values by column of `COLUMNS` (missing ones are written empty, None and NaN as "");
            an unknown column raises `KeyError`.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        new = not self.path.exists() or self.path.stat().st_size == 0
        if new:
            writer.writerow(COLUMNS)
        unknown = set(row) - set(COLUMNS)
        if unknown:
            raise KeyError(f"unknown result columns {sorted(unknown)}")
        writer.writerow([_format(row.get(c)) for c in COLUMNS])
        with open(self.path, "a", newline="", encoding="utf-8") as fh:
            fh.write(buf.getvalue())
            fh.flush()
            os.fsync(fh.fileno())


def _beside(results: str | os.PathLike[str], suffix: str) -> Path:
    stem = Path(results).with_suffix("")
    return stem.with_name(stem.name + suffix)


def artifacts_dir(results: str | os.PathLike[str]) -> Path:
    """Where `ganad bench --save-scores` keeps a results file's per-run scores and histories:
    `results.csv` -> `results.runs/`.

    Parameters
    ----------
    results : str or path-like
        The results CSV.

    Returns
    -------
    pathlib.Path
        The artifacts folder beside it.
    """
    return _beside(results, ".runs")


def checkpoints_dir(results: str | os.PathLike[str]) -> Path:
    """Where `ganad bench --checkpoints` keeps unfinished runs' training state:
    `results.csv` -> `results.ckpt/`.

    Parameters
    ----------
    results : str or path-like
        The results CSV.

    Returns
    -------
    pathlib.Path
        The checkpoints folder beside it.
    """
    return _beside(results, ".ckpt")


class ResultsLockedError(RuntimeError):
    """Another `ganad bench` is writing the same results file."""


@contextlib.contextmanager
def results_lock(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an advisory lock on `path` (a `.<name>.lock` file beside it) for one driver: a
    second driver on the same results file fails at once instead of duplicating every row.
    The OS releases the lock when the process dies, so a killed driver never blocks the next.
    Without `fcntl` (Windows) no lock is taken.

    Parameters
    ----------
    path : str or path-like
        The results file to lock (its folder is created).

    Yields
    ------
    None
        While the lock is held; `ResultsLockedError` when another process holds it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    lock = path.parent / f".{path.name}.lock"
    with open(lock, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise ResultsLockedError(
                f"{path} is being written by another ganad bench (lock {lock} is held); wait for "
                "it to finish, or use another --out."
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


_STATUSES = frozenset({"ok", "failed"})


def check_records(path: Path) -> None:
    """Refuse a results CSV whose records are damaged (e.g. a hand edit left an unclosed quote,
    which makes a reader swallow the following lines into one field): every record must have
    exactly the header's fields and a status of "ok" or "failed". Names file, record and line."""
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        try:
            for number, row in enumerate(reader, start=1):
                damaged = None in row or None in row.values()
                if damaged or row.get("status") not in _STATUSES:
                    raise ValueError(
                        f"{path} is damaged at record {number} (ending on line {reader.line_num}): "
                        + (
                            "wrong number of fields"
                            if damaged
                            else f"status {str(row.get('status'))[:40]!r}"
                        )
                        + "; an unclosed quote or a hand edit? Fix or delete that record, "
                        "then rerun (finished runs are skipped)."
                    )
        except csv.Error as exc:
            raise ValueError(f"{path} is damaged near line {reader.line_num}: {exc}") from exc


def read_results(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A results CSV as a DataFrame (JSON columns left as strings).

    Parameters
    ----------
    path : str or path-like
        The results CSV; a missing, damaged or foreign file raises.

    Returns
    -------
    pandas.DataFrame
        One row per run, old column names renamed to the current ones.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"results file {path} does not exist; run `ganad bench ... --out {path}` first."
        )
    if path.stat().st_size:
        check_records(path)
    try:
        df = pd.read_csv(
            path, dtype={"dataset": str, "detector_label": str, "params_hash": str, "error": str}
        )
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not a readable results CSV: {exc}") from exc
    df = df.rename(columns={a: b for a, b in RENAMED_COLUMNS.items() if b not in df.columns})
    missing = {
        "dataset",
        "detector_label",
        "seed",
        "train_contamination",
        "protocol",
        "roc_auc",
        "average_precision",
        "status",
    } - set(df.columns)
    if missing:
        raise ValueError(f"{path} is not a ganad results file (missing columns {sorted(missing)}).")
    return df
