"""Writing the model directory `ganad fit` (and `ganad demo`) leave behind; `load_model_dir` in
`ganad.bench.pipeline` reads it back."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["save_model_dir"]


def save_model_dir(
    out: str | os.PathLike[str], detector: Any, pre: Any, fit_info: dict[str, Any]
) -> None:
    """The model artefact `ganad.load` reads back as one pipeline (detector + preprocessing,
    the ID and dropped columns), with the fit summary, swapped in as one directory."""
    from ..pipeline import AnomalyPipeline
    from .pipeline import FIT_INFO

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
