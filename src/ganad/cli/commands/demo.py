"""`ganad demo`: what `ganad.demo.run_demo` did, in a few lines."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..console import Console
from ..errors import EXIT_OK
from ..options import threads_param

if TYPE_CHECKING:
    from ...demo import DemoResult

__all__ = ["cmd_demo"]


def cmd_demo(args: argparse.Namespace, con: Console) -> int:
    """`ganad demo`: `ganad.demo.run_demo` into --out, then its results in a few lines.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed `ganad demo` arguments (--out, --epochs, --seed, --device, --threads).
    con : Console
        Where progress and results are printed.

    Returns
    -------
    int
        The exit code, 0.
    """
    from ...demo import run_demo

    threads = threads_param(args.threads)
    con.say(
        "ganad demo: DA3D on the bundled ODDS Mammography data (11,183 x 6, 260 malignant = "
        "anomalies)"
    )
    con.say(
        "  protocol: DA3D (METHODS §1.2; fixed 15 % test split, 5 % validation, seed "
        f"{args.seed}); "
        "preset 'mammography' (Table 1 sizes, batch 128)"
    )
    con.say(
        f"  epochs: {args.epochs} instead of the paper's 500, so it finishes in about a minute on "
        "a laptop CPU"
    )
    result = run_demo(
        args.out,
        epochs=args.epochs,
        seed=args.seed,
        device=args.device or "auto",
        n_jobs=threads.get("n_jobs"),
        verbose=0 if con.quiet else 1,
    )
    if result.figures_error is not None:
        con.say(f"  (no figures: {result.figures_error})")
    _print_result(con, result)
    return EXIT_OK


def _print_result(con: Console, result: DemoResult) -> None:
    m, rec, out = result.metrics, result.recommended, result.out
    ref_auc, ref_ap = result.paper["roc_auc"], result.paper["average_precision"]
    con.result("")
    con.result(
        f"ROC-AUC {m['roc_auc']:.4f}   AP {m['average_precision']:.4f}   "
        f"(paper, 500 epochs, 6 seeds: ROC-AUC {ref_auc}, AP {ref_ap})"
    )
    con.result(
        f"training {result.fit_seconds:.1f} s ({result.epochs} epochs, {result.device}), scoring "
        f"{result.score_seconds:.2f} s "
        f"for {result.n_test} test samples"
    )
    con.result(
        f"recommended detector `auto` ({rec['kind']}, defaults): ROC-AUC "
        f"{rec['roc_auc']:.4f}   AP {rec['average_precision']:.4f}   "
        f"training {rec['fit_seconds']:.1f} s   (`ganad fit auto data.csv`)"
    )
    con.result(
        f"model:   {result.model_dir}   (ganad.load('{result.model_dir}') or `ganad score "
        f"{result.model_dir} mammography --out s.csv`)"
    )
    con.result(f"scores:  {result.scores_path}")
    con.result(
        f"report:  {result.report}"
        + (f"  (+ {len(result.figures)} figures in {out / 'figures'})" if result.figures else "")
    )
    con.result(
        "This was a short run. The paper setting (500 epochs, 6 seeds, 0 % and 1 % contamination):"
    )
    con.result(
        "  ganad bench paper-da3d --datasets mammography --detectors DA3D,Simple,A3 --out "
        "results.csv "
        "&& ganad report results.csv --out report"
    )
