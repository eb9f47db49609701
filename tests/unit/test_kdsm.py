"""K-DSM: kurtosis-guided noise scales, the DSM loss and score on hand-made tensors, learning."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

import ganad
from ganad.detectors.kdsm import losses


def make(**params):
    return ganad.get_detector("kdsm", **{"random_state": 0, "device": "cpu", **params})


def test_gaussian_kurtosis_is_three_and_heavy_tails_get_more_noise():
    rng = np.random.default_rng(0)
    gauss = rng.normal(size=20_000)
    heavy = rng.standard_t(3, size=20_000)
    light = rng.uniform(size=20_000)
    k_gauss = losses.feature_kurtosis(gauss, 0.5)
    # Trimming 2 % of each tail takes a Gaussian's kurtosis from 3 to about 2.4.
    assert 2.2 < k_gauss < 2.6
    assert losses.feature_kurtosis(heavy, 0.5) > k_gauss > losses.feature_kurtosis(light, 0.5)
    s = losses.kurtosis_noise_scales(np.column_stack([light, gauss, heavy]))
    assert s[0] < s[1] < s[2]


def test_noise_scale_formula_and_clipping():
    # Binary: kappa = 0.9 / sigma0 = 1.8 -> 0.5 * (1 + 0.33 * (1.8 - 3)) = 0.302.
    binary = np.r_[np.zeros(50), np.ones(50)]
    assert losses.feature_is_binary(binary) and losses.feature_is_binary(binary - 1 + binary)
    np.testing.assert_allclose(losses.kurtosis_noise_scales(binary[:, None]), [0.302])
    # Constant: undefined kurtosis -> the largest scale.
    np.testing.assert_allclose(losses.kurtosis_noise_scales(np.full((10, 1), 2.5)), [3.0])
    wide = losses.kurtosis_noise_scales(binary[:, None], sigma0=0.5, c=10.0, sigma_min=0.2)
    np.testing.assert_allclose(wide, [0.2])


def test_peak_folding_judges_a_bimodal_feature_by_its_peaks():
    from scipy.stats import kurtosis

    rng = np.random.default_rng(1)
    bimodal = np.r_[rng.normal(-3, 0.3, 5000), rng.normal(3, 0.3, 5000)]
    # Two separated modes have a plain kurtosis near 1 (the lightest tails there are); folded
    # by histogram rank, the feature is judged by the shape of its peaks, like a Gaussian.
    assert kurtosis(bimodal, fisher=False) < 1.2
    assert losses.feature_kurtosis(bimodal, 0.5) > 2.0


def test_dsm_loss_and_score_on_hand_made_tensors():
    eps = torch.tensor([[1.0, -1.0], [0.0, 2.0]])
    assert losses.dsm_loss(-eps, eps) == 0
    torch.testing.assert_close(losses.dsm_loss(torch.zeros(2, 2), eps), torch.tensor(1.5))
    torch.testing.assert_close(losses.score_norm(torch.tensor([[3.0, 4.0]])), torch.tensor([5.0]))


def test_noise_scales_are_saved_and_binary_columns_keep_their_own_units(tmp_path):
    rng = np.random.default_rng(2)
    X = np.column_stack([rng.normal(5, 2, 300), rng.integers(0, 2, 300)]).astype(np.float32)
    det = make(preset="smoke").fit(X)
    std = X[:, 1].std()
    np.testing.assert_allclose(det.noise_scales_[1], 0.302 / std, rtol=1e-4)
    det.save(tmp_path / "m")
    np.testing.assert_array_equal(ganad.load(tmp_path / "m").noise_scales_, det.noise_scales_)


def test_parameters_are_checked():
    X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    with pytest.raises(ValueError, match="sigma_max"):
        make(sigma_min=1.0, sigma_max=0.5).fit(X)
    with pytest.raises(ValueError, match="copies"):
        make(copies=0).fit(X)


def test_learns_planted_anomalies():
    rng = np.random.default_rng(0)
    X = rng.normal(0.5, 0.08, size=(600, 8)).astype(np.float32)
    X_test = np.vstack([rng.normal(0.5, 0.08, (200, 8)), rng.uniform(0, 1, (50, 8))])
    y_test = np.r_[np.zeros(200), np.ones(50)]
    det = make(width=64, n_blocks=2, updates=300).fit(X)
    assert roc_auc_score(y_test, det.decision_function(X_test.astype(np.float32))) > 0.95


def test_constant_features_get_the_largest_scale_whatever_the_weight():
    X = np.column_stack([np.full(50, 5.0), np.random.default_rng(0).normal(size=50)])
    np.testing.assert_allclose(losses.kurtosis_noise_scales(X, c=0.0), [3.0, 0.5])
