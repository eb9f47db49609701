"""Paper-specific parts of the benchmark: each module holds one paper's published table(s) and
the report sections that set our results beside them.

* `da3d_table2`: [DA3D-A] Table 2 (and the [DA3D-B] preprint's AUC table), parsed from the
  Markdown text of METHODS.md, with the label / data-set lookups.
* `da3d`: the comparison with [DA3D-A] Table 2 (verdicts, mean rows) and its report tables.
* `fence_gan`: [FG] Table I (KDD99 precision / recall / F1) and its report section.

`ganad.bench.paper` re-exports the published tables under their historical names.
"""
