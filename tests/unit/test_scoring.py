"""Score composition (`ganad.scoring`): χ latent-norm check, ScoreComposer, component scoring."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import stats
from sklearn.metrics import roc_auc_score

import ganad
from ganad.scoring import ScoreComposer, chi_accept, chi_deviation, chi_stats, weighted_sum


@pytest.mark.parametrize("d", [1, 2, 16, 100])
def test_chi_stats_match_scipy(d):
    s = chi_stats(d)
    assert s.mean == pytest.approx(stats.chi(d).mean())
    assert s.std == pytest.approx(stats.chi(d).std())
    assert s.mode == pytest.approx(math.sqrt(d - 1))


def test_chi_check_accepts_the_shell_and_rejects_the_origin():
    d = 64
    rng = np.random.default_rng(0)
    typical = np.linalg.norm(rng.normal(size=(2000, d)), axis=1)
    assert chi_accept(typical, d, k=3.0).mean() > 0.99
    assert not chi_accept(np.array([0.0, 3 * math.sqrt(d)]), d).any()
    assert chi_deviation(np.array([math.sqrt(d - 1)]), d)[0] == pytest.approx(0.0)
    with pytest.raises(ValueError, match="latent dimension"):
        chi_stats(0)
    with pytest.raises(ValueError, match="k must"):
        chi_accept(typical, d, k=-1)


def _components(seed=0, n=400):
    rng = np.random.default_rng(seed)
    y = (rng.uniform(size=n) < 0.2).astype(int)
    comps = {
        "residual": rng.normal(size=n) + 2.0 * y,  # informative
        "feature_matching": 100.0 * rng.normal(size=n),  # noise on a large scale
        "latent_norm": np.abs(rng.normal(math.sqrt(7), 0.7, size=n)),
    }
    return comps, y


def test_weighted_sum_and_weight_checks():
    comps, _ = _components()
    c = ScoreComposer(weights={"residual": 0.25, "feature_matching": 0.75}).fit(comps)
    np.testing.assert_allclose(
        c.score(comps), 0.25 * comps["residual"] + 0.75 * comps["feature_matching"]
    )
    assert c.used_labels_ is False and c.report()["labels"] == "none used"
    with pytest.raises(ValueError, match="sum to 1"):
        ScoreComposer(weights={"residual": 0.5, "feature_matching": 0.6}).fit(comps)
    with pytest.raises(ValueError, match="non-negative"):
        ScoreComposer(weights={"residual": 1.5, "feature_matching": -0.5}).fit(comps)
    with pytest.raises(ValueError, match="unknown components"):
        ScoreComposer(weights={"nope": 1.0}).fit(comps)
    with pytest.raises(ValueError, match="method"):
        ScoreComposer(method="gbm").fit(comps)


def test_standardized_equal_weights_drop_the_raw_latent_norm():
    comps, _ = _components()
    c = ScoreComposer(standardize=True).fit(
        {**comps, "search_steps": np.full(len(comps["residual"]), 5.0)}
    )
    assert set(c.weights_) == {"residual", "feature_matching"}  # no raw norm, no diagnostics
    z = {k: (v - v.mean()) / v.std() for k, v in comps.items()}
    np.testing.assert_allclose(c.score(comps), 0.5 * z["residual"] + 0.5 * z["feature_matching"])


@pytest.mark.parametrize("method", ["logistic", "svm"])
def test_learned_combiner_uses_and_records_labels(method):
    comps, y = _components(0)
    with pytest.raises(ValueError, match="needs labels"):
        ScoreComposer(method=method).fit(comps)
    c = ScoreComposer(method=method).fit(comps, y)
    assert c.used_labels_ and c.report()["used_labels"]
    assert "labelled validation samples" in c.report()["labels"]
    test, y_test = _components(1)
    assert roc_auc_score(y_test, c.score(test)) > 0.85
    assert roc_auc_score(y_test, test["feature_matching"]) < 0.6
    with pytest.raises(ValueError, match="both classes"):
        ScoreComposer(method=method).fit(comps, np.zeros_like(y))


def test_latent_check_penalise_and_component():
    d = 7
    comps = {"residual": np.zeros(3), "latent_norm": np.array([math.sqrt(d - 1), 0.0, 20.0])}
    pen = ScoreComposer(
        weights={"residual": 1.0}, latent_check="penalise", latent_dim=d, k=2.0
    ).fit(comps)
    s = pen.score(comps)
    assert s[0] == 0.0 and s[1] > 0.0 and s[2] > s[1]
    np.testing.assert_array_equal(pen.accepted(comps), [True, False, False])
    comp = ScoreComposer(latent_check="component", latent_dim=d).fit(comps)
    assert "latent_deviation" in comp.names_ and "latent_norm" not in comp.names_
    with pytest.raises(ValueError, match="latent_dim"):
        ScoreComposer(latent_check="penalise").fit(comps)
    with pytest.raises(ValueError, match="latent_norm"):
        ScoreComposer(latent_check="component", latent_dim=d).fit({"residual": np.zeros(3)})


def test_weighted_sum_helper():
    comps = {"a": torch.tensor([1.0, 2.0]), "b": torch.tensor([3.0, 5.0])}
    torch.testing.assert_close(
        weighted_sum(comps, {"a": 0.5, "b": 2.0}), torch.tensor([6.5, 11.0], dtype=torch.float64)
    )
    with pytest.raises(KeyError):
        weighted_sum(comps, {"c": 1.0})


def test_composer_on_a_detector(planted):
    Xtr, Xte, _ = planted
    det = ganad.get_detector("egbad", preset="smoke", random_state=0, device="cpu").fit(Xtr)
    comps = det.score_components(Xte)
    assert {"residual", "cross_entropy", "feature_matching", "latent_norm"} <= set(comps)
    c = ScoreComposer(latent_check="penalise", k=3.0).fit_detector(det, Xtr)
    assert c.latent_dim == det.latent_dim
    assert c.score_detector(det, Xte).shape == (len(Xte),)
