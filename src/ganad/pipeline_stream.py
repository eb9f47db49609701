"""Scoring and explaining a CSV/Parquet table with a fitted pipeline, chunk by chunk.

What `ganad score` and `ganad explain` do with a file: memory stays bounded by the chunk size
(`ganad.bench.pipeline.iter_table_chunks`), the CSV is written beside its destination as
`NAME.part` and renamed into place when complete, so a failed run leaves no half-written file.
Also the small in-memory variant (`write_scores`) and the labels/metrics helpers they share.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

import numpy as np
from numpy.typing import ArrayLike

from .exceptions import DataFormatError

if TYPE_CHECKING:
    from .data.table import FilledIn
    from .pipeline import AnomalyPipeline

__all__ = [
    "METRIC_ROWS",
    "MissingColumnError",
    "TableExplanation",
    "TableScores",
    "binary_labels",
    "explain_table",
    "labelled_metrics",
    "score_table",
    "write_scores",
]

#: Labelled rows of a scored table kept in memory for its ROC-AUC/AP (later chunks: not counted).
METRIC_ROWS = 10_000_000


class MissingColumnError(DataFormatError):
    """A column the caller named (the label or the ID column) is not in the table.

    Parameters
    ----------
    column : str
        The missing column's name.
    role : str
        What the column was for ("label" or "id"), for the message.
    path : str or path-like
        The table, for the message.
    columns : iterable
        The table's actual columns (the first 20 are shown).
    """

    def __init__(
        self, column: str, role: str, path: str | os.PathLike[str], columns: Iterable[Any]
    ):
        self.column = column
        self.role = role
        self.path = path
        self.columns = list(columns)
        shown = ", ".join(map(str, self.columns[:20]))
        super().__init__(f"{role} column {column!r} is not a column of {path}; columns: {shown}")


def binary_labels(values: ArrayLike) -> np.ndarray | None:
    """`values` as 0/1 integers when they are all 0 or 1 (as numbers), else None.

    Parameters
    ----------
    values : array-like
        Label values (numbers, numeric strings, booleans, ...).

    Returns
    -------
    ndarray of int or None
        The 0/1 labels, or None when a value is not a number equal to 0 or 1.
    """
    arr = np.asarray(values)
    try:
        num = arr.astype(float)
    except (TypeError, ValueError):
        return None
    if np.isin(num, (0.0, 1.0)).all():
        return num.astype(int)
    return None


def labelled_metrics(y: np.ndarray, scores: np.ndarray) -> dict[str, float] | None:
    """ROC-AUC and AP when the labels have both classes, else None (nothing to report).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        0/1 labels, 1 = anomaly.
    scores : array-like of shape (n_samples,)
        Anomaly scores, higher = more anomalous.

    Returns
    -------
    dict of str to float or None
        `ganad.bench.metrics.ranking_metrics` of the rows, or None with one class only.
    """
    from .bench.metrics import ranking_metrics

    y = np.asarray(y).astype(int)
    if len(np.unique(y)) < 2:
        return None
    return ranking_metrics(y, scores)


def write_scores(
    path: Path,
    scores: np.ndarray,
    labels: np.ndarray,
    y_true: np.ndarray | None,
    rows: np.ndarray | None = None,
) -> None:
    """A scores CSV of arrays in memory: row, score, label[, y_true].

    Parameters
    ----------
    path : pathlib.Path
        The CSV to write (parent directories are created).
    scores : ndarray of shape (n_samples,)
        Anomaly scores.
    labels : ndarray of shape (n_samples,)
        0/1 predicted labels.
    y_true : ndarray of shape (n_samples,) or None
        True labels for a y_true column; None: no such column.
    rows : ndarray of shape (n_samples,) or None, default None
        Row numbers for the row column; None: 0..n-1.
    """
    import pandas as pd

    frame = {
        "row": np.arange(len(scores)) if rows is None else rows,
        "score": scores,
        "label": labels,
    }
    if y_true is not None:
        frame["y_true"] = y_true
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(frame).to_csv(path, index=False)


@contextlib.contextmanager
def _atomic_text(out: Path) -> Iterator[TextIO]:
    """A text file written as `out.part` and renamed to `out` when the block completes."""
    tmp = out.with_name(out.name + ".part")
    try:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            yield fh
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()


def _require_column(chunk: Any, column: str | None, role: str, path: Any) -> None:
    if column and column not in chunk.columns:
        raise MissingColumnError(column, role, path, chunk.columns)


# -- score -----------------------------------------------------------------------------------


@dataclass
class TableScores:
    """What `score_table` wrote: the row count, the columns beyond row/score/label, what the
    encoder filled in, and the labels and scores kept for `metrics()` (when every row had a
    0/1 label).

    Parameters
    ----------
    n_rows : int
        Rows scored.
    threshold : float
        The detector's threshold the labels were set at.
    filled_in : FilledIn
        What the encoder imputed or did not know, per column.
    filled_in_column : bool
        Whether the CSV has a filled_in column (table models).
    y_true_column : bool
        Whether the CSV has a y_true column (the label column was present).
    y_true : ndarray or None, default None
        The 0/1 labels kept for `metrics()` (the first `METRIC_ROWS` rows).
    scores : ndarray or None, default None
        The scores of those rows.
    """

    n_rows: int
    threshold: float
    filled_in: FilledIn
    filled_in_column: bool
    y_true_column: bool
    y_true: np.ndarray | None = None
    scores: np.ndarray | None = None

    def metrics(self) -> dict[str, float] | None:
        """ROC-AUC and AP of the labelled rows (None without labels of both classes)."""
        if self.y_true is None or self.scores is None:
            return None
        return labelled_metrics(self.y_true, self.scores)


def score_table(
    pipe: AnomalyPipeline,
    data: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    chunk_size: int = 65536,
    label_column: str | None = None,
    label_required: bool = False,
    id_column: str | None = None,
    progress: bool = True,
) -> TableScores:
    """Score the table `data` with the fitted pipeline `pipe` into the CSV `out`, one chunk of
    rows at a time: [ID], row, score, label (score > threshold)[, filled_in][, y_true].

    `label_column` is not a feature: its values become `y_true` (and the metrics when they are
    0/1); a label column missing from the table is an error only with `label_required`. The ID
    column is written first, to join the scores back to the source rows. `filled_in` (table
    models) counts the values of each row the encoder imputed or did not know.

    Parameters
    ----------
    pipe : AnomalyPipeline
        A fitted pipeline.
    data : str or path-like
        The CSV (optionally gzip-compressed) or Parquet table to score.
    out : str or path-like
        The scores CSV, written as `out.part` and renamed into place when complete.
    chunk_size : int, default 65536
        Rows read and scored at a time.
    label_column : str or None, default None
        Column of true labels (not a feature), written as y_true.
    label_required : bool, default False
        Whether a missing `label_column` is an error (else the column is just left out).
    id_column : str or None, default None
        Column of row IDs, written first; it must be in the table.
    progress : bool, default True
        Show a progress bar.

    Returns
    -------
    TableScores
        What was written, with the labels and scores for `metrics()`.
    """
    from tqdm.auto import tqdm

    from .bench.pipeline import count_rows, iter_table_chunks
    from .data.table import FilledIn

    out = Path(out)
    total = count_rows(data)
    result = TableScores(
        n_rows=0,
        threshold=pipe.detector.threshold_,
        filled_in=FilledIn(),
        filled_in_column=pipe.preprocessor_.kind == "table",
        y_true_column=False,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    ys: list[np.ndarray] = []
    all_scores: list[np.ndarray] = []
    have_y = True
    bar = tqdm(total=total, desc="scoring", unit="row", disable=not progress)
    try:
        with _atomic_text(out) as fh:
            for chunk in iter_table_chunks(data, chunk_size):
                _require_column(chunk, label_column if label_required else None, "label", data)
                frame, scores, y_chunk = _scored_chunk(
                    pipe, chunk, result, data, label_column, id_column
                )
                frame.to_csv(fh, header=result.n_rows == 0, index=False)
                yb = None if y_chunk is None else binary_labels(y_chunk)
                have_y = have_y and yb is not None
                if have_y and yb is not None and result.n_rows < METRIC_ROWS:
                    ys.append(yb)
                    all_scores.append(scores)
                result.n_rows += len(chunk)
                bar.update(len(chunk))
    finally:
        bar.close()
    if have_y and ys:
        result.y_true, result.scores = np.concatenate(ys), np.concatenate(all_scores)
    return result


def _scored_chunk(
    pipe: Any,
    chunk: Any,
    result: TableScores,
    data: Any,
    label_column: str | None,
    id_column: str | None,
) -> tuple[Any, np.ndarray, np.ndarray | None]:
    """(the CSV rows of one chunk, its scores, its label values or None)."""
    import pandas as pd

    y_chunk = chunk[label_column] if label_column and label_column in chunk.columns else None
    _require_column(chunk, id_column, "id", data)
    ids = chunk[id_column].to_numpy() if id_column else None
    start = result.n_rows
    # The pipeline leaves out its ID and dropped columns; the label is not a feature.
    features = chunk.drop(columns=[c for c in (label_column, id_column) if c in chunk])
    try:
        x, filled = pipe.transform_with_report(features)
        result.filled_in.add(filled)
    except ValueError as exc:
        raise DataFormatError(f"{data}, rows {start}-{start + len(chunk) - 1}: {exc}") from None
    scores = pipe.detector.decision_function(x)
    labels = (scores > pipe.detector.threshold_).astype(int)
    frame = pd.DataFrame(
        {"row": np.arange(start, start + len(chunk)), "score": scores, "label": labels}
    )
    if ids is not None:  # joins back to the source rows
        frame.insert(0, id_column, ids)
    if result.filled_in_column:  # values of the row the encoder had to fill in
        frame["filled_in"] = filled.per_row
    if y_chunk is None:
        return frame, scores, None
    frame["y_true"] = y_chunk.to_numpy()
    result.y_true_column = True
    return frame, scores, y_chunk.to_numpy()


# -- explain ---------------------------------------------------------------------------------


@dataclass
class TableExplanation:
    """What `explain_table` wrote: the row count and what the encoder filled in.

    Parameters
    ----------
    n_rows : int
        Rows explained.
    filled_in : FilledIn
        What the encoder imputed or did not know, per column.
    """

    n_rows: int
    filled_in: FilledIn


def explain_table(
    pipe: AnomalyPipeline,
    data: str | os.PathLike[str],
    out: str | os.PathLike[str] | TextIO,
    *,
    top: int = 3,
    method: str = "auto",
    chunk_size: int = 4096,
    label_column: str | None = None,
    label_required: bool = False,
    id_column: str | None = None,
    progress: bool = True,
) -> TableExplanation:
    """Per row of the table `data`: [ID], row, score, label and the `top` features that raised
    the score most with their attributions (`AnomalyPipeline.explain_encoded`), as CSV into
    `out` (a path, written atomically, or an open text stream such as sys.stdout).

    Parameters
    ----------
    pipe : AnomalyPipeline
        A fitted pipeline.
    data : str or path-like
        The CSV (optionally gzip-compressed) or Parquet table to explain.
    out : str, path-like or text stream
        Where the CSV goes: a path (written as `out.part`, then renamed) or an object with
        `write`.
    top : int, default 3
        Features per row (feature_k, attribution_k columns).
    method : str, default "auto"
        Attribution method of `BaseDetector.explain`.
    chunk_size : int, default 4096
        Rows read and explained at a time.
    label_column : str or None, default None
        Column of true labels, left out of the features.
    label_required : bool, default False
        Whether a missing `label_column` is an error.
    id_column : str or None, default None
        Column of row IDs, written first; it must be in the table.
    progress : bool, default True
        Show a progress bar.

    Returns
    -------
    TableExplanation
        Row count and what the encoder filled in.
    """
    from tqdm.auto import tqdm

    from .bench.pipeline import count_rows, iter_table_chunks
    from .data.table import FilledIn

    chunks = iter_table_chunks(data, chunk_size)
    result = TableExplanation(0, FilledIn())
    bar = tqdm(total=count_rows(data), desc="explaining", unit="row", disable=not progress)

    def write(fh: TextIO) -> TableExplanation:
        for chunk in chunks:
            _require_column(chunk, id_column, "id", data)
            _require_column(chunk, label_column if label_required else None, "label", data)
            start = result.n_rows
            try:
                frame, filled = _explained_chunk(
                    pipe, chunk, label_column, id_column, top, method, start
                )
                result.filled_in.add(filled)
            except ValueError as exc:
                raise DataFormatError(
                    f"{data}, rows {start}-{start + len(chunk) - 1}: {exc}"
                ) from None
            frame.to_csv(fh, header=start == 0, index=False)
            result.n_rows += len(chunk)
            bar.update(len(chunk))
        return result

    try:
        if hasattr(out, "write"):  # an open text stream
            return write(cast("TextIO", out))
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        with _atomic_text(path) as fh:
            return write(fh)
    finally:
        bar.close()


def _explained_chunk(
    pipe: Any,
    chunk: Any,
    label_column: str | None,
    id_column: str | None,
    top: int,
    method: str,
    start: int,
) -> tuple[Any, Any]:
    """One chunk's explained rows ([ID], row, score, label, feature_k/attribution_k) and what
    its encoding filled in."""
    from .explain import top_features

    features = chunk.drop(columns=[c for c in (label_column, id_column) if c in chunk])
    x, filled = pipe.transform_with_report(features)  # one encoding scores and explains
    scores = pipe.detector.decision_function(x)
    attributions = pipe.explain_encoded(x, method=method)
    frame = top_features(attributions, top)
    frame.insert(0, "label", (scores > pipe.threshold_).astype(int))
    frame.insert(0, "score", scores)
    frame.insert(0, "row", np.arange(start, start + len(chunk)))
    if id_column:
        frame.insert(0, id_column, chunk[id_column].to_numpy())
    return frame, filled
