"""Experiment files, presets, run expansion, params hashes and the results file (no training)."""

from __future__ import annotations

import pandas as pd
import pytest

from ganad import bench, list_detectors
from ganad.bench.experiment import ExperimentError, params_hash
from ganad.bench.results import COLUMNS, ResultsFile, row_key


def _exp(**overrides):
    raw = {
        "name": "t",
        "datasets": [
            "mammography",
            "kdd",
            {"name": "census", "options": {"census_train_file": "data"}},
        ],
        "seeds": [110, 210],
        "train_contaminations": [0.0, 0.01],
        "detectors": [
            {"name": "DA3D", "detector": "da3d", "preset": "{dataset}"},
            {
                "name": "Simple",
                "detector": "da3d",
                "preset": "{dataset}",
                "generator": "simple",
                "by_dataset": {"mammography": {"epochs": 7}},
            },
        ],
    }
    raw.update(overrides)
    return bench.load_experiment(raw)


def test_runs_resolve_presets_overrides_and_seeds():
    runs = _exp().runs()
    assert len(runs) == 3 * 2 * 2 * 2
    first = runs[0]
    assert (first.dataset, first.label, first.seed, first.train_contamination) == (
        "mammography",
        "DA3D",
        110,
        0.0,
    )
    assert first.preset == "mammography" and first.params["aae_dims"] == (12, 10, 8, 6, 3, 2)
    assert first.params["epochs"] == 500 and first.params["batch_size"] == 128
    simple = next(r for r in runs if r.label == "Simple" and r.dataset == "mammography")
    assert simple.params["generator"] == "simple" and simple.params["epochs"] == 7
    simple_kdd = next(r for r in runs if r.label == "Simple" and r.dataset == "kdd")
    assert simple_kdd.params["epochs"] == 500  # by_dataset applies to its data set only
    census = next(r for r in runs if r.dataset_name == "census")
    assert census.dataset == "census[census_train_file=data]"
    assert census.data_options == {"census_train_file": "data"}


def test_params_hash_is_stable_and_sensitive():
    a = params_hash("da3d", {"epochs": 5, "aae_dims": (4, 2)})
    assert a == params_hash(
        "da3d", {"aae_dims": [4, 2], "epochs": 5, "random_state": 3, "device": "cuda"}
    )
    assert a != params_hash("da3d", {"epochs": 6, "aae_dims": (4, 2)})
    assert a != params_hash("a3", {"epochs": 5, "aae_dims": (4, 2)})
    assert a != params_hash(
        "da3d", {"epochs": 5, "aae_dims": (4, 2)}, {"census_train_file": "data"}
    )
    runs = _exp().runs()
    hashes = {(r.dataset, r.label): r.params_hash for r in runs}
    assert len(set(hashes.values())) == len(hashes)  # each configuration its own hash


def test_restrict():
    exp = _exp().restrict(
        datasets=["mammography"], detectors=["simple"], seeds=[1], train_contaminations=[0.0]
    )
    runs = exp.runs()
    assert [(r.dataset, r.label, r.seed, r.train_contamination) for r in runs] == [
        ("mammography", "Simple", 1, 0.0)
    ]
    with pytest.raises(ExperimentError, match="not in experiment"):
        _exp().restrict(datasets=["mnist"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"seeds": []}, "non-empty 'seeds'"),
        ({"seeds": ["a"]}, "list of integers"),
        ({"train_contaminations": [0.7]}, r"\[0, 0.5\)"),
        ({"protocol": "nope"}, "protocol"),
        ({"colour": 1}, "unknown key"),
        ({"detectors": [{"name": "X"}]}, "needs a 'detector'"),
    ],
)
def test_invalid_experiments_raise_helpful_errors(change, message):
    with pytest.raises(ExperimentError, match=message):
        _exp(**change)


def test_unknown_detector_parameter_is_caught_before_running():
    exp = _exp(detectors=[{"name": "D", "detector": "da3d", "epochz": 3}])
    with pytest.raises(ExperimentError, match=r"unknown parameter.*epochz"):
        exp.runs()


def test_missing_preset_falls_back_to_defaults(caplog):
    exp = _exp(
        datasets=["adbench:cardio"],
        detectors=[{"name": "D", "detector": "da3d", "preset": "{dataset}"}],
    )
    runs = exp.runs()
    assert runs[0].preset is None and runs[0].params == {}
    assert "no preset" in caplog.text


def test_shipped_presets_parse():
    presets = bench.list_presets()
    assert {"paper-da3d", "quick-da3d", "fence-gan", "smoke"} <= set(presets)
    paper = bench.load_experiment("paper-da3d")
    assert paper.seeds == [110, 210, 310, 410, 510, 610] and paper.train_contaminations == [
        0.0,
        0.01,
    ]
    assert [d.label for d in paper.detectors][:2] == ["DA3D", "Simple"]
    assert {d.name for d in paper.datasets} == {
        "creditcard",
        "census",
        "covtype",
        "doh",
        "emnist",
        "fmnist",
        "kdd",
        "mnist",
        "mammography",
        "url",
    }
    census = next(d for d in paper.datasets if d.name == "census")
    assert census.options == {"census_train_file": "test"}  # as published, flagged
    runs = paper.runs()
    da3d = next(r for r in runs if r.label == "DA3D" and r.dataset == "kdd")
    assert da3d.params["epochs"] == 500 and da3d.params["batch_size"] == 512
    quick = bench.load_experiment("quick-da3d")
    assert quick.seeds == [110, 210, 310] and [d.label for d in quick.detectors] == [
        "DA3D",
        "Simple",
        "A3",
    ]
    q = next(r for r in quick.runs() if r.dataset == "mammography" and r.label == "A3")
    assert q.params["epochs"] < 500 and q.params["batch_size"] == 128
    fg = bench.load_experiment("fence-gan")
    assert fg.protocol == "fence_gan" and fg.top_fraction == 0.2 and len(fg.seeds) == 10
    if "fence_gan" in list_detectors():
        kdd = next(r for r in fg.runs() if r.dataset == "kdd99" and r.label == "FGAN")
        assert kdd.preset == "kdd99"


def test_results_file_repairs_a_partial_line_and_checks_columns(tmp_path):
    path = tmp_path / "r.csv"
    rf = ResultsFile(path)
    row = {
        "dataset": "d",
        "detector_label": "D",
        "params_hash": "h",
        "seed": 1,
        "train_contamination": 0.01,
        "protocol": "da3d",
        "status": "ok",
        "roc_auc": 0.5,
        "error": None,
    }
    rf.append(row)
    rf.append({**row, "seed": 2, "status": "failed", "error": "x"})
    assert rf.completed() == {row_key(row)}
    with open(path, "a") as fh:
        fh.write("d,D,h,3,0.0")  # a killed writer's partial row
    assert rf.completed() == {row_key(row)}
    rf.append({**row, "seed": 4})
    frame = pd.read_csv(path)
    assert list(frame.columns) == list(COLUMNS) and frame["seed"].tolist() == [1, 2, 4]
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="different columns"):
        ResultsFile(other).completed()


def test_device_per_detector_entry_and_reserved_keys():
    exp = _exp(
        detectors=[
            {"name": "G", "detector": "da3d", "device": "cuda:1"},
            {"name": "C", "detector": "da3d"},
        ],
        device="cpu",
    )
    devices = {r.label: r.device for r in exp.runs()}
    assert devices == {"G": "cuda:1", "C": "cpu"}
    assert {r.device for r in exp.runs(device="mps")} == {"mps"}  # --device overrides every run
    with pytest.raises(ExperimentError, match="random_state"):
        _exp(detectors=[{"name": "D", "detector": "da3d", "random_state": 3}])


def test_census_variant_is_recorded():
    from dataclasses import replace

    from ganad.bench.runner import dataset_variant

    run = replace(_exp().runs()[0], dataset_name="census")
    leaky = dataset_variant(run, {"options": {"census_train_file": "test"}, "leakage": True})
    assert leaky == "train_file=test (leaky, as published)"
    fixed = dataset_variant(run, {"options": {"census_train_file": "data"}, "leakage": False})
    assert fixed == "train_file=data (corrected)"
    assert dataset_variant(run, {"leakage": True}).startswith("train_file=test")
    assert dataset_variant(replace(run, dataset_name="kdd"), {}) == ""


def test_adapter_entries_resolve_and_check_estimator_parameters():
    exp = _exp(
        detectors=[
            {"name": "IF", "detector": "sklearn:IsolationForest", "n_estimators": 10},
            {"name": "Bad", "detector": "sklearn:IsolationForest", "n_trees": 10},
        ]
    )
    with pytest.raises(ExperimentError, match=r"unknown parameter.*n_trees.*n_estimators"):
        exp.runs()
    good = _exp(
        detectors=[{"name": "IF", "detector": "sklearn:IsolationForest", "n_estimators": 10}]
    )
    (run, *_) = good.runs()
    assert run.detector == "sklearn:IsolationForest" and run.params == {"n_estimators": 10}
    with pytest.raises(ExperimentError, match="adapter"):
        _exp(
            detectors=[{"name": "IF", "detector": "sklearn:IsolationForest", "preset": "x"}]
        ).runs()


def test_results_file_of_an_older_version_gains_the_new_columns(tmp_path):
    """A grid written before `model_selection` existed resumes: its rows are kept, the header
    is extended, and new rows line up with it."""
    old_columns = COLUMNS[: COLUMNS.index("model_selection")]
    path = tmp_path / "old.csv"
    row = {"dataset": "d", "detector_label": "D", "params_hash": "h", "seed": 1}
    row.update(train_contamination=0.0, protocol="da3d", status="ok", roc_auc=0.75)
    pd.DataFrame([row], columns=list(old_columns)).to_csv(path, index=False)
    rf = ResultsFile(path)
    assert rf.completed() == {row_key(row)}
    rf.append({**row, "seed": 2, "model_selection": "last"})
    frame = pd.read_csv(path)
    assert list(frame.columns) == list(COLUMNS)
    assert frame["seed"].tolist() == [1, 2] and frame["roc_auc"].tolist() == [0.75, 0.75]
    assert frame["model_selection"].isna().tolist() == [True, False]
    assert not list(tmp_path.glob("*.upgrade"))


def test_old_name_contaminations_is_still_read_but_not_with_the_new_one():
    raw_old = {
        "name": "t",
        "datasets": ["mammography"],
        "seeds": [1],
        "contaminations": [0.0, 0.01],
    }
    raw_old["detectors"] = [{"name": "D", "detector": "da3d", "preset": "smoke"}]
    assert bench.load_experiment(raw_old).train_contaminations == [0.0, 0.01]
    with pytest.raises(ExperimentError, match="train_contaminations"):
        bench.load_experiment({**raw_old, "train_contaminations": [0.0]})


def test_a_results_file_with_the_old_contamination_column_resumes(tmp_path):
    path = tmp_path / "r.csv"
    old_header = [("contamination" if c == "train_contamination" else c) for c in COLUMNS]
    row = dict.fromkeys(old_header, "")
    row.update(
        dataset="d",
        detector_label="D",
        params_hash="h",
        seed="1",
        contamination="0.01",
        protocol="da3d",
        status="ok",
        roc_auc="0.5",
        average_precision="0.2",
    )
    pd.DataFrame([row], columns=old_header).to_csv(path, index=False)
    done = ResultsFile(path).completed()
    assert done == {("d", "D", "h", 1, 0.01, "da3d")}
    assert pd.read_csv(path).columns.tolist() == list(COLUMNS)  # rewritten with the new name
    assert bench.read_results(path)["train_contamination"].tolist() == [0.01]
