"""Generic building blocks of `ganad.bench.report`, independent of any paper.

* `aggregate`: per-run rows -> one row per (protocol, contamination, data set, detector).
* `document`: the report's model (sections of paragraphs, tables and images) and number format.
* `sections`: the sections every report has (runs, timing, failed runs).
* `render`: Markdown and self-contained HTML.
* `figures`: comparison plots, ROC / PR curves, score histograms, loss curves (matplotlib).

The paper-specific tables live in `ganad.bench.papers`; `ganad.bench.report.make_report` puts
them together.
"""
