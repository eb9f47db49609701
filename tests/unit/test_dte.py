"""DTE, DTE-NP and `auto`: losses and posteriors on hand-made tensors, leave-one-out training
scores, the data-size budget, and learning on planted anomalies."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.stats import invgamma
from sklearn.metrics import roc_auc_score

import ganad
from ganad.detectors.auto import choose_kind
from ganad.detectors.dte import losses


def make(name: str, **params):
    return ganad.get_detector(name, **{"random_state": 0, "device": "cpu", **params})


def planted(n: int = 600, d: int = 8, seed: int = 0):
    """Normals from N(0.5, 0.08^2) in d dimensions; test anomalies uniform on the unit cube."""
    rng = np.random.default_rng(seed)
    X = rng.normal(0.5, 0.08, size=(n, d)).astype(np.float32)
    X_test = np.vstack(
        [rng.normal(0.5, 0.08, size=(200, d)), rng.uniform(0, 1, size=(50, d))]
    ).astype(np.float32)
    y_test = np.r_[np.zeros(200), np.ones(50)]
    return X, X_test, y_test


def test_schedule_is_increasing_and_matches_closed_form():
    v = losses.diffusion_variances(300)
    assert v.shape == (300,) and torch.all(v[1:] > v[:-1])
    betas = np.linspace(1e-4, 1e-2, 300)
    np.testing.assert_allclose(v.numpy(), 1 - np.cumprod(1 - betas), rtol=1e-12)


def test_bins_cut_the_steps_evenly():
    t = torch.arange(10)
    assert losses.bin_of_step(t, 10, 5).tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert losses.bin_of_step(torch.tensor([399]), 400, 7).item() == 6


def test_noised_adds_sigma_times_noise_per_row():
    x0 = torch.zeros(2, 3)
    out = losses.noised(x0, torch.tensor([0.0, 2.0]), torch.ones(2, 3))
    torch.testing.assert_close(out, torch.tensor([[0.0] * 3, [2.0] * 3]))


def test_expected_bin_and_loss_on_hand_made_logits():
    logits = torch.log(torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5]]) + 1e-12)
    torch.testing.assert_close(
        losses.expected_bin(logits), torch.tensor([0.0, 1.5]), atol=1e-6, rtol=0
    )
    confident = torch.tensor([[10.0, -10.0]])
    assert losses.step_classification_loss(confident, torch.tensor([0])) < 1e-6
    assert losses.step_classification_loss(confident, torch.tensor([1])) > 10


def test_knn_mean_squared_distance_and_self_exclusion():
    ref = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    sq = (ref**2).sum(1)
    x = torch.tensor([[0.0, 0.0]])
    # squared distances 0, 1, 4: nearest two average to 0.5; without itself, 2.5.
    f64 = torch.float64
    torch.testing.assert_close(
        losses.knn_mean_squared_distance(x, ref, sq, 2), torch.tensor([0.5], dtype=f64)
    )
    torch.testing.assert_close(
        losses.knn_mean_squared_distance(x, ref, sq, 2, exclude_nearest=True),
        torch.tensor([2.5], dtype=f64),
    )


def test_posterior_is_the_inverse_gamma_density_on_the_grid():
    v = losses.diffusion_variances(50)
    d, m = 6, torch.tensor([0.3])
    log_post = losses.inverse_gamma_log_posterior(m, v, d)
    ref = invgamma.logpdf(v.numpy(), a=d / 2 - 1, scale=0.15)
    ref = ref - np.log(np.exp(ref).sum())
    np.testing.assert_allclose(log_post[0].numpy(), ref, rtol=1e-6)
    assert math.isclose(float(log_post.exp().sum()), 1.0, rel_tol=1e-9)
    # Farther from the data = later diffusion time, in both estimates.
    far = losses.inverse_gamma_log_posterior(torch.tensor([0.3, 3.0]), v, d)
    assert far[1].argmax() >= far[0].argmax()
    steps = torch.arange(50, dtype=far.dtype)
    assert (far[1].exp() @ steps) > (far[0].exp() @ steps)


def test_distances_keep_their_precision_far_from_the_origin():
    # Rows around 1000 with spread 0.01: the norm shortcut without centring gives all zeros.
    rng = np.random.default_rng(0)
    X = (1000 + 0.01 * rng.normal(size=(200, 10))).astype(np.float32)
    det = make("dte_np", scaling="none").fit(X)
    assert np.unique(det.decision_scores_).size > 150


def test_huge_finite_rows_score_as_the_most_anomalous():
    X, _, _ = planted(200)
    det = make("dte_np", scaling="none").fit(X)
    huge = np.full((1, 8), 1e21, dtype=np.float32)
    assert det.decision_function(huge)[0] >= det.decision_scores_.max()
    paper = make("dte_np", preset="paper", scaling="none").fit(X)
    assert paper.decision_function(huge)[0] == paper.n_steps - 1


def test_posterior_stays_proper_below_three_features():
    log_post = losses.inverse_gamma_log_posterior(
        torch.tensor([0.1]), losses.diffusion_variances(20), 1
    )
    assert torch.isfinite(log_post).all()


def test_dte_np_training_scores_leave_each_row_out():
    X, _, _ = planted(200)
    det = make("dte_np").fit(X)
    # Scoring the training rows as new rows would find each at distance 0 from itself.
    as_new = det.decision_function(X)
    assert (det.decision_scores_ > as_new).all()
    # The threshold then flags about `contamination` of fresh normal rows, as on the training set.
    fresh = np.random.default_rng(9).normal(0.5, 0.08, size=(2000, 8)).astype(np.float32)
    assert abs(det.predict(fresh).mean() - 0.1) < 0.04


def test_dte_np_reference_subset_is_seeded_and_saved(tmp_path):
    X, X_test, _ = planted(300)
    det = make("dte_np", max_reference=100).fit(X)
    assert det.networks_["reference"].rows.shape == (100, 8)
    again = make("dte_np", max_reference=100).fit(X)
    np.testing.assert_array_equal(det.decision_function(X_test), again.decision_function(X_test))
    det.save(tmp_path / "m")
    np.testing.assert_array_equal(
        ganad.load(tmp_path / "m").decision_function(X_test), det.decision_function(X_test)
    )


def test_dte_np_mode_is_the_papers_integer_step():
    X, X_test, y_test = planted()
    scores = make("dte_np", preset="paper").fit(X).decision_function(X_test)
    assert np.array_equal(scores, np.round(scores))
    assert roc_auc_score(y_test, scores) > 0.95


def test_dte_np_needs_more_rows_than_neighbours():
    with pytest.raises(ValueError, match="n_neighbors"):
        make("dte_np", n_neighbors=5).fit(np.zeros((5, 3), dtype=np.float32))


def test_schedule_parameters_are_checked():
    X, _, _ = planted(50)
    with pytest.raises(ValueError, match="beta_end"):
        make("dte", beta_start=0.1, beta_end=0.01).fit(X)
    with pytest.raises(ValueError, match="n_bins"):
        make("dte", n_bins=1).fit(X)


def test_dte_budget_scales_with_data_size():
    det = make("dte")
    assert det.n_epochs_for(64) == 400  # tiny table: capped at the paper's 400 epochs
    assert det.n_epochs_for(64 * 4000) == 1  # huge table: one pass
    assert det.n_epochs_for(6400) == 40  # 100 batches an epoch, 4,000 updates
    assert make("dte", epochs=3).n_epochs_for(10**6) == 3


@pytest.mark.parametrize("name", ["dte_np", "dte", "auto"])
def test_learns_planted_anomalies(name):
    X, X_test, y_test = planted()
    params = {"updates": 1000} if name == "dte" else {}
    scores = make(name, **params).fit(X).decision_function(X_test)
    assert roc_auc_score(y_test, scores) > 0.95


def test_auto_picks_by_kind_and_size(tmp_path):
    assert choose_kind(1000, (20,), 1_000_000) == "dte_np"
    assert choose_kind(20_000, (100,), 1_000_000) == "dte"
    assert choose_kind(100, (1, 28, 28), 1_000_000) == "dte"
    X, X_test, _ = planted(300)
    small = make("auto").fit(X)
    assert small.kind_ == "dte_np"
    forced = make("auto", kind="dte", knn_budget=10).fit(X[:100])
    assert forced.kind_ == "dte"
    big = make("auto", knn_budget=10).fit(X[:100])
    assert big.kind_ == "dte"
    # Same scores as the chosen detector with its defaults.
    np.testing.assert_array_equal(
        small.decision_function(X_test), make("dte_np").fit(X).decision_function(X_test)
    )
    big.save(tmp_path / "m")
    loaded = ganad.load(tmp_path / "m")
    assert loaded.kind_ == "dte"
    np.testing.assert_array_equal(loaded.decision_function(X_test), big.decision_function(X_test))


def test_auto_on_a_tiny_table_uses_the_neural_dte():
    X = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    det = make("auto").fit(X)
    assert det.kind_ == "dte" and np.isfinite(det.decision_function(X)).all()
