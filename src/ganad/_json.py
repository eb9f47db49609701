"""Python and NumPy values as JSON-able data (what ganad writes beside safetensors weights)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["jsonable"]


def jsonable(value: Any, *, default: Callable[[Any], Any] | None = None) -> Any:
    """Lists for arrays, tuples, lists and ranges; dicts with string keys; NumPy scalars as
    Python ones. Anything else stays as it is (`json.dumps` then refuses what JSON cannot hold),
    or with `default` becomes `default(value)` (e.g. `str`)."""
    if isinstance(value, np.ndarray):
        listed = value.tolist()
        return jsonable(listed, default=default) if isinstance(listed, list) else listed
    if isinstance(value, list | tuple | range):
        return [jsonable(v, default=default) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v, default=default) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    if default is None or value is None or isinstance(value, str | int | float | bool):
        return value
    return default(value)
