"""[DA3D-A] Table 2 and [DA3D-B] Table 2, the published values the DA3D comparison uses
(METHODS.md §6.2-§6.3).

The tables are kept as the Markdown text of METHODS.md (copied verbatim, so a reader can diff them
against the source) and parsed once at import into plain dictionaries:

* `DA3D_TABLE2[(contamination, metric)][dataset][method] -> PaperCell | None`: [DA3D-A] Table 2,
  mean ± sample std over six runs, AUC and AP at 0 % and 1 % training contamination. The three
  REPEN-AP cells lost in the source text (0 %/KDD, 1 %/CoverT, 1 %/KDD; METHODS A-23) are `None`
  (unknown) and are never used as targets.
* `DA3D_TABLE2_MEANS[(contamination, metric)][method] -> float`: the printed "mean" rows.
* `DA3D_B_TABLE2[contamination][dataset][method]`: the earlier preprint's AUC table (3 runs).

Data-set keys are ganad data-set names (`"mammography"`, `"kdd"`, ...); method keys are the
paper's column names (`"DA3D"`, `"Simple"`, `"A3"`, ...). `paper_method(label)` maps a benchmark
detector label (e.g. `"fence_gan"`, `"A3"`) to a Table 2 column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

from ...data.sources import paper_dataset_names
from ._labels import label_key

__all__ = [
    "DA3D_B_TABLE2",
    "DA3D_TABLE2",
    "DA3D_TABLE2_MEANS",
    "METHODS",
    "PaperCell",
    "paper_cell",
    "paper_dataset",
    "paper_method",
]


@dataclass(frozen=True)
class PaperCell:
    """One published value: mean and sample standard deviation, as printed (2 decimals).

    Parameters
    ----------
    mean : float
        The published mean.
    std : float
        The published sample standard deviation.
    """

    mean: float
    std: float

    def __str__(self) -> str:
        return f"{_fmt(self.mean)} ± {_fmt(self.std)}"


def _fmt(x: float) -> str:
    s = f"{x:.2f}"
    return s[1:] if s.startswith("0.") else s


# The paper's row names -> ganad data-set names: the registry's `paper_names`.
_DATASETS = paper_dataset_names()

#: Paper column names of [DA3D-A] Table 2, in the paper's order.
METHODS = ("DA3D", "Simple", "DeepSVDD", "DAGMM", "REPEN", "fAnoGAN", "GANomaly", "FenceGAN", "A3")

# [DA3D-A] Table 2 (METHODS.md §6.2), verbatim. "n/a" marks the lost REPEN-AP cells.
_TABLE2_TEXT = {
    (0.0, "roc_auc"): """
| Data | DA3D | Simple | DeepSVDD | DAGMM | REPEN | fAnoGAN | GANomaly | FenceGAN | A3 (ablation) |
| CC | .90 ± .03 | .88 ± .06 | .89 ± .02 | .84 ± .02 | .92 ± .02 | .87 ± .04 | .84 ± .04 | .53 ± .29 | .87 ± .02 |
| Census | .67 ± .05 | .67 ± .03 | .59 ± .02 | .40 ± .08 | .63 ± .02 | .53 ± .11 | .53 ± .07 | .60 ± .09 | .65 ± .06 |
| CoverT | .69 ± .05 | .63 ± .07 | .54 ± .02 | .73 ± .04 | .71 ± .04 | .61 ± .03 | .69 ± .05 | .47 ± .14 | .49 ± .09 |
| DoH | .95 ± .05 | .93 ± .08 | .76 ± .11 | .67 ± .08 | .25 ± .03 | .64 ± .16 | .61 ± .14 | .47 ± .14 | .70 ± .13 |
| EMNIST | .69 ± .06 | .68 ± .06 | .56 ± .01 | .53 ± .01 | .54 ± .03 | .59 ± .04 | .62 ± .04 | .54 ± .00 | .60 ± .02 |
| FMNIST | .90 ± .02 | .92 ± .01 | .74 ± .02 | .84 ± .03 | .62 ± .04 | .80 ± .08 | .87 ± .02 | .84 ± .00 | .87 ± .04 |
| KDD | .86 ± .03 | .90 ± .01 | .81 ± .07 | .88 ± .03 | .83 ± .02 | .63 ± .17 | .89 ± .03 | .72 ± .25 | .73 ± .13 |
| MNIST | .67 ± .10 | .56 ± .08 | .59 ± .01 | .74 ± .01 | .49 ± .02 | .56 ± .09 | .79 ± .07 | .62 ± .02 | .42 ± .01 |
| Mammo | .84 ± .03 | .86 ± .03 | .68 ± .05 | .80 ± .05 | .86 ± .01 | .66 ± .14 | .71 ± .29 | .66 ± .22 | .80 ± .12 |
| URL | .89 ± .02 | .88 ± .01 | .83 ± .02 | .74 ± .02 | .80 ± .03 | .83 ± .01 | .86 ± .02 | .66 ± .18 | .88 ± .02 |
| mean | .81 | .79 | .70 | .72 | .67 | .67 | .74 | .61 | .70 |
""",
    (0.0, "average_precision"): """
| Data | DA3D | Simple | DeepSVDD | DAGMM | REPEN | fAnoGAN | GANomaly | FenceGAN | A3 (ablation) |
| CC | .43 ± .15 | .38 ± .18 | .38 ± .11 | .02 ± .01 | .41 ± .11 | .18 ± .05 | .29 ± .09 | .13 ± .16 | .25 ± .05 |
| Census | .11 ± .02 | .13 ± .03 | .09 ± .01 | .05 ± .01 | .08 ± .00 | .08 ± .03 | .07 ± .01 | .09 ± .02 | .09 ± .01 |
| CoverT | .16 ± .03 | .15 ± .02 | .11 ± .01 | .21 ± .04 | .16 ± .02 | .14 ± .03 | .17 ± .04 | .08 ± .03 | .10 ± .02 |
| DoH | .99 ± .01 | .99 ± .01 | .98 ± .01 | .96 ± .01 | .89 ± .01 | .95 ± .02 | .95 ± .02 | .91 ± .03 | .96 ± .02 |
| EMNIST | .69 ± .06 | .68 ± .06 | .57 ± .01 | .55 ± .01 | .53 ± .03 | .56 ± .04 | .58 ± .02 | .53 ± .00 | .58 ± .01 |
| FMNIST | .92 ± .02 | .94 ± .01 | .77 ± .03 | .80 ± .04 | .66 ± .05 | .79 ± .11 | .90 ± .01 | .88 ± .00 | .85 ± .05 |
| KDD | .85 ± .04 | .87 ± .04 | .86 ± .05 | .89 ± .03 | n/a¹ | .72 ± .11 | .90 ± .03 | .81 ± .17 | .76 ± .12 |
| MNIST | .63 ± .10 | .55 ± .07 | .57 ± .01 | .74 ± .01 | .44 ± .01 | .52 ± .09 | .74 ± .08 | .59 ± .01 | .42 ± .01 |
| Mammo | .38 ± .09 | .40 ± .11 | .07 ± .02 | .15 ± .12 | .29 ± .03 | .15 ± .08 | .31 ± .28 | .19 ± .22 | .33 ± .05 |
| URL | .97 ± .01 | .97 ± .00 | .95 ± .00 | .91 ± .01 | .93 ± .01 | .94 ± .01 | .96 ± .01 | .89 ± .08 | .97 ± .01 |
| mean | .61 | .61 | .54 | .53 | .52 | .50 | .59 | .51 | .53 |
""",
    (0.01, "roc_auc"): """
| Data | DA3D | Simple | DeepSVDD | DAGMM | REPEN | fAnoGAN | GANomaly | FenceGAN | A3 (ablation) |
| CC | .86 ± .07 | .87 ± .05 | .87 ± .02 | .86 ± .04 | .91 ± .01 | .76 ± .31 | .70 ± .06 | .66 ± .20 | .89 ± .02 |
| Census | .56 ± .04 | .61 ± .06 | .55 ± .02 | .38 ± .05 | .66 ± .02 | .53 ± .04 | .57 ± .07 | .48 ± .06 | .64 ± .06 |
| CoverT | .64 ± .07 | .60 ± .05 | .58 ± .03 | .73 ± .03 | .72 ± .02 | .54 ± .07 | .66 ± .06 | .56 ± .10 | .34 ± .12 |
| DoH | .81 ± .05 | .78 ± .11 | .60 ± .06 | .66 ± .06 | .15 ± .05 | .39 ± .06 | .65 ± .09 | .55 ± .18 | .80 ± .18 |
| EMNIST | .63 ± .03 | .62 ± .05 | .54 ± .02 | .53 ± .01 | .54 ± .02 | .59 ± .05 | .61 ± .02 | .54 ± .01 | .60 ± .01 |
| FMNIST | .74 ± .10 | .75 ± .08 | .68 ± .01 | .82 ± .03 | .75 ± .07 | .80 ± .10 | .82 ± .02 | .79 ± .01 | .86 ± .02 |
| KDD | .83 ± .09 | .87 ± .04 | .79 ± .08 | .89 ± .03 | .88 ± .03 | .68 ± .21 | .88 ± .07 | .74 ± .10 | .67 ± .14 |
| MNIST | .74 ± .06 | .60 ± .13 | .57 ± .01 | .71 ± .02 | .48 ± .01 | .53 ± .06 | .80 ± .03 | .61 ± .01 | .44 ± .03 |
| Mammo | .79 ± .08 | .80 ± .07 | .58 ± .02 | .78 ± .04 | .82 ± .03 | .62 ± .22 | .68 ± .23 | .60 ± .22 | .61 ± .17 |
| URL | .85 ± .06 | .86 ± .03 | .75 ± .02 | .75 ± .02 | .72 ± .02 | .81 ± .02 | .80 ± .06 | .69 ± .11 | .82 ± .05 |
| mean | .74 | .74 | .65 | .71 | .66 | .62 | .72 | .62 | .67 |
""",
    (0.01, "average_precision"): """
| Data | DA3D | Simple | DeepSVDD | DAGMM | REPEN | fAnoGAN | GANomaly | FenceGAN | A3 (ablation) |
| CC | .19 ± .07 | .22 ± .08 | .12 ± .06 | .02 ± .03 | .27 ± .06 | .17 ± .16 | .07 ± .07 | .06 ± .04 | .16 ± .09 |
| Census | .07 ± .01 | .10 ± .03 | .08 ± .00 | .05 ± .01 | .08 ± .00 | .07 ± .01 | .08 ± .01 | .06 ± .01 | .08 ± .01 |
| CoverT | .15 ± .03 | .12 ± .01 | .12 ± .02 | .20 ± .03 | n/a² | .11 ± .01 | .16 ± .03 | .11 ± .03 | .07 ± .02 |
| DoH | .98 ± .00 | .98 ± .01 | .95 ± .01 | .96 ± .01 | .86 ± .02 | .90 ± .02 | .95 ± .01 | .93 ± .04 | .97 ± .03 |
| EMNIST | .63 ± .04 | .62 ± .05 | .55 ± .02 | .54 ± .01 | .53 ± .01 | .56 ± .04 | .58 ± .01 | .53 ± .01 | .58 ± .01 |
| FMNIST | .73 ± .09 | .73 ± .06 | .69 ± .01 | .76 ± .04 | .68 ± .06 | .81 ± .10 | .82 ± .03 | .83 ± .01 | .80 ± .03 |
| KDD | .81 ± .10 | .85 ± .05 | .84 ± .05 | .87 ± .03 | n/a² | .76 ± .16 | .90 ± .05 | .82 ± .05 | .68 ± .11 |
| MNIST | .72 ± .06 | .61 ± .11 | .56 ± .01 | .72 ± .02 | .45 ± .01 | .50 ± .04 | .76 ± .04 | .58 ± .01 | .43 ± .03 |
| Mammo | .16 ± .10 | .21 ± .13 | .03 ± .00 | .13 ± .07 | .13 ± .04 | .14 ± .08 | .13 ± .16 | .07 ± .08 | .14 ± .07 |
| URL | .95 ± .03 | .96 ± .01 | .93 ± .01 | .91 ± .01 | .89 ± .01 | .93 ± .01 | .94 ± .03 | .90 ± .04 | .94 ± .01 |
| mean | .54 | .54 | .49 | .52 | .49 | .50 | .54 | .49 | .48 |
""",
}

# [DA3D-B] Table 2 (METHODS.md §6.3): AUC only, mean ± std after three runs.
_TABLE2_B_TEXT = """
| cont. | data | A³ | DAGMM | FenceGAN | A³ (simple anom.) | DevNet (simple anom.) | DA³D |
|---|---|---|---|---|---|---|---|
| .00 | Census | .57 ± .11 | .36 ± .01 | .48 ± .18 | .43 ± .06 | .58 ± .09 | .62 ± .11 |
| | DoH | .64 ± .10 | .68 ± .04 | .50 ± .12 | .66 ± .10 | .72 ± .14 | .81 ± .05 |
| | KDD | .92 ± .02 | .91 ± .01 | .77 ± .06 | .58 ± .16 | .86 ± .07 | .96 ± .00 |
| | Mammo. | .58 ± .15 | .73 ± .06 | .60 ± .46 | .56 ± .26 | .12 ± .03 | .87 ± .03 |
| | URL | .80 ± .04 | .73 ± .01 | .42 ± .06 | .79 ± .06 | .42 ± .13 | .80 ± .02 |
| | mean | .70 | .68 | .56 | .61 | .54 | .81 |
| .01 | Census | .60 ± .01 | .32 ± .02 | .53 ± .07 | .50 ± .09 | .60 ± .05 | .65 ± .04 |
| | DoH | .62 ± .00 | .71 ± .02 | .64 ± .19 | .66 ± .04 | .62 ± .12 | .74 ± .05 |
| | KDD | .93 ± .03 | .90 ± .02 | .76 ± .04 | .22 ± .03 | .66 ± .02 | .94 ± .02 |
| | Mammo. | .63 ± .25 | .72 ± .04 | .56 ± .23 | .61 ± .20 | .11 ± .01 | .67 ± .11 |
| | URL | .76 ± .05 | .70 ± .01 | .49 ± .11 | .77 ± .05 | .66 ± .11 | .75 ± .06 |
| | mean | .71 | .67 | .60 | .55 | .53 | .75 |
"""

_CELL = re.compile(r"^\s*(\d*\.\d+)\s*±\s*(\d*\.\d+)\s*$")


def _cell(text: str) -> PaperCell | None:
    text = text.strip()
    if text.startswith("n/a"):
        return None
    m = _CELL.match(text)
    if m is None:
        raise ValueError(f"unparsable paper cell {text!r}")
    return PaperCell(float(m.group(1)), float(m.group(2)))


def _row(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _method_name(header: str) -> str:
    header = header.replace("³", "3").replace(" (ablation)", "")
    return {"DA3D": "DA3D", "A3 (simple anom.)": "A3 (simple anom.)"}.get(header, header)


def _parse_table2() -> tuple[dict, dict]:
    cells: dict = {}
    means: dict = {}
    for key, text in _TABLE2_TEXT.items():
        lines = [ln for ln in text.strip().splitlines() if ln.strip()]
        methods = [_method_name(h) for h in _row(lines[0])[1:]]
        if tuple(methods) != METHODS:
            raise ValueError(f"unexpected Table 2 header {methods}")
        table: dict = {}
        for line in lines[1:]:
            name, *values = _row(line)
            if name == "mean":
                means[key] = MappingProxyType(
                    {m: float(v) for m, v in zip(methods, values, strict=True)}
                )
            else:
                table[_DATASETS[name]] = MappingProxyType(
                    {m: _cell(v) for m, v in zip(methods, values, strict=True)}
                )
        cells[key] = MappingProxyType(table)
    return cells, means


def _parse_table2_b() -> dict:
    lines = [
        ln for ln in _TABLE2_B_TEXT.strip().splitlines() if ln.strip() and not ln.startswith("|---")
    ]
    methods = [_method_name(h) for h in _row(lines[0])[2:]]
    out: dict = {}
    current = None
    for line in lines[1:]:
        cont, name, *values = _row(line)
        if cont:
            current = float(cont)
            out[current] = {}
        if name == "mean":
            continue
        out[current][_DATASETS[name]] = MappingProxyType(
            {m: _cell(v) for m, v in zip(methods, values, strict=True)}
        )
    return {k: MappingProxyType(v) for k, v in out.items()}


_T2, _T2_MEANS = _parse_table2()
DA3D_TABLE2 = MappingProxyType(_T2)
DA3D_TABLE2_MEANS = MappingProxyType(_T2_MEANS)
DA3D_B_TABLE2 = MappingProxyType(_parse_table2_b())

# Benchmark labels / registry names -> paper column (compared case- and punctuation-insensitively).
_METHOD_ALIASES = {
    "da3d": "DA3D",
    "simple": "Simple",
    "deepsvdd": "DeepSVDD",
    "dagmm": "DAGMM",
    "repen": "REPEN",
    "fanogan": "fAnoGAN",
    "ganomaly": "GANomaly",
    "fencegan": "FenceGAN",
    "fgan": "FenceGAN",
    "a3": "A3",
    "a3ablation": "A3",
}


def paper_method(label: str) -> str | None:
    """The [DA3D-A] Table 2 column for a benchmark detector label, if it has one.

    Parameters
    ----------
    label : str
        A detector label of the results (matched loosely: case and punctuation ignored).

    Returns
    -------
    str or None
        The column name in `METHODS`, or None.
    """
    return _METHOD_ALIASES.get(label_key(label))


def paper_dataset(name: str) -> str | None:
    """The ganad data-set name of a Table 2 row, if `name` (a data-set name or label) has one.

    Parameters
    ----------
    name : str
        A data-set name or label, or a paper row name.

    Returns
    -------
    str or None
        The ganad data-set name, or None when Table 2 has no such row.
    """
    key = label_key(name)
    for paper_name, ours in _DATASETS.items():
        if key in (label_key(paper_name), label_key(ours)):
            return ours
    aliases = {
        "nslkdd": "kdd",
        "mammo": "mammography",
        "cc": "creditcard",
        "covertype": "covtype",
        "fashionmnist": "fmnist",
    }
    return aliases.get(key)


def paper_cell(dataset: str, label: str, contamination: float, metric: str) -> PaperCell | None:
    """The [DA3D-A] Table 2 value for a (data set, detector label, contamination, metric), if any.

    Parameters
    ----------
    dataset : str
        Data-set name or label.
    label : str
        Detector label.
    contamination : float
        Training contamination.
    metric : str
        "roc_auc" or "average_precision".

    Returns
    -------
    PaperCell or None
        The published value, or None.
    """
    key = (round(float(contamination), 4), metric)
    table = DA3D_TABLE2.get(key)
    ds, method = paper_dataset(dataset), paper_method(label)
    if table is None or ds is None or method is None or ds not in table:
        return None
    return table[ds].get(method)
