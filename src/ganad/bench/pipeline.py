"""Input preprocessing saved beside a model, and chunked table readers (used by `ganad fit/score`).

A model trained by `ganad fit` on a named data set or a table saw *preprocessed* rows (the
protocol's MinMax scaler, a `TabularEncoder`, or images divided by 255). To score raw rows later,
that preprocessing is stored as JSON (`preprocessing.json`, no pickle) in the model directory and
re-applied chunk by chunk by `ganad score`.
"""

from __future__ import annotations

import csv
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..data.loaders._common import category_codes

__all__ = [
    "FIT_INFO",
    "PREPROCESSING_FILE",
    "Preprocessor",
    "count_rows",
    "is_table_path",
    "iter_table_chunks",
    "load_model_dir",
]

logger = logging.getLogger(__name__)

PREPROCESSING_FILE = "preprocessing.json"
#: The fit summary `ganad fit` writes beside the model (data, label column, options, metrics).
FIT_INFO = "ganad_fit.json"
_TABLE_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".parquet", ".pq")


def is_table_path(data: str) -> bool:
    """Whether `data` names a CSV/TSV/Parquet file (rather than a registered data set)."""
    return str(data).lower().endswith(_TABLE_SUFFIXES)


def _is_parquet(path: Path) -> bool:
    return path.name.lower().endswith((".parquet", ".pq"))


def _sep(path: Path) -> str:
    return "\t" if path.name.lower().endswith((".tsv", ".tsv.gz")) else ","


def iter_table_chunks(
    path: str | os.PathLike[str], chunk_size: int = 65536
) -> Iterator[pd.DataFrame]:
    """Yield a CSV/TSV (optionally .gz) or Parquet file as DataFrames of at most `chunk_size` rows.

    Memory stays bounded by the chunk size: pandas' `read_csv(chunksize=...)` for text, pyarrow's
    `ParquetFile.iter_batches` for Parquet.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file.")
    if _is_parquet(path):
        try:
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise ImportError(
                f"reading {path} needs pyarrow: pip install 'ganad[parquet]' (or pip install "
                "pyarrow)."
            ) from exc
        pf = pq.ParquetFile(path)
        for batch in pf.iter_batches(batch_size=chunk_size):
            yield batch.to_pandas()
        return
    from ..exceptions import DataFormatError

    encoding = _text_encoding(path)
    try:
        with pd.read_csv(
            path,
            sep=_sep(path),
            chunksize=chunk_size,
            na_values=["?", "NA", "NaN", "nan", ""],
            encoding=encoding,
        ) as reader:
            yield from reader
    except pd.errors.EmptyDataError as exc:
        raise DataFormatError(f"{path}: the file holds no data.") from exc
    except UnicodeDecodeError as exc:
        raise DataFormatError(
            f"{path}: not {encoding.upper()} text ({exc.reason} at byte {exc.start}); binary "
            "data, or another encoding: convert it, e.g. `iconv -f latin1 -t utf-8`."
        ) from exc
    except (pd.errors.ParserError, csv.Error) as exc:
        raise DataFormatError(f"{path}: cannot be parsed as delimited text ({exc}).") from exc


def _text_encoding(path: Path) -> str:
    """ "utf-16"/"utf-32" when the (possibly gzip-compressed) file starts with that byte-order
    mark, else "utf-8" (pandas then reads the file as such)."""
    import codecs
    import gzip

    from ..data._io import bom_encoding

    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            head = fh.read(4)
    except OSError:
        return "utf-8"
    return bom_encoding(head) or ("utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8")


def count_rows(path: str | os.PathLike[str]) -> int | None:
    """Row count for a progress bar: Parquet metadata, or a fast line count for plain text."""
    path = Path(path)
    try:
        if _is_parquet(path):
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
        if path.suffix.lower() == ".gz":
            return None
        with open(path, "rb") as fh:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
        return max(lines - 1, 0)
    except Exception:  # only for a progress bar
        return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


class Preprocessor:
    """Raw rows -> the model's input. Kinds:

    * ``identity``: numeric columns as they are (the model's own scaling does the rest);
    * ``image``: pixel values divided by 255 (``signed``: then mapped to [-1, 1]);
    * ``minmax``: scikit-learn MinMax (``x * scale + min``) fitted by the protocol on train;
    * ``table``: a fitted `ganad.data.TabularEncoder` (numeric MinMax + one-hot categories).

    `columns` are the raw feature columns in order (None: every column except the label).
    """

    def __init__(
        self,
        kind: str = "identity",
        *,
        columns: list[str] | None = None,
        input_shape: list[int] | None = None,
        state: dict[str, Any] | None = None,
    ):
        if kind not in {"identity", "image", "minmax", "table"}:
            raise ValueError(f"unknown preprocessing kind {kind!r}")
        self.kind = kind
        self.columns = columns
        self.input_shape = input_shape
        self.state = state or {}

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_split(cls, split: Any, feature_names: list[str] | None = None) -> Preprocessor:
        """The preprocessing `ganad.data.load_split` applied to `split.x_train`."""
        shape = [int(s) for s in np.asarray(split.x_train).shape[1:]]
        scaler = split.scaler
        scale = (split.info or {}).get("scale")
        if scaler is None:
            if scale in ("image", "image_signed"):
                return cls("image", input_shape=shape, state={"signed": scale == "image_signed"})
            return cls("identity", columns=feature_names, input_shape=shape)
        if type(scaler).__name__ == "TabularEncoder":
            return cls.from_encoder(scaler, input_shape=shape)
        if hasattr(scaler, "scale_") and hasattr(scaler, "min_"):
            return cls(
                "minmax",
                columns=feature_names,
                input_shape=shape,
                state={"scale": _jsonable(scaler.scale_), "min": _jsonable(scaler.min_)},
            )
        raise ValueError(
            f"cannot store preprocessing of type {type(scaler).__name__} without pickle."
        )

    @classmethod
    def from_encoder(cls, enc: Any, input_shape: list[int] | None = None) -> Preprocessor:
        state = {
            "columns": [str(c) for c in enc._columns_],
            "numeric": [str(c) for c in enc.numeric_columns_],
            "categorical": [str(c) for c in enc.categorical_columns_],
            "categories": {str(k): _jsonable(list(v)) for k, v in enc.categories_.items()},
            "medians": _jsonable(enc.medians_),
            "data_min": _jsonable(enc.data_min_),
            "data_max": _jsonable(enc.data_max_),
            "scale_numeric": bool(enc.scale_numeric),
            "missing": str(enc.missing),
            "n_out": int(enc.n_features_out_),
        }
        return cls(
            "table",
            columns=state["columns"],
            input_shape=input_shape or [state["n_out"]],
            state=state,
        )

    # -- persistence --------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "columns": self.columns,
            "input_shape": self.input_shape,
            "state": self.state,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Preprocessor:
        return cls(
            d["kind"],
            columns=d.get("columns"),
            input_shape=d.get("input_shape"),
            state=d.get("state") or {},
        )

    def save(self, model_dir: str | os.PathLike[str]) -> None:
        Path(model_dir, PREPROCESSING_FILE).write_text(json.dumps(self.to_dict(), indent=1))

    @classmethod
    def load(cls, model_dir: str | os.PathLike[str]) -> Preprocessor | None:
        path = Path(model_dir, PREPROCESSING_FILE)
        if not path.is_file():
            return None
        try:
            return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            from ..exceptions import ModelFileError

            what = f"missing key {exc}" if isinstance(exc, KeyError) else exc
            raise ModelFileError(f"{path} is corrupted: {what}") from exc

    # -- applying -----------------------------------------------------------------------------

    def select(self, frame: pd.DataFrame, label_column: str | None = None) -> pd.DataFrame:
        """The raw feature columns of `frame` in training order (named, else positional)."""
        frame = (
            frame.drop(columns=[label_column])
            if label_column and label_column in frame.columns
            else frame
        )
        if self.columns:
            missing = [c for c in self.columns if c not in frame.columns]
            if not missing:
                return frame[self.columns]
            n_expected = len(self.columns)
            if frame.shape[1] != n_expected:
                raise ValueError(
                    f"the data lacks the column(s) {missing[:10]} the model was trained on "
                    f"(expected {n_expected} feature columns, got {frame.shape[1]}: "
                    f"{list(frame.columns)[:10]})."
                )
            logger.info("feature columns do not match by name; using them by position.")
            return frame
        return frame

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Raw feature rows -> float32 model input of shape (n, *input_shape)."""
        if self.kind == "table":
            return self._table(frame)
        non_numeric = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
        if non_numeric:
            raise ValueError(
                f"non-numeric column(s) {non_numeric[:10]}; the model expects numeric features "
                "(train on a table with --categorical to one-hot encode them)."
            )
        x = frame.to_numpy(dtype=np.float64, copy=True)
        if self.kind == "minmax":
            scale, mn = np.asarray(self.state["scale"]), np.asarray(self.state["min"])
            if x.shape[1] != scale.size:
                raise ValueError(f"expected {scale.size} feature columns, got {x.shape[1]}.")
            x = x * scale + mn
        elif self.kind == "image":
            x = x / 255.0
            if self.state.get("signed"):
                x = (x - 0.5) * 2.0
        x = x.astype(np.float32)
        if self.input_shape and len(self.input_shape) > 1:
            x = x.reshape((len(x), *self.input_shape))
        return x

    @staticmethod
    def _numeric_by_column(frame: pd.DataFrame, columns: list) -> np.ndarray:
        """Numeric columns one by one, naming the first value that is not a number."""
        numeric = np.empty((len(frame), len(columns)), dtype=np.float64)
        for j, col in enumerate(columns):
            values = pd.to_numeric(frame[col], errors="coerce").to_numpy(
                dtype=np.float64, copy=True
            )
            bad = np.isnan(values) & frame[col].notna().to_numpy()
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ValueError(
                    f"column {col!r}, row {i}: {frame[col].iloc[i]!r} is not a number."
                )
            values[np.isinf(values)] = np.nan
            numeric[:, j] = values
        return numeric

    def transform_with_report(
        self, frame: pd.DataFrame
    ) -> tuple[np.ndarray, dict[str, dict[str, int]]]:
        """`transform`, plus what a table model's encoder filled in (see `table_with_report`;
        empty for the other kinds, which fill in nothing)."""
        if self.kind == "table":
            return self.table_with_report(frame)
        return self.transform(frame), {"missing": {}, "unseen": {}}

    def _table(self, frame: pd.DataFrame) -> np.ndarray:
        return self.table_with_report(frame)[0]

    def table_with_report(
        self, frame: pd.DataFrame
    ) -> tuple[np.ndarray, dict[str, dict[str, int]]]:
        """The encoded rows of a table model and what the encoder had to fill in: per column,
        values that were missing (imputed with the training median, or the "<missing>"
        category) and categories never seen in training (encoded as no category: all zeros)."""
        report: dict[str, dict[str, int]] = {"missing": {}, "unseen": {}}
        s = self.state
        out = np.zeros((len(frame), s["n_out"]), dtype=np.float32)
        block = frame[list(s["numeric"])]
        if all(
            pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
            for t in block.dtypes
        ):
            # Already numbers (the common case, and every numeric JSON request of `ganad
            # serve`): one block conversion instead of a pandas round trip per column.
            numeric = block.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
            numeric[np.isinf(numeric)] = np.nan
        else:
            numeric = self._numeric_by_column(frame, list(s["numeric"]))
        nan = np.isnan(numeric)
        if nan.any():
            for j in np.flatnonzero(nan.any(axis=0)):
                report["missing"][str(s["numeric"][j])] = int(nan[:, j].sum())
            if s["missing"] != "median":
                row, j = (int(v[0]) for v in np.nonzero(nan))
                raise ValueError(
                    f"column {s['numeric'][j]!r}, row {row}: missing value (the model was trained "
                    f"with missing='{s['missing']}')."
                )
            numeric = np.where(nan, np.asarray(s["medians"])[None, :], numeric)
        if s["scale_numeric"] and numeric.size:
            lo, hi = np.asarray(s["data_min"]), np.asarray(s["data_max"])
            span = np.where(hi - lo == 0, 1.0, hi - lo)
            numeric = (numeric - lo) / span
        out[:, : numeric.shape[1]] = numeric
        offset = numeric.shape[1]
        rows = np.arange(len(frame))
        for col in s["categorical"]:
            cats = [str(c) for c in s["categories"][col]]
            series = frame[col]
            if series.isna().any():
                if s["missing"] != "median":
                    row = int(np.flatnonzero(series.isna().to_numpy())[0])
                    raise ValueError(f"column {col!r}, row {row}: missing value.")
                report["missing"][str(col)] = int(series.isna().sum())
                series = series.astype(object).where(series.notna(), "<missing>")
            # The shared lookup (-1 for a category not seen in training); pandas deprecates
            # building a Categorical from values outside its categories.
            codes = category_codes(series.astype(str), cats)
            seen = codes >= 0
            if not seen.all():
                report["unseen"][str(col)] = int((~seen).sum())
            out[rows[seen], offset + codes[seen]] = 1.0
            offset += len(cats)
        return out, report


def load_model_dir(path: str | os.PathLike[str], device: str | None = None):
    """(detector, preprocessor, fit info) of a model directory (`ganad fit` or `det.save`):
    a model without `preprocessing.json` gets the identity preprocessor, one without a fit
    summary an empty info dict."""
    from .. import load

    root = Path(path)
    detector = load(root, device=device)
    pre = Preprocessor.load(root) or Preprocessor("identity")
    info_path = root / FIT_INFO
    info = json.loads(info_path.read_text()) if info_path.is_file() else {}
    return detector, pre, info
