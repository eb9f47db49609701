"""The `ganad` command: detectors, data sets, fit / score, benchmarks, reports, plots and a demo.

    ganad list                                   detectors, one-line descriptions, presets
    ganad datasets list | info NAME | fetch NAME
    ganad fit DETECTOR DATA --out MODEL [--preset P] [--set key=value ...]
    ganad score MODEL DATA --out scores.csv      streams CSV/Parquet in chunks
    ganad bench EXPERIMENT.toml|PRESET --out results.csv [--jobs N] [--strict] [--backend ray]
    ganad report results.csv [more.csv ...] --out DIR
    ganad plot MODEL DATA --out DIR
    ganad demo

Exit codes: 0 ok, 1 runtime failure (training diverged, failed runs, download failed),
2 usage or data error (bad arguments, unknown names, missing or malformed data), 130 interrupted.

Modules: `parser` (the argument parser, one function per sub-command), `commands` (one thin
`cmd_*` per sub-command over the library), `options` (arguments -> library arguments),
`checks` (refusals before any work), `errors` (exit codes, exception -> exit code and message),
`console` (stdout/stderr), `app` (`main`).
"""

from __future__ import annotations

from .app import main
from .options import parse_assignments, parse_value
from .parser import build_parser

__all__ = ["build_parser", "main", "parse_assignments", "parse_value"]
