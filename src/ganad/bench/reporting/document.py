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
    header: list[str]
    rows: list[list[Cell]]


@dataclass
class Section:
    title: str
    level: int = 2
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    images: list[tuple[str, Path]] = field(default_factory=list)


def cell(text: str, cls: str = "") -> Cell:
    return (text, cls)


def fmt(x: float, digits: int = 3, signed: bool = False) -> str:
    """Paper style: '.834', '-.006', '1.000'."""
    if x is None or pd.isna(x):
        return "—"
    s = f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"
    s = s.replace("0.", ".", 1) if s.lstrip("+-").startswith("0.") else s
    return s.replace("-", "−")


def mean_std(mean: float, std: float, digits: int = 3) -> str:
    """'mean ± std', or 'mean (1 run)' where there is no std."""
    if pd.isna(mean):
        return "—"
    return (
        f"{fmt(mean, digits)} ± {fmt(std, digits)}"
        if not pd.isna(std)
        else f"{fmt(mean, digits)} (1 run)"
    )
