"""Model directories and chunked table readers (used by `ganad fit/score/serve`).

The preprocessing a model saw (`ganad.data.preprocessing.Preprocessor`) is stored as JSON beside
it and re-applied chunk by chunk by `ganad score`; see `ganad.pipeline` for the one estimator that
holds both.
"""

from __future__ import annotations

import csv
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..data.loaders._common import NA_STRINGS
from ..data.preprocessing import PREPROCESSING_FILE, Preprocessor
from ..data.table import PARQUET_SUFFIXES, TAB_SEPARATED_SUFFIXES, is_table_file_name

if TYPE_CHECKING:
    from ..base import BaseDetector

__all__ = [
    "FIT_INFO",
    "PREPROCESSING_FILE",
    "Preprocessor",
    "count_rows",
    "is_table_path",
    "iter_table_chunks",
    "load_model_dir",
    "save_model_dir",
]

logger = logging.getLogger(__name__)

#: The fit summary `ganad fit` writes beside the model (data, label column, options, metrics).
FIT_INFO = "ganad_fit.json"


def fitted_train_contamination(info: dict) -> float:
    """The training contamination recorded in a fit summary (`ganad_fit.json`), also under the
    key older versions wrote ("contamination"); 0 when none is recorded."""
    value = info.get("train_contamination", info.get("contamination"))
    return 0.0 if value is None else float(value)


def is_table_path(data: str) -> bool:
    """Whether `data` names a CSV/TSV/Parquet file (rather than a registered data set).

    Parameters
    ----------
    data : str
        A data argument: a file path or a data-set name (judged by the file name's suffix).

    Returns
    -------
    bool
        True for a table file name.
    """
    return is_table_file_name(data)


def _is_parquet(path: Path) -> bool:
    return path.name.lower().endswith(PARQUET_SUFFIXES)


def _sep(path: Path) -> str:
    return "\t" if path.name.lower().endswith(TAB_SEPARATED_SUFFIXES) else ","


def iter_table_chunks(
    path: str | os.PathLike[str], chunk_size: int = 65536
) -> Iterator[pd.DataFrame]:
    """Yield a CSV/TSV (optionally .gz) or Parquet file as DataFrames of at most `chunk_size` rows.

    Memory stays bounded by the chunk size: pandas' `read_csv(chunksize=...)` for text, pyarrow's
    `ParquetFile.iter_batches` for Parquet.

    Parameters
    ----------
    path : str or path-like
        The table file (Parquet needs pyarrow).
    chunk_size : int, default 65536
        Most rows per chunk.

    Yields
    ------
    pandas.DataFrame
        The next chunk of rows.
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
            # The NA strings `load_table` reads training tables with, so a value is missing
            # at scoring time exactly when it was missing in training.
            keep_default_na=False,
            na_values=list(NA_STRINGS),
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
    """Row count for a progress bar: Parquet metadata, or a fast line count for plain text.

    Parameters
    ----------
    path : str or path-like
        The table file.

    Returns
    -------
    int or None
        Data rows (lines minus the header for text), or None for gzip files and on any error.
    """
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


def load_model_dir(path: str | os.PathLike[str], device: str | None = None):
    """(pipeline, fit info) of a model directory: an `AnomalyPipeline` (a directory that `ganad
    fit` or `pipeline.save` wrote; a bare `detector.save` gets the identity preprocessing) and
    the fit summary (an empty dict when there is none).

    Parameters
    ----------
    path : str or path-like
        The model directory.
    device : str or None, default None
        Device for the detector; None: the saved setting.

    Returns
    -------
    pipe : AnomalyPipeline
        The fitted pipeline.
    info : dict of str to Any
        The fit summary (`ganad_fit.json`), or {}.
    """
    from ..persistence import load_detector
    from ..pipeline import AnomalyPipeline, is_pipeline_dir, load_pipeline

    root = Path(path)
    if is_pipeline_dir(root):
        pipe = load_pipeline(root, device=device)
    else:
        pipe = AnomalyPipeline.from_fitted(
            load_detector(root, device=device), Preprocessor("identity")
        )
    info_path = root / FIT_INFO
    info = json.loads(info_path.read_text()) if info_path.is_file() else {}
    return pipe, info


def save_model_dir(
    out: str | os.PathLike[str],
    detector: BaseDetector,
    pre: Preprocessor,
    fit_info: dict[str, Any],
) -> None:
    """The model artefact `ganad.load` reads back as one pipeline (detector + preprocessing,
    the ID and dropped columns), with the fit summary, swapped in as one directory.

    Parameters
    ----------
    out : str or path-like
        The model directory to write.
    detector : BaseDetector
        The fitted detector.
    pre : Preprocessor
        The preprocessing its training rows went through.
    fit_info : dict of str to Any
        The fit summary, written as `ganad_fit.json`; its id_column and options (drop,
        categorical, missing, max_categories) become the pipeline's parameters.
    """
    from ..pipeline import AnomalyPipeline

    options = fit_info.get("options") or {}
    id_column = fit_info.get("id_column")
    pipe = AnomalyPipeline.from_fitted(
        detector,
        pre,
        id_column=id_column,
        drop=tuple(c for c in options.get("drop", ()) if c != id_column),
        categorical=options.get("categorical"),
        missing=options.get("missing", "error"),
        max_categories=options.get("max_categories"),
    )
    pipe.save(Path(out), extra_files={FIT_INFO: json.dumps(fit_info, indent=1, default=str)})
