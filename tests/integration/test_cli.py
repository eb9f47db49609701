"""The `ganad` command end to end on the bundled Mammography data (in-process, tiny models)."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

import ganad
from ganad.bench.pipeline import Preprocessor
from ganad.cli import main, parse_value

TINY = [
    "--preset",
    "smoke",
    "--set",
    "epochs=1",
    "--set",
    "batch_size=1024",
    "--device",
    "cpu",
    "-q",
]

TINY_TOML = """
name = "tiny"
protocol = "da3d"
datasets = ["mammography"]
seeds = [110, 210]
train_contaminations = [0.0, 0.01]
device = "cpu"

[[detectors]]
name = "DA3D"
detector = "da3d"
preset = "smoke"
epochs = 1
batch_size = 1024

[[detectors]]
name = "A3"
detector = "a3"
preset = "smoke"
epochs = 1
batch_size = 1024
"""


def _mammography_frame() -> pd.DataFrame:
    ds = ganad.data.load_dataset("mammography")
    frame = pd.DataFrame(np.asarray(ds.X), columns=[f"f{i}" for i in range(ds.X.shape[1])])
    frame["side"] = np.where(frame["f0"] > frame["f0"].median(), "left", "right")
    frame["is_anomaly"] = ds.y
    return frame


def test_fit_save_score_bench_report(tmp_path, capsys):
    model = tmp_path / "model"
    assert main(["fit", "da3d", "mammography", *TINY, "--out", str(model)]) == 0
    out = capsys.readouterr().out
    assert "ROC-AUC" in out and "model saved" in out
    assert (model / "config.json").is_file() and (model / "preprocessing.json").is_file()
    fit_info = json.loads((model / "ganad_fit.json").read_text())
    assert fit_info["seed"] == 110 and fit_info["protocol"] == "da3d"

    scores = tmp_path / "scores.csv"
    assert main(["score", str(model), "mammography", "--out", str(scores), "-q"]) == 0
    frame = pd.read_csv(scores)
    assert list(frame.columns) == ["row", "score", "label", "y_true"]
    assert len(frame) == 1678 and frame["y_true"].sum() == 39
    assert set(frame["label"].unique()) <= {0, 1}
    # The CLI scores are the saved model's scores of the protocol's test split: the loaded
    # pipeline's detector on the preprocessed split, the pipeline itself on the raw rows.
    split = ganad.data.load_split("mammography", protocol="da3d", seed=110)
    pipe = ganad.load(model)
    np.testing.assert_allclose(
        frame["score"], pipe.detector.decision_function(split.x_test), rtol=1e-6
    )
    raw = split.scaler.inverse_transform(split.x_test.astype(np.float64))
    np.testing.assert_allclose(frame["score"], pipe.decision_function(raw), rtol=1e-5)

    toml = tmp_path / "tiny.toml"
    toml.write_text(TINY_TOML)
    results = tmp_path / "results.csv"
    assert main(["bench", str(toml), "--out", str(results), "-q"]) == 0
    rows = pd.read_csv(results)
    assert len(rows) == 8 and (rows["status"] == "ok").all()
    assert set(rows["seed"]) == {110, 210} and set(rows["train_contamination"]) == {0.0, 0.01}
    assert rows["roc_auc"].between(0, 1).all() and (rows["device"] == "cpu").all()
    for col in (
        "ganad_version",
        "torch_version",
        "numpy_version",
        "sklearn_version",
        "params_hash",
        "params",
    ):
        assert rows[col].notna().all(), col
    # Rerunning does nothing: every run is recorded with status ok.
    capsys.readouterr()
    assert main(["bench", str(toml), "--out", str(results)]) == 0
    assert "8 already done" in capsys.readouterr().out
    assert len(pd.read_csv(results)) == 8

    report = tmp_path / "report"
    assert main(["report", str(results), "--out", str(report), "--no-figures", "-q"]) == 0
    md = (report / "report.md").read_text()
    assert ".84 ± .03" in md  # the paper's DA3D Mammography AUC at 0 % beside ours
    assert "| mammography |" in md and "| mean |" in md
    html = (report / "report.html").read_text()
    assert (
        html.startswith("<!DOCTYPE html>")
        and "<table>" in html
        and "http" not in html.split("<body>")[1]
    )


def test_set_with_unknown_key_is_a_helpful_usage_error(tmp_path, capsys):
    code = main(["fit", "da3d", "mammography", "--set", "epochz=3", "--out", str(tmp_path / "m")])
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown parameter 'epochz'" in err and "Did you mean epochs" in err
    assert "Valid keys:" in err and "batch_size" in err
    assert "Traceback" not in err
    assert not (tmp_path / "m").exists()


def test_usage_and_data_errors_exit_2_without_traceback(tmp_path, capsys):
    assert main(["fit", "nosuchdetector", "mammography", "--out", str(tmp_path / "m")]) == 2
    assert "unknown detector" in capsys.readouterr().err
    assert main(["fit", "da3d", "nosuchdata", "--out", str(tmp_path / "m")]) == 2
    assert "unknown data set" in capsys.readouterr().err
    assert (
        main(["score", str(tmp_path / "missing"), "mammography", "--out", str(tmp_path / "s.csv")])
        == 2
    )
    assert "not a saved ganad model" in capsys.readouterr().err
    assert main(["bench", "no-such-preset", "--out", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert "paper-da3d" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as info:
        main(["fit"])
    assert info.value.code == 2


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_streaming_score_matches_in_memory(tmp_path, fmt, capsys):
    frame = _mammography_frame()
    train_csv = tmp_path / "train.csv"
    frame.to_csv(train_csv, index=False)
    model = tmp_path / "model"
    code = main(
        [
            "fit",
            "a3",
            str(train_csv),
            "--label-column",
            "is_anomaly",
            "--categorical",
            "side",
            *TINY,
            "--out",
            str(model),
        ]
    )
    assert code == 0, capsys.readouterr().err
    data = tmp_path / f"score.{fmt}"
    if fmt == "csv":
        frame.to_csv(data, index=False)
    else:
        pytest.importorskip("pyarrow")
        frame.drop(columns="is_anomaly").to_parquet(data)
    out = tmp_path / "scores.csv"
    assert (
        main(["score", str(model), str(data), "--out", str(out), "--chunk-size", "1000", "-q"]) == 0
    )
    streamed = pd.read_csv(out)
    assert len(streamed) == len(frame) > 1000
    assert streamed["row"].tolist() == list(range(len(frame)))

    # `ganad.load` gives the whole pipeline: the raw DataFrame (its label column ignored)
    # scores as `ganad score` scored the file in 1,000-row chunks (equal up to the float
    # rounding of other batch shapes; identical at equal chunking, see test_pipeline.py).
    detector = ganad.load(model)
    pre = Preprocessor.load(model)
    in_memory = detector.decision_function(frame)
    np.testing.assert_allclose(streamed["score"].to_numpy(), in_memory, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(streamed["label"], (in_memory > detector.threshold_).astype(int))
    assert np.mean(streamed["label"] == detector.predict(frame)) > 0.999
    if fmt == "csv":
        np.testing.assert_array_equal(streamed["y_true"], frame["is_anomaly"])
    # The saved encoding reproduces the protocol's: test rows encode exactly like load_split's.
    split = ganad.data.load_split(
        str(train_csv), seed=110, label_column="is_anomaly", categorical=["side"]
    )
    encoded = pre.transform(pre.select(frame, "is_anomaly"))[split.idx_test]
    np.testing.assert_allclose(encoded, split.x_test, rtol=1e-5, atol=1e-6)


def test_score_rejects_a_table_with_missing_columns(tmp_path, capsys):
    frame = _mammography_frame()
    train_csv = tmp_path / "train.csv"
    frame.to_csv(train_csv, index=False)
    model = tmp_path / "model"
    assert (
        main(
            [
                "fit",
                "a3",
                str(train_csv),
                "--label-column",
                "is_anomaly",
                "--categorical",
                "side",
                *TINY,
                "--out",
                str(model),
            ]
        )
        == 0
    )
    bad = tmp_path / "bad.csv"
    frame.drop(columns=["f2", "side"]).to_csv(bad, index=False)
    assert main(["score", str(model), str(bad), "--out", str(tmp_path / "s.csv"), "-q"]) == 2
    err = capsys.readouterr().err
    assert "lacks the column(s)" in err and "f2" in err
    assert not (tmp_path / "s.csv").exists()


def test_list_and_datasets(capsys):
    assert main(["list", "--experiments"]) == 0
    out = capsys.readouterr().out
    assert "da3d" in out and "presets:" in out and "mammography" in out and "paper-da3d" in out
    assert main(["datasets", "list"]) == 0
    out = capsys.readouterr().out
    assert "mammography  yes" in out
    assert main(["datasets", "info", "mammography"]) == 0
    assert "ODDS" in capsys.readouterr().out


def test_parse_value():
    assert parse_value("50") == 50
    assert parse_value("1e-4") == 1e-4
    assert parse_value("[100, 50]") == (100, 50)
    assert parse_value("(100, 50)") == (100, 50)
    assert parse_value("true") is True
    assert parse_value("None") is None
    assert parse_value("simple") == "simple"


def test_demo_and_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--epochs", "1", "--device", "cpu", "-q"]) == 0
    printed = capsys.readouterr().out
    assert "ROC-AUC" in printed and "AP" in printed and "paper" in printed
    assert "ganad bench paper-da3d" in printed  # how to run the paper setting
    assert "recommended detector" in printed and "auto" in printed
    for name in ("model/config.json", "model/preprocessing.json", "scores.csv", "report.md"):
        assert (out / name).is_file(), name
    assert (out / "figures" / "latent_space.png").is_file()
    assert len(pd.read_csv(out / "scores.csv")) == 1678
    plots = tmp_path / "plots"
    assert (
        main(
            [
                "plot",
                str(out / "model"),
                "mammography",
                "--out",
                str(plots),
                "--kind",
                "roc",
                "hist",
                "-q",
            ]
        )
        == 0
    )
    assert sorted(p.name for p in plots.iterdir()) == ["roc_pr.png", "score_histogram.png"]


@pytest.mark.parametrize(
    "argv",
    [
        ["datasets"],
        ["fit", "da3d", "mammography", "--contamination", "2", "--out", "unused"],
        ["bench", "smoke", "--contaminations", "0", "1.5", "--dry-run"],
    ],
)
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2
    assert capsys.readouterr().err.strip()


def test_fit_refuses_an_output_that_is_a_file_before_training(tmp_path, capsys):
    target = tmp_path / "model.txt"
    target.write_text("not a model")
    assert main(["fit", "da3d", "mammography", *TINY, "--out", str(target)]) == 2
    assert "existing file" in capsys.readouterr().err
    assert target.read_text() == "not a model"


def test_score_with_an_unknown_label_column_exits_2(tmp_path, capsys):
    frame = _mammography_frame()
    train_csv = tmp_path / "train.csv"
    frame.to_csv(train_csv, index=False)
    model = tmp_path / "model"
    fit = ["fit", "a3", str(train_csv), "--label-column", "is_anomaly", "--categorical", "side"]
    assert main([*fit, *TINY, "--out", str(model)]) == 0
    argv = ["score", str(model), str(train_csv), "--label-column", "nosuchcol", "-q"]
    assert main([*argv, "--out", str(tmp_path / "s.csv")]) == 2
    assert "nosuchcol" in capsys.readouterr().err


def test_unknown_data_set_in_an_experiment_exits_2(tmp_path, capsys):
    toml = tmp_path / "e.toml"
    toml.write_text(
        'name = "x"\nprotocol = "da3d"\ndatasets = ["nosuchset"]\nseeds = [1]\n'
        'contaminations = [0.0]\n[[detectors]]\nlabel = "D"\ndetector = "da3d"\npreset = "smoke"\n'
    )
    assert main(["bench", str(toml), "--out", str(tmp_path / "r.csv"), "-q"]) == 2
    assert "nosuchset" in capsys.readouterr().err
    assert not (tmp_path / "r.csv").exists()


def test_corrupt_preprocessing_and_a_directory_as_scores_file_exit_2(tmp_path, capsys):
    model = tmp_path / "model"
    assert main(["fit", "da3d", "mammography", *TINY, "--out", str(model)]) == 0
    (tmp_path / "scores").mkdir()
    argv = ["score", str(model), "mammography", "-q"]
    assert main([*argv, "--out", str(tmp_path / "scores")]) == 2
    assert "is a directory" in capsys.readouterr().err
    (model / "preprocessing.json").write_text("{bad")
    assert main([*argv, "--out", str(tmp_path / "s.csv")]) == 2
    assert "preprocessing.json is corrupted" in capsys.readouterr().err


def test_fit_with_a_target_false_positive_rate(tmp_path, capsys):
    rng = np.random.default_rng(0)
    table = tmp_path / "clean.csv"
    pd.DataFrame(rng.normal(size=(400, 5)), columns=[f"f{i}" for i in range(5)]).to_csv(
        table, index=False
    )
    model = tmp_path / "model"
    assert main(["fit", "dte_np", str(table), "--fpr", "0.02", "--out", str(model), "-q"]) == 0
    det = ganad.load(model).detector
    assert det.contamination is None and det.fpr == 0.02
    assert det.labels_.mean() == pytest.approx(0.02, abs=0.005)
    assert main(["fit", "dte_np", str(table), "--fpr", "0.9", "--out", str(tmp_path / "x")]) == 2
    assert "fpr" in capsys.readouterr().err


def test_id_column_and_dropped_columns_stay_out_of_the_features(tmp_path, capsys):
    rng = np.random.default_rng(1)
    n = 300
    table = tmp_path / "fraud.csv"
    pd.DataFrame(
        {
            "txn_id": [f"T{i:05d}" for i in range(n)],
            "amount": rng.gamma(2.0, 30.0, n),
            "hour": rng.integers(0, 24, n),
            "note": [f"free text {i}" for i in range(n)],
            "channel": rng.choice(["web", "pos", "atm"], n),
        }
    ).to_csv(table, index=False)
    model = tmp_path / "model"
    args = ["fit", "dte_np", str(table), "--categorical", "infer", "--out", str(model), "-q"]
    assert main([*args, "--id-column", "txn_id", "--drop", "note"]) == 0
    pipe = ganad.load(model)
    assert pipe.id_column == "txn_id" and pipe.drop == ("note",)
    assert list(pipe.feature_names_in_) == ["amount", "hour", "channel"]
    assert pipe.detector.n_features_in_ == 2 + 3  # amount, hour + one-hot channel
    scores = tmp_path / "scores.csv"
    assert main(["score", str(model), str(table), "--out", str(scores), "-q"]) == 0
    out = pd.read_csv(scores)
    assert list(out.columns[:2]) == ["txn_id", "row"]
    assert out["txn_id"].tolist() == [f"T{i:05d}" for i in range(n)]
    capsys.readouterr()
    assert main([*args, "--drop", "nope"]) == 2
    assert "nope" in capsys.readouterr().err
    # Without --id-column / --drop the ID and the free text are refused, not one-hot encoded.
    assert main([*args, "--drop", "note"]) == 2
    err = capsys.readouterr().err
    assert "'txn_id' looks like an ID" in err and "--id-column txn_id" in err


def test_score_reports_unseen_categories_and_imputed_values(tmp_path, capsys):
    rng = np.random.default_rng(2)
    train = pd.DataFrame(
        {"amount": rng.gamma(2.0, 30.0, 200), "channel": rng.choice(["web", "pos"], 200)}
    )
    train.loc[3, "amount"] = np.nan
    train_file, new_file = tmp_path / "train.csv", tmp_path / "new.csv"
    train.to_csv(train_file, index=False)
    new = pd.DataFrame(
        {"amount": [10.0, np.nan, np.nan, 5.0], "channel": ["web", "atm", "pos", "atm"]}
    )
    new.to_csv(new_file, index=False)
    model = tmp_path / "model"
    fit = ["fit", "dte_np", str(train_file), "--categorical", "infer", "--missing", "median"]
    assert main([*fit, "--out", str(model), "-q"]) == 0
    capsys.readouterr()
    assert main(["score", str(model), str(new_file), "--out", str(tmp_path / "s.csv")]) == 0
    err = capsys.readouterr().err
    assert "missing values imputed as in training: amount: 2" in err
    assert "categories not seen in training (encoded as none): channel: 2" in err
    scores = pd.read_csv(tmp_path / "s.csv")
    assert scores["filled_in"].tolist() == [0, 2, 1, 1]  # per row: NaN amount, unseen "atm"


def test_explain_writes_the_top_columns_per_row(tmp_path, capsys):
    rng = np.random.default_rng(4)
    n = 400
    train = pd.DataFrame(
        {
            "txn_id": [f"T{i:04d}" for i in range(n)],
            "amount": rng.normal(100.0, 5.0, n),
            "hour": rng.normal(12.0, 1.0, n),
            "channel": rng.choice(["web", "pos"], n),
        }
    )
    train_file, new_file = tmp_path / "train.csv", tmp_path / "new.csv"
    train.to_csv(train_file, index=False)
    new = train.iloc[:10].copy()
    new["hour"] = 30.0  # far outside training: the reason for these rows' scores
    new.to_csv(new_file, index=False)
    model = tmp_path / "model"
    fit = ["fit", "aae", str(train_file), "--categorical", "infer", "--id-column", "txn_id"]
    assert main([*fit, "--set", "updates=300", "--out", str(model), "-q"]) == 0
    out = tmp_path / "why.csv"
    assert main(["explain", str(model), str(new_file), "--top", "2", "--out", str(out), "-q"]) == 0
    why = pd.read_csv(out)
    assert list(why.columns) == [
        "txn_id", "row", "score", "label",
        "feature_1", "attribution_1", "feature_2", "attribution_2",
    ]  # fmt: skip
    assert why["txn_id"].tolist() == new["txn_id"].tolist()
    assert (why["feature_1"] == "hour").all()
    assert (why["attribution_1"] >= why["attribution_2"]).all()
    np.testing.assert_allclose(why["score"], ganad.load(model).decision_function(new), rtol=1e-6)
    capsys.readouterr()
    assert main(["explain", str(model), str(new_file), "--top", "1", "-q"]) == 0  # to stdout
    printed = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(printed.columns) == [
        "txn_id",
        "row",
        "score",
        "label",
        "feature_1",
        "attribution_1",
    ]
    assert (printed["feature_1"] == "hour").all()
    assert main(["explain", str(model), "mammography", "--out", str(out)]) == 2
    assert "reads a CSV/Parquet table" in capsys.readouterr().err


def test_ganad_score_equals_the_loaded_pipeline_on_the_raw_file(tmp_path):
    rng = np.random.default_rng(5)
    n = 500
    table = tmp_path / "t.csv"
    pd.DataFrame(
        {
            "id": [f"r{i}" for i in range(n)],
            "a": rng.normal(size=n),
            "b": rng.gamma(2.0, 1.0, n),
            "kind": rng.choice(["x", "y", "z"], n),
        }
    ).to_csv(table, index=False)
    model = tmp_path / "m"
    argv = ["fit", "aae", str(table), "--categorical", "infer", "--id-column", "id"]
    assert main([*argv, "--set", "updates=100", "--out", str(model), "-q"]) == 0
    assert main(["score", str(model), str(table), "--out", str(tmp_path / "s.csv"), "-q"]) == 0
    cli = pd.read_csv(tmp_path / "s.csv")
    raw = pd.read_csv(table)
    np.testing.assert_array_equal(cli["score"].to_numpy(), ganad.load(model).decision_function(raw))


def test_threshold_moves_without_retraining_and_calibrates_on_held_back_rows(tmp_path, capsys):
    rng = np.random.default_rng(6)
    cols = [f"f{i}" for i in range(4)]
    train, normals = tmp_path / "train.csv", tmp_path / "normals.csv"
    pd.DataFrame(rng.normal(size=(300, 4)), columns=cols).to_csv(train, index=False)
    pd.DataFrame(rng.normal(size=(200, 4)), columns=cols).to_csv(normals, index=False)
    model = tmp_path / "m"
    assert main(["fit", "dte_np", str(train), "--out", str(model), "-q"]) == 0
    before = {k: v.clone() for k, v in ganad.load(model).detector.networks_.state_dict().items()}
    assert main(["threshold", str(model), "--fpr", "0.05", "--data", str(normals), "-q"]) == 0
    assert "held-back (200 rows)" in capsys.readouterr().out
    pipe = ganad.load(model)
    assert pipe.detector.fpr == 0.05 and pipe.detector.contamination is None
    assert pipe.predict(pd.read_csv(normals)).mean() == pytest.approx(0.05, abs=0.01)
    assert (model / "ganad_fit.json").is_file()
    # Only the threshold moved: the networks are unchanged.
    after = pipe.detector.networks_.state_dict()
    assert before.keys() == after.keys()
    assert all(bool((before[k] == after[k]).all()) for k in before)
    assert main(["threshold", str(model), "--fpr", "0.9"]) == 2
    assert "fpr" in capsys.readouterr().err
