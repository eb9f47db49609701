"""ganad.bench: reproduce the papers' tables. Experiment runner, results CSV, reports and plots.

    from ganad import bench
    exp = bench.load_experiment("quick-da3d").restrict(datasets=["mammography"])
    summary = bench.run_experiment(exp, "results.csv", jobs=2)      # resumable
    bench.make_report("results.csv", "report/")                      # report.md + report.html

Experiment presets (`bench.list_presets()`): `paper-da3d` ([DA3D-A] Table 2 at the paper's
epochs), `quick-da3d` (the same grid for a CPU), `fence-gan` ([FG] KDD99 / MNIST), `smoke`.
The published tables live in `bench.paper`. Plot functions (matplotlib, optional extra
`ganad[plot]`) are in `bench.plots`.
"""

from __future__ import annotations

from . import paper
from .experiment import (
    DatasetSpec,
    DetectorSpec,
    Experiment,
    ExperimentError,
    RunSpec,
    list_presets,
    load_experiment,
    params_hash,
)
from .report import aggregate_results, make_report, mean_rows, paper_comparison
from .results import COLUMNS, ResultsFile, artifacts_dir, checkpoints_dir, read_results
from .runner import BenchSummary, dataset_available, run_experiment, run_one

__all__ = [
    "COLUMNS",
    "BenchSummary",
    "DatasetSpec",
    "DetectorSpec",
    "Experiment",
    "ExperimentError",
    "ResultsFile",
    "RunSpec",
    "aggregate_results",
    "artifacts_dir",
    "checkpoints_dir",
    "dataset_available",
    "list_presets",
    "load_experiment",
    "make_report",
    "mean_rows",
    "paper",
    "paper_comparison",
    "params_hash",
    "read_results",
    "run_experiment",
    "run_one",
]
