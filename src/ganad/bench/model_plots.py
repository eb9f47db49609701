"""The figures of one fitted model on data (what `ganad plot` and `ganad demo` draw), from the
plot functions of `ganad.bench.plots`, and the model inputs of the data they are drawn on."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ..tags import get_tags

__all__ = ["PLOT_KINDS", "make_model_plots", "model_inputs"]

#: What `make_model_plots` can draw.
PLOT_KINDS = ("roc", "hist", "history", "latent", "samples")


def make_model_plots(
    detector: Any,
    x: np.ndarray,
    y: np.ndarray | None,
    out_dir: Path,
    kinds: set[str],
    title: str = "",
) -> list[Path]:
    """The figures of one fitted model on data `x` (model inputs) with optional labels `y`."""
    from . import plots

    out: list[Path] = []
    scores = detector.decision_function(x) if {"roc", "hist"} & kinds else None
    if "roc" in kinds and y is not None and len(np.unique(y)) == 2:
        out.append(
            plots.plot_roc_pr({detector.name: (y, scores)}, out_dir / "roc_pr.png", title=title)
        )
    if "hist" in kinds and scores is not None:
        out.append(
            plots.plot_score_histogram(
                np.zeros(len(scores)) if y is None else y,
                scores,
                out_dir / "score_histogram.png",
                title=title,
            )
        )
    if "history" in kinds and getattr(detector, "history_", None):
        out.append(
            plots.plot_history(detector.history_, out_dir / "training_loss.png", title=title)
        )
    if "latent" in kinds and get_tags(detector).samples_anomalous_codes:
        normal = x if y is None else x[np.asarray(y) == 0]
        out.append(
            plots.plot_latent(
                detector, normal, out_dir / "latent_space.png", title=title or "DA3D latent space"
            )
        )
    if (
        "samples" in kinds
        and len(getattr(detector, "input_shape_", ())) == 3
        and "decoder" in detector.networks_
    ):
        out.append(
            plots.plot_sample_grid(detector, x, out_dir / "decoded_samples.png", title=title)
        )
    return out


def model_inputs(
    pipe: Any,
    info: dict[str, Any],
    data: str | os.PathLike[str],
    *,
    root: str | None = None,
    label_column: str | None = None,
    max_rows: int = 50000,
) -> tuple[np.ndarray, np.ndarray | None]:
    """(model inputs, labels or None) of `data` for the plots of a saved model (`pipe` and its
    fit summary `info`): a data set's test split under the fit's protocol, seed and
    contamination, or the first `max_rows` rows of a table through the pipeline's encoding."""
    from .. import data as datasets
    from ..demo import DEMO_SEED
    from ..pipeline_stream import binary_labels
    from .pipeline import fitted_train_contamination, is_table_path, iter_table_chunks

    if not is_table_path(str(data)):
        options = dict(info.get("options") or {})
        split = datasets.load_split(
            data,
            protocol=info.get("protocol") or "da3d",
            seed=info.get("seed", DEMO_SEED),
            train_contamination=fitted_train_contamination(info),
            root=root,
            **options,
        )
        return split.x_test, split.y_test
    label_column = label_column or info.get("label_column")
    xs, ys, n = [], [], 0
    for chunk in iter_table_chunks(data, 65536):
        xs.append(pipe.transform(chunk.drop(columns=[c for c in [label_column] if c in chunk])))
        if label_column and label_column in chunk.columns:
            ys.append(binary_labels(chunk[label_column].to_numpy()))
        n += len(chunk)
        if n >= max_rows:
            break
    y = np.concatenate(ys) if ys and all(v is not None for v in ys) else None
    return np.concatenate(xs)[:max_rows], None if y is None else y[:max_rows]
