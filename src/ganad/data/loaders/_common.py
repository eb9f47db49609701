"""Helpers shared by the loaders: finding files, "not found" errors, one-hot encoding."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import DataNotFoundError
from ..download import manual_instructions
from ..sources import get_info

__all__ = [
    "NA_STRINGS",
    "UCI_LICENCE",
    "UNB_LICENCE",
    "category_codes",
    "find_file",
    "not_found",
    "one_hot",
    "with_gz",
]

# pandas' default NA strings, spelled out: the DA3D loaders read CSVs with pandas defaults, and
# pinning the list keeps results independent of the installed pandas version.
NA_STRINGS: tuple[str, ...] = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
)


#: Licence texts several data sets share.
UCI_LICENCE = "CC BY 4.0 (UCI Machine Learning Repository)"
UNB_LICENCE = "UNB/CIC terms: free for research; cite the data set's paper"


def with_gz(relative: str) -> list[str]:
    """`relative` and its gzip-compressed variant (or the plain variant of a `.gz` name)."""
    if relative.endswith(".gz"):
        return [relative, relative[:-3]]
    return [relative, relative + ".gz"]


def find_file(root: Path, candidates: Iterable[str]) -> Path | None:
    """The first existing `root / candidate`, or None."""
    for rel in candidates:
        path = root / rel
        if path.is_file():
            return path
    return None


def not_found(name: str, root: Path, tried: Sequence[str], extra: str = "") -> DataNotFoundError:
    """The error for a data set whose files are absent: what was tried and how to get them."""
    info = get_info(name)
    tried_text = "\n".join(f"  {root / t}" for t in tried)
    if any(f.downloadable for f in info.files):
        how = (
            f"Run ganad.data.fetch({info.name!r}) (CLI: `ganad datasets fetch {info.name}`), or "
            "place the files by hand."
        )
    else:
        how = "This data set cannot be downloaded automatically (login or form)."
    alternatives = "".join(f"\n  also accepted: {a}" for a in info.alternatives)
    return DataNotFoundError(
        f"data set {info.name!r} not found under the data root {root}.\nTried:\n{tried_text}\n"
        f"{how}\n{manual_instructions(info.files, root)}{alternatives}{extra}"
    )


def category_codes(values: pd.Series, categories: Sequence[object]) -> np.ndarray:
    """Position of each value in `categories`, -1 for a value not among them (or missing)."""
    index = pd.Index(list(categories), dtype=object)
    if isinstance(values.dtype, pd.CategoricalDtype):
        lookup = index.get_indexer(pd.Index(values.cat.categories, dtype=object))
        codes = values.cat.codes.to_numpy().astype(np.int64)
        return np.where(codes >= 0, lookup[codes], -1).astype(np.int64)
    return index.get_indexer(pd.Index(values.to_numpy(dtype=object), dtype=object)).astype(np.int64)


def one_hot(
    frame: pd.DataFrame,
    numeric: Sequence[str],
    categorical: Sequence[str],
    categories: Mapping[str, Sequence[object]],
) -> tuple[np.ndarray, list[str]]:
    """Numeric columns first (in the given order), then one 0/1 block per categorical column.

    This is the layout of `pd.get_dummies(frame)`. Values outside `categories[col]` get an all-zero
    block (only possible when categories come from another file, e.g. Census' training file).
    """
    n = len(frame)
    width = len(numeric) + sum(len(categories[c]) for c in categorical)
    X = np.zeros((n, width), dtype=np.float32)
    names: list[str] = [str(c) for c in numeric]
    if numeric:
        X[:, : len(numeric)] = frame[list(numeric)].to_numpy(dtype=np.float64)
    offset = len(numeric)
    rows = np.arange(n)
    for col in categorical:
        cats = list(categories[col])
        codes = category_codes(frame[col], cats)
        seen = codes >= 0
        X[rows[seen], offset + codes[seen]] = 1.0
        names.extend(f"{col}={c}" for c in cats)
        offset += len(cats)
    return X, names
