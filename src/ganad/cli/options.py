"""Command-line values turned into library arguments: `--set`/`--option` assignments, comma
lists, `--threads`, the data options of `fit`/`score`, and the model directory to load."""

from __future__ import annotations

import argparse
import ast
import json
from collections.abc import Sequence
from typing import Any

from .errors import UsageError

__all__ = [
    "data_options",
    "is_table",
    "load_model",
    "parse_assignments",
    "parse_value",
    "split_list",
    "threads_param",
]


def parse_value(text: str) -> Any:
    """A `--set` value: JSON, else a Python literal, else the string itself; lists become tuples.

    Parameters
    ----------
    text : str
        The value as typed, e.g. "50", "[64, 32]", "none" or "relu".

    Returns
    -------
    Any
        The parsed value (nested lists as tuples).
    """
    for parser in (json.loads, ast.literal_eval):
        try:
            value = parser(text)
            break
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    else:
        value = text

    def tuples(v: Any) -> Any:
        if isinstance(v, list | tuple):
            return tuple(tuples(x) for x in v)
        return v

    return tuples(value)


def parse_assignments(items: Sequence[str] | None, what: str = "--set") -> dict[str, Any]:
    """`key=value` assignments as a dict, each value read by `parse_value`.

    Parameters
    ----------
    items : sequence of str or None
        The assignments as given; None: none.
    what : str, default "--set"
        The option's name, for the `UsageError` of an item without "=" or key.

    Returns
    -------
    dict of str to Any
        Key -> parsed value (a later assignment of a key wins).
    """
    out: dict[str, Any] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{what} expects key=value, got {item!r} (e.g. {what} epochs=50).")
        out[key.strip()] = parse_value(value.strip())
    return out


def split_list(values: Sequence[str] | None) -> list[str] | None:
    """Repeated and comma-separated values as one list (None when none were given).

    Parameters
    ----------
    values : sequence of str or None
        The option's values, each possibly "a,b,c".

    Returns
    -------
    list of str or None
        The stripped, non-empty items, or None for no values.
    """
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def threads_param(threads: int | None) -> dict[str, int]:
    """`--threads N` as the detectors' `n_jobs` (absent: their measured default).

    Parameters
    ----------
    threads : int or None
        The --threads value: a positive count, -1 for all cores; 0 raises `UsageError`.

    Returns
    -------
    dict of str to int
        {"n_jobs": threads}, or {} when not given.
    """
    if threads is None:
        return {}
    if threads == 0:
        raise UsageError("--threads must be a positive number of threads (or -1 for all cores).")
    return {"n_jobs": threads}


def is_table(data: str) -> bool:
    """Whether the data argument names a CSV/TSV/Parquet file rather than a data set.

    Parameters
    ----------
    data : str
        The data argument.

    Returns
    -------
    bool
        True for a table file name (`ganad.bench.pipeline.is_table_path`).
    """
    from ..bench.pipeline import is_table_path

    return is_table_path(data)


def data_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of `ganad.data.load_split` (and the table encoding) that the
    data arguments of `fit`/`score` spell.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed arguments: --option, --label-column, --categorical, --missing,
        --max-categories, --drop and (for `fit`) --id-column, where the command has them.

    Returns
    -------
    dict of str to Any
        The options that were given (the ID column of `fit` is added to "drop").
    """
    options = parse_assignments(getattr(args, "option", None), "--option")
    if getattr(args, "label_column", None):
        options["label_column"] = args.label_column
    categorical = getattr(args, "categorical", None)
    if categorical:
        options["categorical"] = (
            "infer"
            if categorical == "infer"
            else [c.strip() for c in categorical.split(",") if c.strip()]
        )
    if getattr(args, "missing", None):
        options["missing"] = args.missing
    if getattr(args, "max_categories", None) is not None:
        options["max_categories"] = args.max_categories
    dropped = list(split_list(getattr(args, "drop", None)) or [])
    if getattr(args, "command", None) == "fit" and args.id_column:  # not a feature
        dropped.append(args.id_column)
    if dropped:
        options["drop"] = dropped
    return options


def load_model(path: str, device: str | None):
    """(pipeline, fit info) of a model directory.

    Parameters
    ----------
    path : str
        The model directory.
    device : str or None
        Device to load onto; None: the saved setting.

    Returns
    -------
    tuple (AnomalyPipeline, dict)
        The pipeline and the fit summary (`ganad.bench.pipeline.load_model_dir`).
    """
    from ..bench.pipeline import load_model_dir

    return load_model_dir(path, device)
