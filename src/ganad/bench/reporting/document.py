"""The report as data: sections of paragraphs, tables and images, and the paper's number style."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["METRICS", "Cell", "Section", "Table", "cell", "fmt", "mean_std"]

#: The ranking metrics of a results file -> their names in the report.
METRICS = {"roc_auc": "ROC-AUC", "average_precision": "AP"}

#: One table cell: (text, css class); the class is "" or a verdict / "mean" / "below".
Cell = tuple[str, str]


@dataclass
class Table:
    """One table of a report section.

    Parameters
    ----------
    header : list of str
        Column headings.
    rows : list of list of Cell
        The rows, each a list of (text, css class) cells.
    """

    header: list[str]
    rows: list[list[Cell]]


@dataclass
class Section:
    """One section of a report: a heading, then paragraphs, tables and images, in that order.

    Parameters
    ----------
    title : str
        The heading.
    level : int, default 2
        Heading level (2: `##` / `<h2>`).
    paragraphs : list of str, default []
        Plain-text paragraphs.
    tables : list of Table, default []
        Tables.
    images : list of tuple (str, pathlib.Path), default []
        (caption, PNG path) of each figure.
    """

    title: str
    level: int = 2
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    images: list[tuple[str, Path]] = field(default_factory=list)


def cell(text: str, cls: str = "") -> Cell:
    """A table cell.

    Parameters
    ----------
    text : str
        The cell's text.
    cls : str, default ""
        Its HTML css class: "" or a verdict ("within", "better", "below") or "mean".

    Returns
    -------
    Cell
        The (text, cls) pair.
    """
    return (text, cls)


def fmt(x: float, digits: int = 3, signed: bool = False) -> str:
    """Paper style: '.834', '-.006', '1.000'.

    Parameters
    ----------
    x : float or None
        The number; None or NaN gives "—".
    digits : int, default 3
        Decimals.
    signed : bool, default False
        Always show the sign (for differences).

    Returns
    -------
    str
        The number without a leading zero and with a typographic minus.
    """
    if x is None or pd.isna(x):
        return "—"
    s = f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"
    s = s.replace("0.", ".", 1) if s.lstrip("+-").startswith("0.") else s
    return s.replace("-", "−")


def mean_std(mean: float, std: float, digits: int = 3) -> str:
    """'mean ± std', or 'mean (1 run)' where there is no std.

    Parameters
    ----------
    mean : float
        The mean; NaN gives "—".
    std : float
        The standard deviation; NaN for a single run.
    digits : int, default 3
        Decimals of both.

    Returns
    -------
    str
        The formatted cell text (`fmt` style).
    """
    if pd.isna(mean):
        return "—"
    return (
        f"{fmt(mean, digits)} ± {fmt(std, digits)}"
        if not pd.isna(std)
        else f"{fmt(mean, digits)} (1 run)"
    )
