"""The scoring service: `POST /score`, `GET /health`, `GET /metadata` (FastAPI).

One `ScoringModel` per worker process is loaded when the app is created and only read by
requests: nothing is written to disk while serving. Request bodies are JSON
(`{"rows": [...]}`, each row an object keyed by column name or an array in training column
order) or CSV (`Content-Type: text/csv`, with a header). Bad input is a 4xx with a message that
names the field, column or row; any other failure is a 500 without a traceback (logged on the
server).
"""

# No `from __future__ import annotations`: FastAPI reads the route functions' annotations at
# definition time to tell a `Request` from a query parameter.

import io
import json
import logging
import os
import threading
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_ROWS",
    "ScoringModel",
    "app_from_env",
    "create_app",
]

logger = logging.getLogger(__name__)

DEFAULT_MAX_BODY_BYTES = 16 << 20
DEFAULT_MAX_ROWS = 100_000
#: Environment of `app_from_env` (how `ganad serve --workers N` hands its options to workers).
ENV_MODEL, ENV_MAX_BODY, ENV_MAX_ROWS = (
    "GANAD_SERVE_MODEL",
    "GANAD_SERVE_MAX_BODY_BYTES",
    "GANAD_SERVE_MAX_ROWS",
)


class BadRequest(ValueError):
    """Input the service refuses, with its HTTP status (400 unparsable, 413 too large, 422
    invalid)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass
class ScoringModel:
    """A saved model directory's detector and preprocessing, ready to score raw rows.

    Parameters
    ----------
    detector : BaseDetector
        The fitted detector.
    preprocessor : Preprocessor
        The model's preprocessing of raw rows (`ganad.data.preprocessing.Preprocessor`).
    info : dict of str to Any
        The fit summary (`ganad_fit.json`; empty when there is none), e.g. its label_column.
    path : str
        The model directory.
    """

    detector: Any
    preprocessor: Any
    info: dict[str, Any]
    path: str

    @classmethod
    def load(cls, model_dir: str | os.PathLike[str]) -> "ScoringModel":
        from ..bench.pipeline import load_model_dir

        pipe, info = load_model_dir(model_dir, device="cpu")
        return cls(pipe.detector, pipe.preprocessor_, info, str(model_dir))

    @property
    def max_row_width(self) -> int:
        """Fields a request row may have: the model's columns, a label and a few IDs."""
        return len(self.columns or ()) + int(self.detector.n_features_in_) + 16

    @property
    def columns(self) -> list[str] | None:
        return list(self.preprocessor.columns) if self.preprocessor.columns else None

    def metadata(self) -> dict[str, Any]:
        """What `GET /metadata` returns: the model's detector, features and threshold.

        Returns
        -------
        dict of str to Any
            detector, ganad_version, features (None for unnamed columns), n_features,
            input_shape, threshold, contamination, fpr, threshold_source.
        """
        from .. import __version__

        return {
            "detector": self.detector.name,
            "ganad_version": __version__,
            "features": self.columns,
            "n_features": int(self.detector.n_features_in_),
            "input_shape": list(self.detector.input_shape_),
            "threshold": float(self.detector.threshold_),
            # None for a model thresholded at a false-positive rate on clean data (`fpr`).
            "contamination": (
                None if self.detector.contamination is None else float(self.detector.contamination)
            ),
            "fpr": getattr(self.detector, "fpr", None),
            "threshold_source": getattr(self.detector, "threshold_source_", "training"),
        }

    def score(self, frame: pd.DataFrame) -> dict[str, list]:
        """Scores and 0/1 labels of raw rows, in row order. Named columns must include every
        training column (extra ones are ignored); unnamed rows are taken in training order.

        Parameters
        ----------
        frame : pandas.DataFrame
            The request's rows (named columns, or a RangeIndex for rows in column order).

        Returns
        -------
        dict of str to list
            "scores" (floats) and "labels" (0/1), one per row.

        Raises
        ------
        BadRequest
            Status 422 for missing columns or input the model refuses.
        """
        named = not isinstance(frame.columns, pd.RangeIndex)
        label = self.info.get("label_column")
        if named and self.columns:
            missing = [c for c in self.columns if c not in frame.columns]
            if missing:
                extra = [str(c) for c in frame.columns if c not in self.columns and c != label]
                raise BadRequest(
                    422,
                    f"missing column(s) {missing[:10]}"
                    + (f"; unknown column(s) {extra[:10]}" if extra else "")
                    + f"; the model's columns are {self.columns[:20]}",
                )
        try:
            features = self.preprocessor.select(frame, self.info.get("label_column"))
            x = self.preprocessor.transform(features)
            scores = self.detector.decision_function(x)
        except (ValueError, TypeError, KeyError) as exc:  # input validation: names column / row
            raise BadRequest(422, str(exc).strip("'\"")) from exc
        labels = (scores > self.detector.threshold_).astype(int)
        return {"scores": scores.tolist(), "labels": labels.tolist()}


def rows_frame(body: bytes, content_type: str, model: ScoringModel, max_rows: int) -> pd.DataFrame:
    """The request's rows as a DataFrame (JSON objects or arrays, or CSV with a header)."""
    if content_type.split(";")[0].strip().lower() in ("text/csv", "application/csv"):
        try:
            frame = pd.read_csv(io.BytesIO(body))
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise BadRequest(400, f"body is not a CSV table with a header: {exc}") from exc
    else:
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, bad UTF-8, huge ints
            raise BadRequest(400, f"body is not valid JSON: {exc}") from exc
        rows = payload.get("rows") if isinstance(payload, dict) else None
        if not isinstance(rows, list) or not rows:
            raise BadRequest(422, 'field "rows" must be a non-empty list of rows')
        if len(rows) > max_rows:
            raise BadRequest(413, f"{len(rows)} rows; at most {max_rows} per request")
        _check_width(rows, model.max_row_width)
        frame = _json_rows(rows, model.columns)
    if len(frame) > max_rows:
        raise BadRequest(413, f"{len(frame)} rows; at most {max_rows} per request")
    if len(frame) == 0:
        raise BadRequest(422, "no rows to score")
    return frame


def _check_width(rows: list, limit: int) -> None:
    """Refuse rows far wider than the model's before pandas builds them (a 300,000-key row
    takes seconds to parse)."""
    for i, row in enumerate(rows):
        if isinstance(row, dict | list) and len(row) > limit:
            raise BadRequest(422, f"row {i} has {len(row)} fields; the model takes {limit} at most")


def _json_rows(rows: list, columns: list[str] | None) -> pd.DataFrame:
    if all(isinstance(r, dict) for r in rows):
        return pd.DataFrame.from_records(rows)
    if all(isinstance(r, list) for r in rows):
        widths = {len(r) for r in rows}
        if len(widths) != 1:
            raise BadRequest(422, f'rows of "rows" have different lengths {sorted(widths)[:5]}')
        width = widths.pop()
        names = columns if columns and len(columns) == width else None
        try:
            return pd.DataFrame(rows, columns=names)
        except ValueError as exc:
            raise BadRequest(422, f'"rows": {exc}') from exc
    raise BadRequest(422, 'each entry of "rows" must be an object (by column) or an array')


def create_app(
    model_dir: str | os.PathLike[str],
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
):
    """The FastAPI app serving `model_dir` (loaded once, here).

    Parameters
    ----------
    model_dir : str or path-like
        A model directory (`ganad fit`, `pipeline.save` or `detector.save`), loaded on the CPU.
    max_body_bytes : int, default DEFAULT_MAX_BODY_BYTES (16 MiB)
        Larger request bodies are refused with 413.
    max_rows : int, default DEFAULT_MAX_ROWS (100,000)
        More rows per request are refused with 413.

    Returns
    -------
    fastapi.FastAPI
        The app, with the model as `app.state.model`.
    """
    from fastapi import FastAPI, Request
    from fastapi.concurrency import run_in_threadpool
    from fastapi.responses import JSONResponse

    from .. import __version__

    model = ScoringModel.load(model_dir)
    app = FastAPI(
        title="ganad scoring service",
        version=__version__,
        description=f"Anomaly scores of a {model.detector.name} model (higher = more anomalous).",
    )

    @app.exception_handler(BadRequest)
    async def bad_request(_: Request, exc: BadRequest):
        return JSONResponse(status_code=exc.status, content={"detail": str(exc)})

    @app.exception_handler(Exception)
    async def internal(_: Request, exc: Exception):  # never a traceback in a response
        logger.exception("scoring failed")
        return JSONResponse(status_code=500, content={"detail": "internal error"})

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metadata")
    def metadata() -> dict[str, Any]:
        return model.metadata()

    lock = threading.Lock()  # torch's thread setting is process-wide: one scoring at a time

    def parse_and_score(body: bytes, content_type: str) -> dict[str, list]:
        with lock:
            return model.score(rows_frame(body, content_type, model, max_rows))

    @app.post("/score")
    async def score(request: Request):
        body = await _read_limited(request, max_body_bytes)
        # Off the event loop, so /health and the reading of other requests go on meanwhile.
        return await run_in_threadpool(
            parse_and_score, body, request.headers.get("content-type", "")
        )

    app.state.model = model
    return app


async def _read_limited(request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it passes `limit` bytes (also without a length)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BadRequest(413, f"body of {int(declared)} bytes; at most {limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadRequest(413, f"body over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def app_from_env():
    """App factory for uvicorn workers (`ganad serve --workers N`): options from the environment."""
    return create_app(
        os.environ[ENV_MODEL],
        max_body_bytes=int(os.environ.get(ENV_MAX_BODY, DEFAULT_MAX_BODY_BYTES)),
        max_rows=int(os.environ.get(ENV_MAX_ROWS, DEFAULT_MAX_ROWS)),
    )
