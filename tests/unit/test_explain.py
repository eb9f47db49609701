"""explain(): per-feature attributions of the anomaly score, for every detector."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import ganad
from ganad.registry import detector_class

D = 6


def _updates(name: str) -> dict[str, int]:
    """A short budget where the detector has one (the planted anomalies are blatant)."""
    return {"updates": 300} if "updates" in detector_class(name)._get_param_names() else {}


def _normal(n: int, rng: np.random.Generator) -> np.ndarray:
    x = rng.normal(0.5, 0.05, size=(n, D)).astype(np.float32)
    x[:, 1] = x[:, 0] + rng.normal(0.0, 0.01, n)  # some structure for the decoders to learn
    return x


def _planted(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Normal rows with one known column moved 12 standard deviations (up or down)."""
    x = _normal(n, rng)
    column = np.arange(n) % D
    x[np.arange(n), column] += np.where(rng.random(n) < 0.5, 0.6, -0.6).astype(np.float32)
    return x, column


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x_anomalies, column = _planted(60, rng)
    return _normal(600, rng), x_anomalies, column


@pytest.mark.parametrize("name", ganad.list_detectors())
def test_every_detector_explains_with_finite_attributions(name, data) -> None:
    x_train, x_anomalies, _ = data
    det = ganad.get_detector(name, random_state=0, **_updates(name)).fit(x_train[:200])
    att = det.explain(x_anomalies[:7])
    assert att.shape == (7, D) and np.isfinite(att).all()
    folded = det.explain(x_anomalies[:7], groups=np.array([0, 0, 1, 1, 2, 2]))
    assert folded.shape == (7, 3) and np.isfinite(folded).all()


# One detector or more per attribution family (reconstruction error, integrated gradients,
# ablation) and per kind of detector (autoencoder, GAN with encoder, latent search, diffusion,
# nearest neighbours, one-class), each on its default method except where named.
FAMILIES = [
    ("aae", "auto"),
    ("ganomaly", "auto"),
    ("fanogan", "auto"),
    ("a3", "auto"),
    ("dte", "auto"),
    ("dte_np", "auto"),
    ("repen", "auto"),
    ("anogan", "auto"),
    ("aae", "integrated_gradients"),
    ("dte_np", "ablation"),
]


@pytest.mark.parametrize(("name", "method"), FAMILIES)
def test_the_planted_column_ranks_first(name, method, data) -> None:
    x_train, x_anomalies, column = data
    det = ganad.get_detector(name, random_state=0, **_updates(name)).fit(x_train)
    att = det.explain(x_anomalies, method=method)
    assert np.mean(att.argmax(axis=1) == column) >= 0.9


def test_methods_resolve_per_detector(data) -> None:
    from ganad.explain import resolve_method

    x_train, x_anomalies, _ = data
    probe = __import__("torch").from_numpy(x_anomalies[:2])
    expected = {"aae": "reconstruction", "deepsvdd": "integrated_gradients", "anogan": "ablation"}
    for name, method in expected.items():
        det = ganad.get_detector(name, random_state=0, **_updates(name)).fit(x_train[:100])
        assert resolve_method(det, "auto", probe) == method


def test_integrated_gradients_are_complete(data) -> None:
    x_train, x_anomalies, _ = data
    det = ganad.get_detector("deepsvdd", random_state=0, updates=200).fit(x_train)
    att = det.explain(x_anomalies[:10], method="integrated_gradients", n_steps=64)
    gap = det.decision_function(x_anomalies[:10]) - det.decision_function(
        det.feature_medians_[None, :]
    )
    # Up to the path integral's error (64 steps of a smooth network).
    np.testing.assert_allclose(att.sum(axis=1), gap, rtol=0.05, atol=0.01 * np.abs(gap).max())


def test_bad_arguments_are_named(data) -> None:
    x_train, x_anomalies, _ = data
    det = ganad.get_detector("deepsvdd", random_state=0, updates=50).fit(x_train[:100])
    with pytest.raises(ValueError, match="method must be one of"):
        det.explain(x_anomalies, method="shap")
    with pytest.raises(ValueError, match="has no decoder"):
        det.explain(x_anomalies, method="reconstruction")
    with pytest.raises(ValueError, match="groups must be 6 integer"):
        det.explain(x_anomalies, groups=[0, 1])
    with pytest.raises(ValueError, match="none left empty"):
        det.explain(x_anomalies, groups=[0, 0, 2, 2, 3, 3])
    with pytest.raises(ValueError, match="baseline must be one finite row"):
        det.explain(x_anomalies, baseline=np.zeros(3))
    with pytest.raises(ValueError, match="n_steps"):
        det.explain(x_anomalies, n_steps=1)


def test_saved_model_explains_the_same(data, tmp_path) -> None:
    x_train, x_anomalies, _ = data
    det = ganad.get_detector("aae", random_state=0, updates=100).fit(x_train)
    det.save(tmp_path / "m")
    loaded = ganad.load(tmp_path / "m")
    np.testing.assert_array_equal(loaded.feature_medians_, det.feature_medians_)
    for method in ("reconstruction", "integrated_gradients"):
        np.testing.assert_allclose(
            loaded.explain(x_anomalies, method=method),
            det.explain(x_anomalies, method=method),
            rtol=1e-6,
            atol=1e-9,
        )


def test_pipeline_explains_per_source_column(tmp_path) -> None:
    rng = np.random.default_rng(3)
    n = 600
    frame = pd.DataFrame(
        {
            "id": np.arange(n),
            "amount": rng.normal(100.0, 5.0, n),
            "hour": rng.normal(12.0, 1.0, n),
            "channel": rng.choice(["web", "pos", "atm"], n, p=[0.8, 0.15, 0.05]),
        }
    )
    pipe = ganad.make_pipeline(
        ganad.get_detector("aae", random_state=0, updates=400), id_column="id"
    ).fit(frame)
    odd = frame.iloc[:20].copy()
    odd["amount"] = 160.0  # 12 standard deviations out, in the column's own units
    att = pipe.explain(odd)
    assert list(att.columns) == ["amount", "hour", "channel"]  # one-hot block folded back
    assert att.index.name == "id" and att.index.tolist() == list(range(20))
    assert (att.idxmax(axis=1) == "amount").mean() >= 0.9
    # An unseen category is explained by its column: the baseline is a typical row (most
    # frequent category), not the all-zero "no known category" block.
    unseen = frame.iloc[20:40].assign(channel="crypto")
    assert (pipe.explain(unseen).idxmax(axis=1) == "channel").mean() >= 0.9
    pipe.save(tmp_path / "p")
    pd.testing.assert_frame_equal(ganad.load(tmp_path / "p").explain(odd), att)


def test_wrapped_sklearn_detectors_explain_by_ablation(data) -> None:
    from sklearn.ensemble import IsolationForest

    from ganad.adapters import from_sklearn

    x_train, x_anomalies, column = data
    det = from_sklearn(IsolationForest(random_state=0)).fit(x_train)
    att = det.explain(x_anomalies)
    assert att.shape == (len(x_anomalies), D)
    assert np.mean(att.argmax(axis=1) == column) >= 0.9
    with pytest.raises(ValueError, match="ablation only"):
        det.explain(x_anomalies, method="integrated_gradients")
