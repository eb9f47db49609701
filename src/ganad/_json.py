"""Python and NumPy values as JSON-able data (what ganad writes beside safetensors weights)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["jsonable"]


def jsonable(value: Any) -> Any:
    """Lists for arrays, tuples and lists; dicts with string keys; NumPy scalars as Python ones;
    everything else as it is (`json.dumps` then refuses what JSON cannot hold)."""
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value
