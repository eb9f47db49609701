"""DAGMM: reconstruction features, mixture statistics, energy, stability, fitted mixture,
learning."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.stats import multivariate_normal
from sklearn.metrics import roc_auc_score

import ganad
from ganad.detectors.dagmm import losses


def make(**params):
    return ganad.get_detector("dagmm", **{"random_state": 0, "device": "cpu", **params})


def test_reconstruction_features_and_loss():
    x = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
    x_hat = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    feats = losses.reconstruction_features(x, x_hat)
    torch.testing.assert_close(feats[0], torch.tensor([0.0, 1.0]))
    torch.testing.assert_close(feats[1], torch.tensor([math.sqrt(2.0) / 1.001, 0.0]))
    torch.testing.assert_close(losses.reconstruction_loss(x, x_hat), torch.tensor(1.0))
    assert torch.isfinite(losses.reconstruction_features(torch.zeros(1, 2), torch.ones(1, 2))).all()


def test_gmm_parameters_with_hard_memberships_match_numpy():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(10, 3))
    assign = np.r_[np.zeros(4, dtype=int), np.ones(6, dtype=int)]
    gamma = np.eye(2)[assign]
    phi, mu, cov = losses.gmm_parameters(torch.from_numpy(z), torch.from_numpy(gamma))
    np.testing.assert_allclose(phi.numpy(), [0.4, 0.6])
    for k in range(2):
        np.testing.assert_allclose(mu[k].numpy(), z[assign == k].mean(axis=0))
        np.testing.assert_allclose(cov[k].numpy(), np.cov(z[assign == k].T, bias=True), atol=1e-12)


def test_sample_energy_is_negative_log_density():
    # One standard normal in 2-D: E(0) = log(2 pi).
    energy = losses.sample_energy(
        torch.zeros(1, 2), torch.ones(1), torch.zeros(1, 2), torch.eye(2)[None]
    )
    torch.testing.assert_close(energy, torch.tensor([math.log(2 * math.pi)]))
    # A two-component mixture against scipy.
    phi = torch.tensor([0.3, 0.7], dtype=torch.float64)
    mu = torch.tensor([[0.0, 0.0], [2.0, 1.0]], dtype=torch.float64)
    cov = torch.tensor([[[1.0, 0.3], [0.3, 2.0]], [[0.5, 0.0], [0.0, 0.2]]], dtype=torch.float64)
    z = torch.tensor([[0.1, -0.2], [2.0, 1.1], [8.0, -5.0]], dtype=torch.float64)
    energy = losses.sample_energy(z, phi, mu, torch.linalg.cholesky(cov))
    density = sum(
        p * multivariate_normal(m, c).pdf(z.numpy())
        for p, m, c in zip(phi.numpy(), mu.numpy(), cov.numpy(), strict=True)
    )
    np.testing.assert_allclose(energy.numpy(), -np.log(density), rtol=1e-10)
    assert energy.argmax() == 2  # the far-away point has the highest energy


def test_covariance_penalty():
    cov = torch.diag_embed(torch.tensor([[2.0, 4.0]]))
    torch.testing.assert_close(losses.covariance_penalty(cov), torch.tensor(0.75))


def test_cholesky_jitter_rescues_singular_and_refuses_indefinite():
    singular = torch.tensor([[[1.0, 1.0], [1.0, 1.0]]])
    factor = losses.cholesky_with_jitter(singular, jitter=1e-6)
    assert torch.isfinite(factor).all()
    torch.testing.assert_close(factor @ factor.mT, singular, atol=1e-4, rtol=0)
    with pytest.raises(FloatingPointError, match="positive definite"):
        losses.cholesky_with_jitter(
            torch.tensor([[[1.0, 0.0], [0.0, -1.0]]]), jitter=1e-6, max_tries=3
        )


def test_objective_combines_terms():
    value = losses.dagmm_objective(
        torch.tensor(2.0), torch.tensor([1.0, 3.0]), torch.tensor(10.0), 0.1, 0.005
    )
    torch.testing.assert_close(value, torch.tensor(2.0 + 0.1 * 2.0 + 0.005 * 10.0))


def test_fitted_mixture_is_stored_and_positive_definite(planted):
    Xtr, Xte, _ = planted
    det = make(preset="smoke").fit(Xtr)
    gmm = det.networks_["gmm"]
    assert gmm.phi.sum().item() == pytest.approx(1.0, abs=1e-5)
    assert (torch.linalg.eigvalsh(gmm.cov.double()) > 0).all()
    torch.testing.assert_close(gmm.cholesky @ gmm.cholesky.mT, gmm.cov, atol=1e-4, rtol=1e-3)
    assert {"gmm.phi", "gmm.mu", "gmm.cov", "gmm.cholesky"} <= set(
        dict(det.networks_.named_buffers())
    )
    scores = det.decision_function(Xte)
    assert np.isfinite(scores).all()
    # Scoring uses the stored mixture, not the batch: one sample alone scores the same.
    assert det.decision_function(Xte[:1])[0] == pytest.approx(scores[0])


def test_learns_planted_anomalies(planted):
    Xtr, Xte, yte = planted
    det = make(epochs=20, batch_size=64, lr=1e-3).fit(Xtr)
    assert roc_auc_score(yte, det.decision_function(Xte)) >= 0.9


def test_trailing_one_row_batch_and_tiny_inputs():
    X = np.random.default_rng(0).uniform(size=(129, 5)).astype(np.float32)  # 64 + 64 + 1
    det = make(epochs=2, batch_size=64).fit(X)
    assert np.isfinite(det.history_["dagmm/loss"]).all()
    with pytest.raises(ValueError, match="at least 2"):
        make(preset="smoke").fit(X[:1])
