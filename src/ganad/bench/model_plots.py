"""The figures of one fitted model on data (what `ganad plot` and `ganad demo` draw), from the
plot functions of `ganad.bench.plots`, and the model inputs of the data they are drawn on."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..tags import get_tags

if TYPE_CHECKING:
    from ..base import BaseDetector
    from ..pipeline import AnomalyPipeline

__all__ = ["PLOT_KINDS", "make_model_plots", "model_inputs"]

#: What `make_model_plots` can draw.
PLOT_KINDS = ("roc", "hist", "history", "latent", "samples")


def make_model_plots(
    detector: BaseDetector,
    x: np.ndarray,
    y: np.ndarray | None,
    out_dir: Path,
    kinds: set[str],
    title: str = "",
) -> list[Path]:
    """The figures of one fitted model on data `x` (model inputs) with optional labels `y`.

    A figure whose requirements are not met is skipped: "roc" needs labels of both classes,
    "history" a training history, "latent" a detector that samples anomalous codes, "samples"
    an image model with a decoder.

    Parameters
    ----------
    detector : BaseDetector
        The fitted detector.
    x : ndarray
        Model inputs (already encoded), shaped like the detector's training data.
    y : ndarray of shape (n_samples,) or None
        0/1 labels of `x`, or None.
    out_dir : pathlib.Path
        Directory the PNG files are written to.
    kinds : set of str
        Figures to draw, from `PLOT_KINDS`: "roc", "hist", "history", "latent", "samples".
    title : str, default ""
        Title of the figures.

    Returns
    -------
    list of pathlib.Path
        The figures written.
    """
    from . import plots

    out: list[Path] = []
    scores = detector.decision_function(x) if {"roc", "hist"} & kinds else None
    if "roc" in kinds and scores is not None and y is not None and len(np.unique(y)) == 2:
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
    pipe: AnomalyPipeline,
    info: dict[str, Any],
    data: str | os.PathLike[str],
    *,
    root: str | None = None,
    label_column: str | None = None,
    max_rows: int = 50000,
) -> tuple[np.ndarray, np.ndarray | None]:
    """(model inputs, labels or None) of `data` for the plots of a saved model (`pipe` and its
    fit summary `info`): a data set's test split under the fit's protocol, seed and
    contamination, or the first `max_rows` rows of a table through the pipeline's encoding.

    Parameters
    ----------
    pipe : AnomalyPipeline
        The saved model's pipeline.
    info : dict of str to Any
        The model's fit summary (protocol, seed, options, label_column, ...).
    data : str or path-like
        A data-set name (its test split is used) or a CSV/Parquet table.
    root : str or None, default None
        Data root for a data-set name; None: the default.
    label_column : str or None, default None
        A table's label column; None: the fit summary's.
    max_rows : int, default 50000
        Most table rows read.

    Returns
    -------
    x : ndarray
        Model inputs.
    y : ndarray or None
        0/1 labels, or None when there are none (or not all 0/1).
    """
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
    xs: list[np.ndarray] = []
    ys: list[np.ndarray | None] = []
    n = 0
    for chunk in iter_table_chunks(data, 65536):
        xs.append(pipe.transform(chunk.drop(columns=[c for c in [label_column] if c in chunk])))
        if label_column and label_column in chunk.columns:
            ys.append(binary_labels(chunk[label_column].to_numpy()))
        n += len(chunk)
        if n >= max_rows:
            break
    labels = [v for v in ys if v is not None]
    y = np.concatenate(labels) if ys and len(labels) == len(ys) else None
    return np.concatenate(xs)[:max_rows], None if y is None else y[:max_rows]
