"""The published result tables the benchmark compares against (METHODS.md §6.2-§6.4).

Each paper's table lives beside its comparison in `ganad.bench.papers`; this module keeps them
under one name:

* `DA3D_TABLE2[(contamination, metric)][dataset][method] -> PaperCell | None`: [DA3D-A] Table 2,
  mean ± sample std over six runs, AUC and AP at 0 % and 1 % training contamination. The three
  REPEN-AP cells lost in the source text (0 %/KDD, 1 %/CoverT, 1 %/KDD; METHODS A-23) are `None`
  (unknown) and are never used as targets (`papers.da3d_table2`).
* `DA3D_TABLE2_MEANS[(contamination, metric)][method] -> float`: the printed "mean" rows.
* `DA3D_B_TABLE2[contamination][dataset][method]`: the earlier preprint's AUC table (3 runs).
* `FG_TABLE1[method] -> (precision, recall, f1)`: Fence GAN's KDD99 table (non-attack positive)
  (`papers.fence_gan`).

Data-set keys are ganad data-set names (`"mammography"`, `"kdd"`, ...); method keys are the
paper's column names (`"DA3D"`, `"Simple"`, `"A3"`, ...). `paper_method(label)` maps a benchmark
detector label (e.g. `"fence_gan"`, `"A3"`) to a paper column.
"""

from __future__ import annotations

from .papers import da3d_table2, fence_gan
from .papers.da3d_table2 import (
    DA3D_B_TABLE2,
    DA3D_TABLE2,
    DA3D_TABLE2_MEANS,
    METHODS,
    PaperCell,
    paper_cell,
    paper_dataset,
)
from .papers.fence_gan import FG_TABLE1

__all__ = [
    "DA3D_B_TABLE2",
    "DA3D_TABLE2",
    "DA3D_TABLE2_MEANS",
    "FG_TABLE1",
    "METHODS",
    "PaperCell",
    "paper_cell",
    "paper_dataset",
    "paper_method",
]


def paper_method(label: str, table: str = "da3d") -> str | None:
    """The paper column for a benchmark detector label (`table="da3d"` or `"fence_gan"`).

    Parameters
    ----------
    label : str
        A detector label of the results (e.g. "DA3D", "FenceGAN").
    table : {"da3d", "fence_gan"}, default "da3d"
        Which paper's table: DA3D Table 2 or Fence GAN Table I.

    Returns
    -------
    str or None
        The paper's method column, or None when the paper has no such method.
    """
    module = fence_gan if table == "fence_gan" else da3d_table2
    return module.paper_method(label)
