"""Report aggregation on a hand-made results CSV: mean ± ddof-1 std, mean row, paper columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ganad.bench import aggregate_results, make_report, mean_rows, paper, paper_comparison
from ganad.bench.report import fence_gan_comparison, verdict
from ganad.bench.results import COLUMNS

AUC = {  # (dataset, detector, contamination) -> per-seed ROC-AUC
    ("mammography", "DA3D", 0.0): [0.80, 0.84, 0.87],
    ("kdd", "DA3D", 0.0): [0.90, 0.70],
    ("mammography", "Simple", 0.0): [0.91, 0.93],
    ("mammography", "DA3D", 0.01): [0.60, 0.62],
    ("kdd", "REPEN", 0.0): [0.80, 0.84],
}


def _csv(tmp_path) -> str:
    rows = []
    for (ds, det, c), values in AUC.items():
        for i, v in enumerate(values):
            rows.append(
                {
                    "experiment": "t",
                    "dataset": ds,
                    "dataset_name": ds,
                    "detector_label": det,
                    "detector": det.lower(),
                    "params_hash": "abc",
                    "seed": 110 + 100 * i,
                    "train_contamination": c,
                    "protocol": "da3d",
                    "roc_auc": v,
                    "average_precision": v / 2,
                    "fit_seconds": 10.0 * (i + 1),
                    "score_seconds": 0.5,
                    "n_train": 100,
                    "n_test": 50,
                    "device": "cpu",
                    "status": "ok",
                }
            )
    # A failed run: counted, never averaged.
    rows.append(
        {
            "experiment": "t",
            "dataset": "mammography",
            "dataset_name": "mammography",
            "detector_label": "DA3D",
            "detector": "da3d",
            "params_hash": "abc",
            "seed": 410,
            "train_contamination": 0.0,
            "protocol": "da3d",
            "status": "failed",
            "error": "boom",
        }
    )
    path = tmp_path / "results.csv"
    pd.DataFrame(rows, columns=list(COLUMNS)).to_csv(path, index=False)
    return str(path)


def _row(agg, ds, det, c=0.0):
    sel = agg[
        (agg["dataset"] == ds)
        & (agg["detector"] == det)
        & np.isclose(agg["train_contamination"], c)
    ]
    assert len(sel) == 1
    return sel.iloc[0]


def test_mean_and_sample_std(tmp_path):
    agg = aggregate_results(pd.read_csv(_csv(tmp_path)))
    r = _row(agg, "mammography", "DA3D")
    values = np.array(AUC[("mammography", "DA3D", 0.0)])
    assert r["roc_auc_mean"] == pytest.approx(values.mean())
    assert r["roc_auc_std"] == pytest.approx(
        values.std(ddof=1)
    )  # sample std, as pandas / the paper
    assert r["roc_auc_std"] != pytest.approx(values.std(ddof=0))
    assert r["average_precision_mean"] == pytest.approx(values.mean() / 2)
    assert (r["n_ok"], r["n_failed"]) == (3, 1)
    assert r["seeds"] == "110,210,310"
    assert r["fit_seconds_mean"] == pytest.approx(20.0)


def test_paper_columns_and_verdicts(tmp_path):
    cmp = paper_comparison(aggregate_results(pd.read_csv(_csv(tmp_path))))
    r = _row(cmp, "mammography", "DA3D")
    # [DA3D-A] Table 2, 0 %, Mammography, DA3D: AUC .84 ± .03, AP .38 ± .09.
    assert (r["roc_auc_paper_mean"], r["roc_auc_paper_std"]) == (0.84, 0.03)
    assert r["roc_auc_diff"] == pytest.approx(np.mean([0.80, 0.84, 0.87]) - 0.84)
    assert r["roc_auc_verdict"] == "within"
    assert (r["average_precision_paper_mean"], r["average_precision_paper_std"]) == (0.38, 0.09)
    s = _row(cmp, "mammography", "Simple")  # .92 vs .86 ± .03 -> better
    assert s["roc_auc_paper_mean"] == 0.86 and s["roc_auc_verdict"] == "better"
    low = _row(cmp, "mammography", "DA3D", 0.01)  # .61 vs .79 ± .08 -> below
    assert low["roc_auc_paper_mean"] == 0.79 and low["roc_auc_verdict"] == "below"
    # The REPEN-AP cell for KDD at 0 % was lost in the source: unknown, never a target.
    rep = _row(cmp, "kdd", "REPEN")
    assert rep["roc_auc_paper_mean"] == 0.83
    assert np.isnan(rep["average_precision_paper_mean"]) and rep["average_precision_verdict"] == ""


def test_mean_row_averages_unrounded_means(tmp_path):
    cmp = paper_comparison(aggregate_results(pd.read_csv(_csv(tmp_path))))
    means = mean_rows(cmp, "da3d", 0.0, "roc_auc").set_index("detector")
    mammo, kdd = np.mean(AUC[("mammography", "DA3D", 0.0)]), np.mean(AUC[("kdd", "DA3D", 0.0)])
    assert means.loc["DA3D", "mean"] == pytest.approx((mammo + kdd) / 2)  # not of rounded means
    assert round(mammo, 2) + round(kdd, 2) != pytest.approx(
        mammo + kdd
    )  # the data do tell them apart
    assert means.loc["DA3D", "n_datasets"] == 2
    # Paper mean over the same two data sets (not the printed ten-data-set row).
    assert means.loc["DA3D", "paper_mean"] == pytest.approx((0.84 + 0.86) / 2)
    assert means.loc["DA3D", "diff"] == pytest.approx((mammo + kdd) / 2 - 0.85)


def test_verdict_rule():
    assert verdict(0.84, 0.84, 0.03) == "within"
    assert verdict(0.80, 0.84, 0.03) == "below"
    assert verdict(0.81, 0.84, 0.03) == "within"  # edge: within std
    assert verdict(0.87, 0.84, 0.03) == "within"
    assert verdict(0.88, 0.84, 0.03) == "better"
    assert verdict(0.536, 0.54, 0.00) == "within"  # the 0.005 rounding allowance


def test_report_files(tmp_path):
    files = make_report(_csv(tmp_path), tmp_path / "out", figures=False)
    md = files.markdown.read_text()
    assert "### ROC-AUC, training contamination 0% (protocol da3d)" in md
    assert "| mammography | .837 ± .035 (paper .84 ± .03; −.003 ✓) |" in md
    assert "| mean |" in md and "boom" in md  # the failure is listed
    assert "paper: unknown" in md  # REPEN AP on KDD
    html = files.html.read_text()
    assert 'class="better"' in html and 'class="below"' in html
    assert (tmp_path / "out" / "summary.csv").is_file()


def _split_by_dataset(tmp_path) -> list[str]:
    df = pd.read_csv(_csv(tmp_path))
    paths = []
    for ds, part in df.groupby("dataset"):
        path = tmp_path / f"{ds}.csv"
        part.to_csv(path, index=False)
        paths.append(str(path))
    return paths


def test_several_results_files_make_one_report(tmp_path):
    whole = make_report(_csv(tmp_path), tmp_path / "one", figures=False).summary
    parts = make_report(_split_by_dataset(tmp_path), tmp_path / "many", figures=False).summary
    pd.testing.assert_frame_equal(
        whole.sort_values(list(whole.columns[:4])).reset_index(drop=True),
        parts.sort_values(list(parts.columns[:4])).reset_index(drop=True),
    )


def test_the_same_run_in_two_files_is_an_error(tmp_path):
    path = _csv(tmp_path)
    with pytest.raises(ValueError, match="more than one results file"):
        make_report([path, path], tmp_path / "out", figures=False)
    with pytest.raises(ValueError, match="no results files"):
        make_report([], tmp_path / "out", figures=False)


def test_paper_tables_match_the_printed_mean_rows():
    """Transcription check: every complete column of Table 2 averages to its printed mean."""
    assert len(paper.DA3D_TABLE2) == 4
    for key, table in paper.DA3D_TABLE2.items():
        assert len(table) == 10
        for method in paper.METHODS:
            cells = [table[d][method] for d in table]
            if any(c is None for c in cells):
                assert method == "REPEN" and key[1] == "average_precision"
                continue
            assert np.mean([c.mean for c in cells]) == pytest.approx(
                paper.DA3D_TABLE2_MEANS[key][method], abs=0.0051
            )
    missing = [
        (k, d) for k, t in paper.DA3D_TABLE2.items() for d, row in t.items() if row["REPEN"] is None
    ]
    assert sorted(missing) == sorted(
        [
            ((0.0, "average_precision"), "kdd"),
            ((0.01, "average_precision"), "covtype"),
            ((0.01, "average_precision"), "kdd"),
        ]
    )
    assert paper.paper_cell("Mammo", "A3 (ablation)", 0.0, "roc_auc") == paper.PaperCell(0.80, 0.12)
    assert paper.paper_method("fence_gan") == "FenceGAN"
    assert paper.FG_TABLE1["FGAN"] == (0.9546, 0.9697, 0.9553)


def test_fence_gan_variants_are_compared_with_table_i_by_registry_name():
    rows = [
        {
            "experiment": "fence-gan",
            "dataset": "kdd99",
            "dataset_name": "kdd99",
            "detector_label": label,
            "detector": name,
            "params_hash": label,
            "seed": seed,
            "train_contamination": 0.0,
            "protocol": "fence_gan",
            "roc_auc": 0.9,
            "average_precision": 0.8,
            "precision": 0.9,
            "recall": 0.92,
            "f1": f1,
            "status": "ok",
        }
        for label, name in (("FGAN-AdamD", "fence_gan"), ("my-model", "deepsvdd"))
        for seed, f1 in ((0, 0.90), (1, 0.94))
    ]
    fg = fence_gan_comparison(aggregate_results(pd.DataFrame(rows, columns=list(COLUMNS))))
    by_label = fg.set_index("detector_label")
    assert by_label.loc["FGAN-AdamD", "f1_paper"] == 0.9553
    assert by_label.loc["FGAN-AdamD", "f1_diff"] == pytest.approx(0.92 - 0.9553)
    assert np.isnan(by_label.loc["my-model", "f1_paper"])  # no Table I column for it


def test_cells_with_checkpoint_selection_are_marked(tmp_path):
    rows = [
        {
            "experiment": "fence-gan",
            "dataset": "kdd99",
            "dataset_name": "kdd99",
            "detector_label": label,
            "detector": "fence_gan",
            "params_hash": label,
            "seed": seed,
            "train_contamination": 0.0,
            "protocol": "fence_gan",
            "roc_auc": 0.9,
            "average_precision": 0.8,
            "status": "ok",
            "model_selection": selection,
        }
        for label, selection in (
            ("FGAN", "last"),
            ("FGAN-select", "best_validation: epoch 9, validation auroc 0.9935"),
        )
        for seed in (0, 1)
    ]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    agg = aggregate_results(frame).set_index("detector_label")
    assert agg.loc["FGAN-select", "selection_on"] and not agg.loc["FGAN", "selection_on"]
    assert agg.loc["FGAN-select", "detector"] == "FGAN-select [selection ON]"
    assert agg.loc["FGAN", "detector"] == "FGAN"
    files = make_report(frame, tmp_path / "rep", figures=False)
    text = files.markdown.read_text()
    assert "Checkpoint selection is ON for FGAN-select on kdd99" in text
    assert "| Data set | FGAN | FGAN-select [selection ON] |" in text  # the results tables
    # Results files of older versions have no model_selection column: nothing is marked.
    older = aggregate_results(frame.drop(columns="model_selection"))
    assert not older["selection_on"].any()
