"""ganad.make_pipeline: one artefact of preprocessing + detector, on raw DataFrames."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import ganad
from ganad.data import TabularEncoder
from ganad.data.preprocessing import Preprocessor
from ganad.pipeline import AnomalyPipeline


def _fraud(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "txn_id": [f"T{i:06d}" for i in range(n)],
            "amount": rng.gamma(2.0, 30.0, n),
            "hour": rng.integers(0, 24, n).astype(float),
            "channel": rng.choice(["web", "pos", "atm"], n),
            "country": rng.choice(["DE", "FR", "NL", "BE"], n),
        }
    )
    frame.loc[rng.choice(n, 8, replace=False), "amount"] = np.nan
    frame.loc[rng.choice(n, 5, replace=False), "channel"] = None
    return frame


@pytest.fixture(scope="module")
def fitted() -> tuple[AnomalyPipeline, pd.DataFrame]:
    frame = _fraud()
    detector = ganad.get_detector("dte_np", random_state=0)
    pipe = ganad.make_pipeline(detector, id_column="txn_id", missing="median")
    return pipe.fit(frame), frame


def test_fit_returns_self_and_scores_raw_frames(fitted) -> None:
    pipe, frame = fitted
    assert list(pipe.feature_names_in_) == ["amount", "hour", "channel", "country"]
    # amount, hour, then one-hot channel (<missing>, atm, pos, web) and country (4).
    assert pipe.detector.n_features_in_ == 2 + 4 + 4
    scores = pipe.decision_function(frame)
    assert scores.shape == (len(frame),) and np.isfinite(scores).all()
    np.testing.assert_array_equal(scores, pipe.detector.decision_function(pipe.transform(frame)))
    assert set(np.unique(pipe.predict(frame))) <= {0, 1}
    assert pipe.predict_proba(frame).shape == (len(frame), 2)
    assert pipe.predict_confidence(frame).shape == (len(frame),)


def test_columns_matched_by_name_and_missing_ones_named(fitted) -> None:
    pipe, frame = fitted
    reordered = frame[["country", "hour", "txn_id", "channel", "amount"]].assign(extra=1)
    np.testing.assert_array_equal(pipe.decision_function(reordered), pipe.decision_function(frame))
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['hour'\]"):
        pipe.decision_function(frame.drop(columns=["hour", "txn_id"]))


def test_score_frame_carries_the_id(fitted) -> None:
    pipe, frame = fitted
    out = pipe.score_frame(frame.iloc[:5])
    assert list(out.columns) == ["txn_id", "score", "label"]
    assert out["txn_id"].tolist() == frame["txn_id"].iloc[:5].tolist()


def test_saved_and_loaded_pipeline_scores_identically(fitted, tmp_path) -> None:
    pipe, frame = fitted
    pipe.save(tmp_path / "m")
    files = sorted(p.name for p in (tmp_path / "m").iterdir())
    assert files == ["config.json", "pipeline.json", "preprocessing.json", "weights.safetensors"]
    loaded = ganad.load(tmp_path / "m")
    assert isinstance(loaded, AnomalyPipeline)
    assert loaded.id_column == "txn_id" and loaded.missing == "median"
    np.testing.assert_array_equal(loaded.decision_function(frame), pipe.decision_function(frame))
    assert loaded.threshold_ == pipe.threshold_
    # A detector saved into the pipeline's directory replaces the whole artefact: no stale
    # preprocessing survives to be applied to its input.
    pipe.detector.save(tmp_path / "m")
    assert not (tmp_path / "m" / "preprocessing.json").exists()
    assert not isinstance(ganad.load(tmp_path / "m"), AnomalyPipeline)


def test_sklearn_contract_clone_params_and_threshold_moves(fitted) -> None:
    pipe, frame = fitted
    params = pipe.get_params(deep=True)
    assert params["id_column"] == "txn_id" and params["detector__fpr"] == 0.01
    copy = clone(pipe)
    assert not hasattr(copy, "preprocessor_") and not hasattr(copy.detector, "threshold_")
    rate = pipe.predict(frame).mean()
    pipe.set_params(detector__contamination=None, detector__fpr=0.2)
    assert pipe.predict(frame).mean() > rate
    pipe.set_threshold(fpr=0.01)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"missing": "sometimes"}, ValueError, "missing must be one of"),
        ({"id_column": 3}, TypeError, "id_column must be a column name"),
        ({"drop": "note"}, TypeError, "drop must be a sequence"),
        ({"id_column": "nope"}, ValueError, r"\['nope'\] \(id_column / drop\) are not in X"),
    ],
)
def test_bad_parameters_are_named(kwargs, error, words) -> None:
    pipe = ganad.make_pipeline("dte_np", missing="median")
    pipe.set_params(**kwargs)
    with pytest.raises(error, match=words):
        pipe.fit(_fraud(60))
    with pytest.raises(TypeError, match="must be a ganad detector"):
        AnomalyPipeline(object()).fit(_fraud(60))


def test_id_like_and_high_cardinality_columns_are_refused() -> None:
    frame = _fraud()
    with pytest.raises(ValueError, match=r"'txn_id' looks like an ID .*id_column='txn_id'"):
        ganad.make_pipeline("dte_np", missing="median").fit(frame)
    wide = frame.assign(merchant=[f"m{i % 150}" for i in range(len(frame))])
    with pytest.raises(ValueError, match=r"'merchant' has 150 distinct values .*max_categories"):
        ganad.make_pipeline("dte_np", id_column="txn_id", missing="median").fit(wide)
    pipe = ganad.make_pipeline(
        "dte_np", id_column="txn_id", missing="median", max_categories=10
    ).fit(wide)
    categories = pipe.preprocessor_.encoder().categories_["merchant"]
    assert len(categories) == 10 and "<infrequent>" in categories
    # A merchant never seen in training joins the rare ones (and is counted as unseen).
    later = wide.iloc[:2].assign(merchant=["m9999", "m3"])
    x, report = pipe.transform_with_report(later)
    encoder = pipe.preprocessor_.encoder()
    block = x[:, -len(categories) :]
    assert block[0, categories.index("<infrequent>")] == 1.0 and block[0].sum() == 1.0
    assert report.unseen == {"merchant": 1}
    assert encoder.categories_["merchant"] == categories


def test_missing_drop_policy_trains_on_complete_rows() -> None:
    frame = _fraud()
    pipe = ganad.make_pipeline("dte_np", id_column="txn_id", missing="drop").fit(frame)
    assert len(pipe.decision_scores_) == len(frame.dropna())
    with pytest.raises(ValueError, match="missing value"):
        pipe.decision_function(frame)


def test_encoder_state_round_trips_exactly() -> None:
    frame = _fraud().drop(columns="txn_id")
    frame["merchant"] = [f"m{i % 40}" for i in range(len(frame))]
    enc = TabularEncoder(categorical="infer", missing="median", max_categories=8).fit(frame)
    state = json.loads(json.dumps(enc.to_state()))
    rebuilt = TabularEncoder.from_state(state)
    new = frame.sample(frac=1.0, random_state=1).reset_index(drop=True)
    new.loc[:3, "country"] = "XX"  # unseen
    np.testing.assert_array_equal(rebuilt.transform(new), enc.transform(new))
    _, report = rebuilt.transform_with_report(new)
    assert report.unseen == {"country": 4}
    assert report.missing == {"amount": int(new["amount"].isna().sum()), "channel": 5}
    expected = new["amount"].isna().astype(int) + new["channel"].isna() + (new.index < 4)
    np.testing.assert_array_equal(report.per_row, expected.to_numpy())
    assert list(rebuilt.get_feature_names_out()) == list(enc.get_feature_names_out())
    assert rebuilt.source_columns()[-1] == "merchant"


def test_a_table_preprocessing_saved_before_the_rebuild_still_loads() -> None:
    # The state `Preprocessor.from_encoder` wrote before the encoder was rebuilt on
    # scikit-learn: no "infrequent" / "max_categories" keys, categories as JSON values.
    old = {
        "kind": "table",
        "columns": ["n", "c"],
        "input_shape": [3],
        "state": {
            "columns": ["n", "c"],
            "numeric": ["n"],
            "categorical": ["c"],
            "categories": {"c": ["a", "b"]},
            "medians": [5.0],
            "data_min": [0.0],
            "data_max": [10.0],
            "scale_numeric": True,
            "missing": "error",
            "n_out": 3,
        },
    }
    pre = Preprocessor.from_dict(old)
    out = pre.transform(pd.DataFrame({"n": [2.5, 10.0], "c": ["b", "z"]}))
    np.testing.assert_allclose(out, [[0.25, 0.0, 1.0], [1.0, 0.0, 0.0]])


@pytest.mark.parametrize("name", ganad.list_detectors())
def test_every_detector_in_a_pipeline_round_trips(name, tmp_path) -> None:
    frame = _fraud(120, seed=1)
    detector = ganad.get_detector(name, preset="smoke", random_state=0)
    y = (np.arange(len(frame)) < 6).astype(int)  # reaches only detectors that use labels
    pipe = ganad.make_pipeline(detector, id_column="txn_id", missing="median").fit(frame, y)
    pipe.save(tmp_path / "m")
    loaded = ganad.load(tmp_path / "m")
    np.testing.assert_array_equal(loaded.decision_function(frame), pipe.decision_function(frame))
    att = loaded.explain(frame.iloc[:4])
    assert list(att.columns) == ["amount", "hour", "channel", "country"]
    assert np.isfinite(att.to_numpy()).all()


def test_integer_column_names_and_integer_coded_categories() -> None:
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({0: rng.normal(size=80), 1: rng.integers(1, 4, 80)})
    pipe = ganad.make_pipeline("dte_np", categorical=["1"], missing="median").fit(frame)
    np.testing.assert_array_equal(pipe.decision_function(frame), pipe.decision_function(frame))
    # 1 as an int and 1.0 in a column that also holds a NaN are one category, not "unseen".
    later = pd.DataFrame({0: [0.1, 0.2], 1: [1.0, np.nan]})
    _, report = pipe.transform_with_report(later)
    assert report.unseen == {} and report.missing == {"1": 1}


def test_infinite_values_are_counted_and_empty_frames_refused_clearly(fitted) -> None:
    pipe, frame = fitted
    rows = frame.iloc[:3].copy()
    rows.loc[rows.index[0], "hour"] = np.inf
    _, report = pipe.transform_with_report(rows)
    assert report.missing.get("hour") == 1
    assert pipe.transform(frame.iloc[:0]).shape == (0, pipe.detector.n_features_in_)
    with pytest.raises(ValueError, match="X is empty: 0 samples"):  # as for a bare detector
        pipe.decision_function(frame.iloc[:0])


def test_results_keep_the_frames_index_without_an_id() -> None:
    frame = _fraud().drop(columns="txn_id")
    pipe = ganad.make_pipeline("dte_np", missing="median").fit(frame)
    subset = frame[frame["hour"] > 12]
    assert pipe.score_frame(subset).index.equals(subset.index)
    assert pipe.explain(subset.iloc[:5]).index.equals(subset.index[:5])


def test_a_directory_of_an_older_ganad_fit_keeps_its_policy(fitted, tmp_path) -> None:
    pipe, frame = fitted
    pipe.save(tmp_path / "m", extra_files={"ganad_fit.json": json.dumps({"id_column": "txn_id"})})
    (tmp_path / "m" / "pipeline.json").unlink()  # what `ganad fit` wrote before the manifest
    loaded = ganad.load(tmp_path / "m")
    assert loaded.missing == "median" and loaded.id_column == "txn_id"
    assert loaded.categorical == ["channel", "country"]
    np.testing.assert_array_equal(loaded.decision_function(frame), pipe.decision_function(frame))


def test_image_pipelines_warn_on_input_that_looks_already_scaled(caplog) -> None:
    pre = Preprocessor("image", input_shape=[1, 2, 2])
    with caplog.at_level("WARNING", logger="ganad"):
        pre.transform(pd.DataFrame(np.full((2, 4), 200.0)))
        assert not caplog.records
        out = pre.transform(pd.DataFrame(np.full((2, 4), 0.5)))
    assert "pixel values are all <= 1" in caplog.text
    np.testing.assert_allclose(out, 0.5 / 255.0)  # said, not refused or changed
