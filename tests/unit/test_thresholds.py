"""Thresholds without known contamination: `contamination=None` with a target false-positive
rate, moving the threshold after fit, held-back calibration rows, `predict_confidence`."""

from __future__ import annotations

import numpy as np
import pytest

import ganad


@pytest.fixture(scope="module")
def clean():
    """Clean training rows, held-back normal rows and far anomalies (8-D Gaussian)."""
    rng = np.random.default_rng(0)
    train = rng.normal(0.5, 0.1, size=(600, 8)).astype(np.float32)
    held = rng.normal(0.5, 0.1, size=(4000, 8)).astype(np.float32)
    far = rng.normal(1.5, 0.1, size=(20, 8)).astype(np.float32)
    return train, held, far


def fitted(train, **params):
    return ganad.get_detector("dte_np", random_state=0, device="cpu", **params).fit(train)


def test_clean_training_data_flag_the_target_false_positive_rate(clean):
    train, _, far = clean
    det = fitted(train, contamination=None, fpr=0.02)
    assert det.flagged_rate() == 0.02
    assert det.threshold_ == pytest.approx(np.percentile(det.decision_scores_, 98))
    assert det.labels_.mean() == pytest.approx(0.02, abs=0.005)
    # The default contamination (PyOD's 0.1) flags ten times as many clean rows.
    assert fitted(train).labels_.mean() == pytest.approx(0.1, abs=0.005)
    assert det.predict(far).all()


def test_set_params_after_fit_moves_the_threshold_without_refitting(clean):
    train = clean[0]
    det = fitted(train)
    networks = {k: v.clone() for k, v in det.networks_.state_dict().items()}
    det.set_params(contamination=0.2)
    assert det.threshold_ == pytest.approx(np.percentile(det.decision_scores_, 80))
    assert det.labels_.mean() == pytest.approx(0.2, abs=0.005)
    det.set_params(contamination=None, fpr=0.05)
    assert det.labels_.mean() == pytest.approx(0.05, abs=0.005)
    state = det.networks_.state_dict()
    assert all(np.array_equal(networks[k], state[k]) for k in networks)
    before = det.threshold_
    with pytest.raises(ValueError, match="fpr"):
        det.set_params(fpr=0.0)
    with pytest.raises(ValueError, match="contamination"):
        det.set_params(contamination=0.7)
    assert det.threshold_ == before and det.fpr == 0.05 and det.contamination is None


def test_held_back_rows_calibrate_the_threshold_and_survive_saving(clean, tmp_path):
    train, held, _ = clean
    det = fitted(train).set_threshold(fpr=0.05, X=held[:2000])
    assert det.contamination is None and det.threshold_source_ == "held-back (2000 rows)"
    assert det.threshold_ == pytest.approx(np.percentile(det.decision_function(held[:2000]), 95))
    # On other normal rows the false-positive rate is near the target.
    assert det.predict(held[2000:]).mean() == pytest.approx(0.05, abs=0.015)
    det.save(tmp_path / "m")
    loaded = ganad.load(tmp_path / "m")
    assert loaded.threshold_ == det.threshold_ and loaded.threshold_source_ == det.threshold_source_
    np.testing.assert_array_equal(loaded.calibration_scores_, det.calibration_scores_)
    loaded.set_params(fpr=0.1)  # still on the held-back basis after loading
    assert loaded.threshold_ == pytest.approx(np.percentile(det.calibration_scores_, 90))
    with pytest.raises(ValueError, match="not both"):
        det.set_threshold(fpr=0.1, contamination=0.1)
    with pytest.raises(ValueError, match="at least 2"):
        det.set_threshold(X=held[:1])


def test_predict_confidence_matches_pyod(clean):
    from pyod.models.base import BaseDetector as PyODBase

    train, held, far = clean
    det = fitted(train, contamination=0.05)
    X = np.vstack([held[:50], far])
    confidence = det.predict_confidence(X)
    assert confidence.shape == (len(X),) and ((confidence >= 0) & (confidence <= 1)).all()
    assert (confidence[-len(far) :] > 0.99).all()  # far anomalies: confidently flagged

    class Reference(PyODBase):  # PyOD's own predict_confidence on the same scores
        def __init__(self, contamination):
            super().__init__(contamination=contamination)

        def fit(self, X, y=None):
            return self

        def decision_function(self, X):
            return det.decision_function(X)

    ref = Reference(contamination=0.05)
    ref.decision_scores_, ref.threshold_, ref.labels_ = (
        det.decision_scores_,
        det.threshold_,
        det.labels_,
    )
    np.testing.assert_allclose(confidence, ref.predict_confidence(X), atol=1e-12)
