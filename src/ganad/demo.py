"""The `ganad demo` run: DA3D on the bundled ODDS Mammography data in about a minute.

`run_demo` trains DA3D (preset 'mammography', a short run) under the DA3D protocol, saves the
model, the test scores, figures and a Markdown report under one directory, and compares the
result with the paper's Table 2 and with the recommended detector (`auto`) on the same split.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DEMO_EPOCHS", "DEMO_SEED", "DemoResult", "run_demo"]

#: Epochs of the demo's DA3D (the paper trains 500).
DEMO_EPOCHS = 25
#: The run seed of the demo (and the default seed of `ganad fit`).
DEMO_SEED = 110


@dataclass
class DemoResult:
    """What `run_demo` measured and where it wrote it.

    Parameters
    ----------
    out : pathlib.Path
        The demo's output directory.
    seed : int
        Run seed (split and training).
    epochs : int
        DA3D's training epochs.
    device : str
        Device DA3D trained on (its `device_`).
    metrics : dict of str to float
        DA3D's test "roc_auc" and "average_precision".
    paper : dict of str to Any
        The paper's DA3D on Mammography at 0 % contamination: "roc_auc", "average_precision".
    fit_seconds : float
        DA3D's training time.
    score_seconds : float
        Time to score the test split.
    n_train : int
        Training rows.
    n_test : int
        Test rows.
    n_anomalies : int
        Anomalies among the test rows.
    recommended : dict of str to Any
        The recommended detector (`auto`, defaults) on the same split: "kind", "fit_seconds"
        and its metrics.
    model_dir : pathlib.Path
        The saved model directory (`out/model`).
    scores_path : pathlib.Path
        The test scores CSV (`out/scores.csv`).
    report : pathlib.Path
        The Markdown report (`out/report.md`).
    figures : list of pathlib.Path, default []
        The figures written under `out/figures`.
    figures_error : str or None, default None
        Why there are no figures (matplotlib missing), else None.
    """

    out: Path
    seed: int
    epochs: int
    device: str
    metrics: dict[str, float]
    #: the paper's DA3D on Mammography at 0 % contamination: "roc_auc", "average_precision"
    paper: dict[str, Any]
    fit_seconds: float
    score_seconds: float
    n_train: int
    n_test: int
    n_anomalies: int
    #: the recommended detector (`auto`, defaults) on the same split: kind, fit_seconds, metrics
    recommended: dict[str, Any]
    model_dir: Path
    scores_path: Path
    report: Path
    figures: list[Path] = field(default_factory=list)
    #: why there are no figures (matplotlib missing), else None
    figures_error: str | None = None


def run_demo(
    out: str | Path,
    *,
    epochs: int = DEMO_EPOCHS,
    seed: int = DEMO_SEED,
    device: str = "auto",
    n_jobs: int | None = None,
    verbose: int = 1,
) -> DemoResult:
    """Train, score, save and report the demo under `out` (model/, scores.csv, figures/,
    report.md); `n_jobs` is the detectors' thread count (None: their measured default).

    Parameters
    ----------
    out : str or pathlib.Path
        Output directory.
    epochs : int, default DEMO_EPOCHS (25)
        DA3D's training epochs.
    seed : int, default DEMO_SEED (110)
        Run seed of the DA3D protocol split and of both detectors.
    device : str, default "auto"
        Device of both detectors ("auto", "cpu", "cuda", "cuda:<i>", "mps").
    n_jobs : int or None, default None
        Torch threads of the detectors; None: their measured default.
    verbose : int, default 1
        DA3D's verbosity (progress bar from 1).

    Returns
    -------
    DemoResult
        The measurements and the paths written.
    """
    from . import data
    from .bench import paper
    from .bench.pipeline import Preprocessor
    from .pipeline_stream import write_scores

    out = Path(out)
    threads = {} if n_jobs is None else {"n_jobs": n_jobs}
    split = data.load_split("mammography", protocol="da3d", seed=seed)
    detector, scores, result = _fit_and_score(split, out, epochs, seed, device, verbose, threads)
    _save_demo_model(result, detector, Preprocessor.from_split(split))
    write_scores(
        result.scores_path,
        scores,
        (scores > detector.threshold_).astype(int),
        split.y_test,
        split.idx_test,
    )
    result.paper = {
        metric: paper.DA3D_TABLE2[(0.0, metric)]["mammography"]["DA3D"]
        for metric in ("roc_auc", "average_precision")
    }
    result.recommended = _recommended(split, seed, device, threads)
    _demo_figures(result, detector, split)
    _write_report(result)
    return result


def _fit_and_score(
    split: Any,
    out: Path,
    epochs: int,
    seed: int,
    device: str,
    verbose: int,
    threads: dict[str, int],
) -> tuple[Any, Any, DemoResult]:
    """DA3D trained on the split and its test scores, with the result's measurements."""
    from . import get_detector
    from .pipeline_stream import labelled_metrics

    detector = get_detector(
        "da3d",
        preset="mammography",
        epochs=epochs,
        random_state=seed,
        device=device,
        verbose=verbose,
        **threads,
    )
    t0 = time.perf_counter()
    detector.fit(split.x_train, split.y_train)
    fit_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    scores = detector.decision_function(split.x_test)
    score_seconds = time.perf_counter() - t0
    result = DemoResult(
        out=out,
        seed=seed,
        epochs=epochs,
        device=detector.device_,
        metrics=_test_metrics(labelled_metrics(split.y_test, scores)),
        paper={},
        fit_seconds=fit_seconds,
        score_seconds=score_seconds,
        n_train=len(split.x_train),
        n_test=len(split.y_test),
        n_anomalies=int(split.y_test.sum()),
        recommended={},
        model_dir=out / "model",
        scores_path=out / "scores.csv",
        report=out / "report.md",
    )
    return detector, scores, result


def _save_demo_model(result: DemoResult, detector: Any, pre: Any) -> None:
    """The demo's model directory, as `ganad fit da3d mammography --preset mammography` writes."""
    from .bench.pipeline import save_model_dir

    save_model_dir(
        result.model_dir,
        detector,
        pre,
        {
            "data": "mammography",
            "protocol": "da3d",
            "seed": result.seed,
            "train_contamination": 0.0,
            "options": {},
            "label_column": None,
            "detector": "da3d",
            "preset": "mammography",
            "set": {"epochs": result.epochs},
            "fit_seconds": result.fit_seconds,
            "device": result.device,
            "test_metrics": result.metrics,
        },
    )


def _recommended(split: Any, seed: int, device: str, threads: dict[str, int]) -> dict[str, Any]:
    """The recommended detector (`auto`, its defaults) on the demo's split, for comparison."""
    from . import get_detector
    from .pipeline_stream import labelled_metrics

    detector = get_detector("auto", preset=None, random_state=seed, device=device, **threads)
    t0 = time.perf_counter()
    detector.fit(split.x_train)
    fit_seconds = time.perf_counter() - t0
    metrics = _test_metrics(
        labelled_metrics(split.y_test, detector.decision_function(split.x_test))
    )
    return {"kind": detector.kind_, "fit_seconds": fit_seconds, **metrics}


def _test_metrics(metrics: dict[str, float] | None) -> dict[str, float]:
    """`labelled_metrics` of the demo's test split, which always holds both classes."""
    if metrics is None:
        raise ValueError("the demo's test split has one class only: no ROC-AUC or AP to report.")
    return metrics


def _demo_figures(result: DemoResult, detector: Any, split: Any) -> None:
    from .bench.model_plots import make_model_plots

    try:
        result.figures = make_model_plots(
            detector,
            split.x_test,
            split.y_test,
            result.out / "figures",
            {"roc", "hist", "history", "latent"},
            title=f"DA3D on Mammography, seed {result.seed}",
        )
    except ImportError as exc:
        result.figures_error = str(exc)


def _write_report(result: DemoResult) -> None:
    m, rec = result.metrics, result.recommended
    ref_auc, ref_ap = result.paper["roc_auc"], result.paper["average_precision"]
    lines = [
        "# ganad demo: DA3D on Mammography",
        "",
        f"* protocol DA3D, seed {result.seed}, {result.n_train} training / {result.n_test} "
        "test samples "
        f"({result.n_anomalies} anomalies)",
        f"* preset `mammography`, {result.epochs} epochs (paper: 500), device {result.device}",
        f"* ROC-AUC **{m['roc_auc']:.4f}** (paper, 500 epochs, 6 seeds: {ref_auc}), "
        f"AP **{m['average_precision']:.4f}** (paper: {ref_ap})",
        f"* training {result.fit_seconds:.1f} s, scoring {result.score_seconds:.2f} s",
        f"* the recommended detector (`auto`: {rec['kind']}) on the same split: ROC-AUC "
        f"**{rec['roc_auc']:.4f}**, AP **{rec['average_precision']:.4f}**, "
        f"training {rec['fit_seconds']:.1f} s",
        "",
        "Paper setting: `ganad bench paper-da3d --datasets mammography --detectors DA3D --out "
        "results.csv`",
        "",
    ]
    lines += [f"![{p.stem}]({p.relative_to(result.out)})" for p in result.figures]
    result.report.write_text("\n".join(lines) + "\n")
