"""`ganad list` and `ganad datasets list | info | fetch`: what detectors and data sets exist."""

from __future__ import annotations

import argparse
import contextlib

from ..console import Console
from ..errors import EXIT_OK, UsageError

__all__ = ["cmd_datasets", "cmd_list"]


def _summary(cls: type) -> str:
    """The first sentence of a class docstring."""
    doc = " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())
    end = doc.find(". ")
    return doc if end < 0 else doc[: end + 1]


def cmd_list(args: argparse.Namespace, con: Console) -> int:
    """`ganad list`: the registered detectors with a one-line summary and their presets.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed `ganad list` arguments (--experiments also lists the experiment presets).
    con : Console
        Where the list is printed.

    Returns
    -------
    int
        The exit code, 0.
    """
    from ...registry import detector_class, list_detectors

    names = list_detectors()
    width = max(len(n) for n in names)
    for name in names:
        cls = detector_class(name)
        con.result(f"{name:<{width}}  {_summary(cls)}")
        presets = sorted(cls.PRESETS)
        if presets:
            con.result(f"{'':<{width}}  presets: {', '.join(presets)}")
    if args.experiments:
        from ...bench import list_presets

        con.result("\nexperiment presets (ganad bench PRESET):")
        for name, desc in list_presets().items():
            con.result(f"  {name:<12} {desc}")
    return EXIT_OK


def cmd_datasets(args: argparse.Namespace, con: Console) -> int:
    """`ganad datasets list | info NAME | fetch NAME`: the data sets, one's details, a download.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed `ganad datasets` arguments (`datasets_command` and its own).
    con : Console
        Where the output is printed.

    Returns
    -------
    int
        The sub-command's exit code; a missing sub-command raises `UsageError`.
    """
    actions = {"list": _datasets_list, "info": _datasets_info, "fetch": _datasets_fetch}
    if args.datasets_command not in actions:
        raise UsageError("ganad datasets: choose list, info or fetch.")
    return actions[args.datasets_command](args, con)


def _datasets_list(args: argparse.Namespace, con: Console) -> int:
    from ... import data
    from ...bench.runner import dataset_available

    infos = data.list_datasets(include_adbench=args.all)
    width = max(len(i.name) for i in infos)
    con.result(f"{'name':<{width}}  {'here':<4}  {'kind':<8} description [size]")
    for info in infos:
        present, _ = dataset_available(info.name, args.root)
        mark = "yes" if present else "no"
        con.result(
            f"{info.name:<{width}}  {mark:<4}  {info.kind:<8} {info.description} [{info.size}]"
        )
    con.say(
        f"\ndata root: {data.data_root(args.root)} (set with --root or ${data.ENV_VAR}); "
        "get a data set with `ganad datasets fetch NAME`."
    )
    if not args.all:
        con.say("ADBench/ODDS sets (adbench:<name>) are listed with --all.")
    return EXIT_OK


def _datasets_info(args: argparse.Namespace, con: Console) -> int:
    from ... import data

    info = data.get_info(args.name)
    con.result(f"{info.name}: {info.description}")
    for label, value in (
        ("kind", info.kind),
        ("size", info.size),
        ("source", info.source),
        ("licence", info.licence),
        ("protocols", ", ".join(info.protocols)),
        ("citation", info.citation),
        ("bundled", "yes" if info.bundled else ""),
    ):
        if value:
            con.result(f"  {label:<10} {value}")
    con.result(f"  data root  {data.data_root(args.root)}")
    with contextlib.suppress(Exception):
        for status in data.file_status(info.name, args.root):
            opt = " (optional)" if status.remote.optional else ""
            con.result(f"  file       {status.describe()}{opt}")
    for alt in info.alternatives:
        con.result(f"  also       {alt}")
    return EXIT_OK


def _datasets_fetch(args: argparse.Namespace, con: Console) -> int:
    from ... import data

    paths = data.fetch(
        args.name,
        args.root,
        force=args.force,
        progress=not con.quiet,
        verify=not args.no_verify,
    )
    for p in paths:
        con.result(str(p))
    return EXIT_OK
