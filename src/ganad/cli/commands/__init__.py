"""One `cmd_*(args, console) -> exit code` per sub-command, each thin over the library; the
heavy modules are imported inside them, so `ganad --help` stays fast."""

from __future__ import annotations

from .bench import cmd_bench, cmd_report
from .catalog import cmd_datasets, cmd_list
from .demo import cmd_demo
from .deploy import cmd_export, cmd_serve
from .fit import cmd_fit
from .plot import cmd_plot
from .score import cmd_explain, cmd_score, cmd_threshold

__all__ = ["COMMANDS"]

COMMANDS = {
    "list": cmd_list,
    "datasets": cmd_datasets,
    "fit": cmd_fit,
    "score": cmd_score,
    "explain": cmd_explain,
    "threshold": cmd_threshold,
    "bench": cmd_bench,
    "report": cmd_report,
    "plot": cmd_plot,
    "demo": cmd_demo,
    "serve": cmd_serve,
    "export": cmd_export,
}
