"""`ganad plot`: figures of a saved model on data."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..console import Console
from ..errors import EXIT_OK
from ..options import load_model

__all__ = ["cmd_plot"]


def cmd_plot(args: argparse.Namespace, con: Console) -> int:
    """`ganad plot`: the figures of a saved model on a data set's test split or a table.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed `ganad plot` arguments (model, data, --out, --kind, --root,
        --label-column, --max-rows, --device).
    con : Console
        Where the written figures are printed.

    Returns
    -------
    int
        The exit code, 0 (also when there is nothing to plot).
    """
    from ...bench.model_plots import PLOT_KINDS, make_model_plots, model_inputs

    pipe, info = load_model(args.model, args.device)
    detector = pipe.detector
    x, y = model_inputs(
        pipe,
        info,
        args.data,
        root=args.root,
        label_column=args.label_column,
        max_rows=args.max_rows,
    )
    kinds = set(PLOT_KINDS) if "all" in args.kind else set(args.kind)
    paths = make_model_plots(
        detector, x, y, Path(args.out), kinds, title=f"{detector.name} on {args.data}"
    )
    for p in paths:
        con.result(str(p))
    if not paths:
        con.result(
            "nothing to plot for this model/data (e.g. no labels for ROC, not DA3D for the latent "
            "space)."
        )
    return EXIT_OK
