"""scikit-learn and PyOD adapters: the applicable parts of the detector contract.

Persistence is not applicable (estimators could only be pickled); `save` must refuse clearly.
"""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.covariance import EllipticEnvelope
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import LocalOutlierFactor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM

from ganad import adapters
from ganad.exceptions import NotFittedError


def _pyod_spec(name: str):
    missing = importlib.util.find_spec("pyod") is None
    reason = "PyOD is not installed (pip install ganad[pyod])"
    return pytest.param(f"pyod:{name}", marks=pytest.mark.skipif(missing, reason=reason))


CONTRACT_SPECS = ["sklearn:IsolationForest", _pyod_spec("ECOD")]
DIRECTION_SPECS = [
    "sklearn:IsolationForest",
    "sklearn:OneClassSVM",
    "sklearn:LocalOutlierFactor",
    "sklearn:EllipticEnvelope",
    _pyod_spec("ECOD"),
    _pyod_spec("KNN"),
]


def make(spec: str, **params):
    return adapters.get_adapter(spec, **{"random_state": 0, **params})


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.uniform(0.2, 0.8, size=(96, 6)).astype(np.float32)
    X_test = rng.uniform(0, 1, size=(20, 6)).astype(np.float32)
    return X, X_test


@pytest.mark.parametrize("spec", CONTRACT_SPECS)
def test_fit_returns_self_and_sets_pyod_attributes(spec, data):
    X, X_test = data
    det = make(spec)
    assert det.fit(X) is det
    assert det.name == spec
    assert det.n_features_in_ == X.shape[1]
    assert det.decision_scores_.shape == (len(X),) and np.isfinite(det.decision_scores_).all()
    assert isinstance(det.threshold_, float)
    assert set(np.unique(det.labels_)) <= {0, 1}
    assert det.labels_.mean() == pytest.approx(0.1, abs=0.02)  # contamination 0.1 by default
    scores = det.decision_function(X_test)
    assert scores.shape == (len(X_test),) and np.isfinite(scores).all()
    assert set(np.unique(det.predict(X_test))) <= {0, 1}
    np.testing.assert_array_equal(det.predict(X_test), (scores > det.threshold_).astype(int))
    for method in ("linear", "unify"):
        proba = det.predict_proba(X_test, method=method)
        assert proba.shape == (len(X_test), 2)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        assert ((proba >= 0) & (proba <= 1)).all()
    with pytest.raises(ValueError, match="method"):
        det.predict_proba(X_test, method="bogus")
    np.testing.assert_array_equal(det.fit_predict(X), det.labels_)


@pytest.mark.parametrize("spec", DIRECTION_SPECS)
def test_scores_are_higher_for_anomalies(spec, planted):
    Xtr, Xte, yte = planted
    det = make(spec).fit(Xtr)
    assert roc_auc_score(yte, det.decision_function(Xte)) >= 0.9


def test_sklearn_scores_are_negated_score_samples(planted):
    Xtr, Xte, _ = planted
    det = adapters.from_sklearn(IsolationForest(n_estimators=50), random_state=3).fit(Xtr)
    reference = IsolationForest(n_estimators=50, random_state=3).fit(Xtr.astype(np.float64))
    np.testing.assert_allclose(
        det.decision_function(Xte), -reference.score_samples(Xte.astype(np.float64))
    )
    # LocalOutlierFactor: training scores come from the training-set LOF, not re-scoring.
    lof = adapters.from_sklearn(LocalOutlierFactor(novelty=True)).fit(Xtr)
    np.testing.assert_allclose(lof.decision_scores_, -lof.estimator_.negative_outlier_factor_)


@pytest.mark.parametrize("spec", CONTRACT_SPECS)
def test_clone_and_params(spec, data):
    det = make(spec).fit(data[0])
    twin = clone(det)
    assert not hasattr(twin, "threshold_")
    assert twin.get_params(deep=False).keys() == {"estimator", "contamination", "random_state"}
    assert any(k.startswith("estimator__") for k in twin.get_params(deep=True))
    twin.set_params(contamination=0.2)
    assert twin.fit(data[0]).labels_.mean() == pytest.approx(0.2, abs=0.02)
    # The wrapped instance is cloned, never fitted in place.
    assert det.estimator_ is not det.estimator


def test_contamination_defaults_to_the_estimators_own(data):
    X = data[0]
    own = IsolationForest(n_estimators=20, contamination=0.05)
    assert adapters.from_sklearn(own).fit(X).contamination_ == 0.05
    auto = IsolationForest(n_estimators=20)  # contamination="auto" is not a fraction: 0.1
    assert adapters.from_sklearn(auto).fit(X).contamination_ == 0.1
    assert adapters.from_sklearn(own, contamination=0.2).fit(X).contamination_ == 0.2


@pytest.mark.parametrize("spec", CONTRACT_SPECS)
def test_not_fitted(spec, data):
    det = make(spec)
    for call in (det.decision_function, det.predict, det.predict_proba):
        with pytest.raises(NotFittedError):
            call(data[1])


@pytest.mark.parametrize("spec", CONTRACT_SPECS)
def test_bad_inputs_raise_clear_errors(spec, data, assert_bad_training_data_rejected):
    X, X_test = data
    det = make(spec)
    assert_bad_training_data_rejected(det, X)
    with pytest.raises(ValueError, match="2-D"):
        det.fit(X.reshape(len(X), 1, 2, 3))
    with pytest.raises(ValueError, match="features"):
        make(spec).fit(X).decision_function(X_test[:, :-1])
    for param, value in (("contamination", 0.9), ("random_state", -1)):
        with pytest.raises(ValueError, match=param):
            make(spec, **{param: value}).fit(X)


@pytest.mark.parametrize("spec", CONTRACT_SPECS)
def test_save_refuses_with_an_explanation(spec, data, tmp_path):
    det = make(spec).fit(data[0])
    with pytest.raises(NotImplementedError, match="pickle"):
        det.save(tmp_path / "model")


@pytest.mark.parametrize("spec", CONTRACT_SPECS)
def test_works_in_sklearn_pipeline(spec, data):
    pipe = make_pipeline(StandardScaler(), make(spec)).fit(data[0])
    assert pipe.decision_function(data[1]).shape == (len(data[1]),)


def test_wrapping_errors():
    with pytest.raises(TypeError, match="instance"):
        adapters.from_sklearn(IsolationForest)
    with pytest.raises(ValueError, match="novelty=True"):
        adapters.from_sklearn(LocalOutlierFactor())
    with pytest.raises(TypeError, match="score"):
        adapters.from_sklearn(StandardScaler())
    with pytest.raises(ValueError, match="Unknown scikit-learn detector"):
        adapters.get_adapter("sklearn:KMeans")
    with pytest.raises(ValueError, match="backend"):
        adapters.get_adapter("tensorflow:Whatever")
    with pytest.raises(ValueError, match="spec"):
        adapters.get_adapter("IsolationForest")
    for cls in (OneClassSVM, EllipticEnvelope):
        assert adapters.from_sklearn(cls()).name == f"sklearn:{cls.__name__}"
    assert "sklearn:IsolationForest" in adapters.list_adapters()


def test_pyod_wrapping_errors():
    pytest.importorskip("pyod")
    from pyod.models.ecod import ECOD

    with pytest.raises(TypeError, match="from_pyod"):
        adapters.from_sklearn(ECOD())
    with pytest.raises(TypeError, match="from_sklearn"):
        adapters.from_pyod(IsolationForest())
    with pytest.raises(ValueError, match="Unknown PyOD detector"):
        adapters.get_adapter("pyod:NoSuchModel")
    assert adapters.get_adapter("pyod:AutoEncoder", epoch_num=1).name == "pyod:AutoEncoder"


def test_missing_pyod_gives_install_hint(monkeypatch):
    for name in [m for m in sys.modules if m == "pyod" or m.startswith("pyod.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "pyod", None)
    with pytest.raises(ImportError, match=r"ganad\[pyod\]"):
        adapters.get_adapter("pyod:ECOD")
    with pytest.raises(ImportError, match=r"ganad\[pyod\]"):
        adapters.from_pyod(object())
