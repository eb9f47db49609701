"""The scikit-learn / PyOD contract, checked for every registered detector.

Each detector ships a "smoke" preset (tiny networks, 1-2 epochs) used here.
"""

from __future__ import annotations

import inspect
import json
import os
import random

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import ganad
from ganad.exceptions import ModelFileError, NotFittedError
from ganad.tags import get_tags

# GANAD_TEST_DETECTORS="da3d,a3" narrows the run while developing one detector.
_only = [n for n in os.environ.get("GANAD_TEST_DETECTORS", "").split(",") if n]
DETECTORS = [n for n in ganad.list_detectors() if not _only or n in _only]


def make(name: str, **params):
    return ganad.get_detector(
        name, preset="smoke", **{"random_state": 0, "device": "cpu", **params}
    )


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.uniform(0.2, 0.8, size=(96, 6)).astype(np.float32)
    X_test = rng.uniform(0, 1, size=(20, 6)).astype(np.float32)
    y = np.zeros(len(X), dtype=np.int64)
    y[:4] = 1  # known anomalies for semi-supervised detectors; ignored by the others
    X[:4] = rng.uniform(0.9, 1.0, size=(4, 6))
    return X, y, X_test


class _Fitted(dict):
    """Fits each detector once, on first use, so one broken detector fails only its own tests."""

    def __init__(self, data):
        super().__init__()
        self.data = data

    def __missing__(self, name):
        X, y, _ = self.data
        self[name] = make(name).fit(X, y)
        return self[name]


@pytest.fixture(scope="module")
def fitted(data):
    return _Fitted(data)


def test_registry_lists_core_detectors():
    assert {"aae", "da3d", "a3"} <= set(ganad.list_detectors())


@pytest.mark.parametrize("name", DETECTORS)
def test_init_only_stores_keyword_params(name):
    cls = ganad.registry.detector_class(name)
    sig = inspect.signature(cls.__init__)
    params = [p for p in sig.parameters.values() if p.name != "self"]
    assert all(p.kind is p.KEYWORD_ONLY for p in params), (
        "constructor arguments must be keyword-only"
    )
    for p in params:
        assert not isinstance(p.default, list | dict | set | np.ndarray), (
            f"mutable default for {p.name}"
        )
    det = cls()
    assert not [a for a in vars(det) if a.endswith("_")], "no fitted state before fit"
    assert set(det.get_params()) == {p.name for p in params}
    for common in ("contamination", "random_state", "device", "verbose", "scaling"):
        assert common in det.get_params()
    assert "smoke" in cls.PRESETS


@pytest.mark.parametrize("name", DETECTORS)
def test_fit_returns_self_and_sets_pyod_attributes(name, data, fitted):
    X, _, X_test = data
    det = fitted[name]
    assert det.n_features_in_ == X.shape[1]
    assert det.decision_scores_.shape == (len(X),)
    assert np.isfinite(det.decision_scores_).all()
    assert isinstance(det.threshold_, float)
    assert set(np.unique(det.labels_)) <= {0, 1}
    assert det.history_ and all(np.isfinite(v).all() for v in det.history_.values())
    scores = det.decision_function(X_test)
    assert scores.shape == (len(X_test),) and np.isfinite(scores).all()
    assert set(np.unique(det.predict(X_test))) <= {0, 1}
    for method in ("linear", "unify"):
        proba = det.predict_proba(X_test, method=method)
        assert proba.shape == (len(X_test), 2)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        assert ((proba >= 0) & (proba <= 1)).all()
    with pytest.raises(ValueError, match="method"):
        det.predict_proba(X_test, method="bogus")
    fresh = make(name)
    assert fresh.fit(X, data[1]) is fresh


@pytest.mark.parametrize("name", DETECTORS)
def test_clone_and_params_roundtrip(name, fitted):
    det = fitted[name]
    twin = clone(det)
    assert twin.get_params() == det.get_params()
    assert not hasattr(twin, "threshold_")
    twin.set_params(contamination=0.2)
    assert twin.contamination == 0.2


@pytest.mark.parametrize("name", DETECTORS)
def test_not_fitted(name, data):
    det = make(name)
    for call in (det.decision_function, det.predict, det.predict_proba):
        with pytest.raises(NotFittedError):
            call(data[2])


@pytest.mark.parametrize("name", DETECTORS)
def test_bad_inputs_raise_clear_errors(name, data, fitted, assert_bad_training_data_rejected):
    X, _, X_test = data
    assert_bad_training_data_rejected(make(name), X)
    with pytest.raises(ValueError, match="features"):
        fitted[name].decision_function(X_test[:, :-1])
    for param, value in (
        ("contamination", 0.9),
        ("random_state", -1),
        ("device", "gpu7"),
        ("scaling", "zscore"),
    ):
        with pytest.raises(ValueError, match=param):
            make(name, **{param: value}).fit(X)
    with pytest.raises(ValueError, match="Unknown parameter"):
        ganad.get_detector(name, no_such_parameter=1)


@pytest.mark.parametrize("name", DETECTORS)
def test_same_seed_same_scores_and_caller_rng_untouched(name, data):
    X, y, X_test = data
    random.seed(123)
    np.random.seed(123)
    torch.manual_seed(123)
    states = (random.getstate(), np.random.get_state()[1].copy(), torch.get_rng_state().clone())
    a = make(name).fit(X, y).decision_function(X_test)
    b = make(name).fit(X, y).decision_function(X_test)
    np.testing.assert_array_equal(a, b)
    assert random.getstate() == states[0]
    np.testing.assert_array_equal(np.random.get_state()[1], states[1])
    assert torch.equal(torch.get_rng_state(), states[2])


@pytest.mark.parametrize("name", DETECTORS)
def test_scores_do_not_depend_on_batch_size(name, data, fitted):
    det = fitted[name]
    if not get_tags(det).tiled_cpu_scoring:
        pytest.skip(f"{name}: randomised scoring, the batch is part of the result")
    _, _, X_test = data
    reference = det.decision_function(X_test, batch_size=1)
    for batch_size in (7, 8192):
        np.testing.assert_allclose(
            det.decision_function(X_test, batch_size=batch_size), reference, rtol=1e-5, atol=1e-7
        )


def test_cpu_scoring_is_tiled(fitted, data, monkeypatch):
    det = fitted["da3d"]
    monkeypatch.setattr("ganad.base._MIN_TILE_ROWS", 1)
    widest = max(m.out_features for m in det.networks_.modules() if hasattr(m, "out_features"))
    monkeypatch.setattr("ganad.base._CPU_TILE_FLOATS", 8 * widest)
    assert det._cpu_tile_rows() == 8
    sizes = [len(xb) for _, xb in det._scaled_batches(data[2], batch_size=8192)]
    assert sizes == [8, 8, 4]


@pytest.mark.parametrize("name", DETECTORS)
def test_save_load_identical_scores(name, data, fitted, tmp_path):
    _, _, X_test = data
    det = fitted[name]
    det.save(tmp_path / "model")
    loaded = ganad.load(tmp_path / "model", device="cpu")
    assert type(loaded) is type(det)
    assert loaded.get_params() == det.get_params() | {"device": "cpu"}
    np.testing.assert_array_equal(loaded.decision_function(X_test), det.decision_function(X_test))
    np.testing.assert_array_equal(loaded.decision_scores_, det.decision_scores_)
    assert loaded.threshold_ == det.threshold_
    assert loaded.history_ == det.history_


@pytest.mark.parametrize("name", DETECTORS)
def test_corrupted_or_foreign_model_refused(name, fitted, tmp_path):
    path = tmp_path / "model"
    fitted[name].save(path)
    (path / "weights.safetensors").write_bytes(b"\x00garbage")
    with pytest.raises(ModelFileError):
        ganad.load(path)
    fitted[name].save(path)
    config = json.loads((path / "config.json").read_text())
    config["format"] = "something-else"
    (path / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelFileError, match="format"):
        ganad.load(path)


@pytest.mark.parametrize("name", DETECTORS)
def test_works_in_sklearn_pipeline(name, data):
    X, y, X_test = data
    pipe = make_pipeline(StandardScaler(), make(name))
    pipe.fit(X, y)
    assert pipe.decision_function(X_test).shape == (len(X_test),)


@pytest.mark.parametrize("name", DETECTORS)
def test_image_input(name):
    if not get_tags(ganad.get_detector(name)).supports_images:
        pytest.skip(f"{name} takes tabular data only")
    rng = np.random.default_rng(1)
    X = rng.uniform(0, 1, size=(24, 1, 28, 28)).astype(np.float32)
    det = make(name).fit(X, np.zeros(len(X), dtype=np.int64))
    assert det.input_shape_ == (1, 28, 28)
    scores = det.decision_function(X[:5])
    assert scores.shape == (5,) and np.isfinite(scores).all()
    with pytest.raises(ValueError, match="shape"):
        det.decision_function(rng.uniform(size=(3, 1, 32, 32)).astype(np.float32))
