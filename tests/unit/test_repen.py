"""REPEN: triplet loss and LeSiNN on hand-made data, stored scoring ensemble, learning."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

import ganad
from ganad.detectors.repen import lesinn, losses

QUICK = {"epochs": 5, "steps_per_epoch": 10, "batch_size": 64}


def make(**params):
    return ganad.get_detector("repen", **{"random_state": 0, "device": "cpu", **params})


def test_triplet_loss_values_and_signs():
    a = torch.tensor([[0.0, 0.0]])
    p = torch.tensor([[1.0, 0.0]])  # squared distance 1
    n = torch.tensor([[3.0, 0.0]])  # squared distance 9
    torch.testing.assert_close(losses.triplet_loss(a, p, n, margin=10.0), torch.tensor(2.0))
    torch.testing.assert_close(losses.triplet_loss(a, p, n, margin=5.0), torch.tensor(0.0))
    # Swapping positive and negative (candidate closer than the inlier) costs more.
    assert losses.triplet_loss(a, n, p, margin=10.0) > losses.triplet_loss(a, p, n, margin=10.0)


def test_nearest_subsample_distance():
    query = torch.tensor([[0.0, 0.0]])
    subsamples = torch.tensor([[[1.0, 0.0], [3.0, 0.0]], [[0.0, 2.0], [0.0, 5.0]]])
    torch.testing.assert_close(
        lesinn.nearest_subsample_distance(query, subsamples), torch.tensor([1.5])
    )
    torch.testing.assert_close(
        lesinn.nearest_subsample_distance(query.repeat(5, 1), subsamples, chunk=2),
        torch.full((5,), 1.5),
    )


def test_draw_subsamples():
    rng = np.random.default_rng(0)
    idx = lesinn.draw_subsamples(100, 6, 8, rng)
    assert idx.shape == (6, 8) and all(len(set(row)) == 8 for row in idx)
    # Fewer rows than the subsample size: drawn with replacement.
    assert lesinn.draw_subsamples(3, 2, 8, rng).max() < 3


def test_cantelli_split_and_fallback():
    scores = np.r_[np.zeros(20), 10.0]
    inliers, outliers = lesinn.cantelli_split(scores)
    assert outliers.tolist() == [20] and len(inliers) == 20
    flat_in, flat_out = lesinn.cantelli_split(np.ones(5))  # nothing above mean + k std: top n - 1
    assert len(flat_out) == 4 and len(flat_in) == 1


def test_triplet_weights():
    scores = np.array([1.0, 2.0, 3.0, 10.0, 20.0])
    anchor_w, negative_w = lesinn.triplet_weights(scores, np.array([0, 1, 2]), np.array([3, 4]))
    np.testing.assert_allclose(anchor_w, np.array([5.0, 4.0, 3.0]) / 12.0)
    np.testing.assert_allclose(negative_w, [1 / 3, 2 / 3])
    uniform, _ = lesinn.triplet_weights(np.array([1.0, 5.0]), np.array([0]), np.array([1]))
    np.testing.assert_allclose(uniform, [1.0])


def test_scores_use_the_stored_ensemble(planted):
    Xtr, Xte, _ = planted
    det = make(preset="smoke").fit(Xtr)
    points = det.networks_["subsamples"].points
    assert points.shape == (det.ensemble_size, det.subsample_size, Xtr.shape[1])
    with torch.no_grad():
        net = det.networks_["representation"]
        x = det.networks_["scaler"](torch.from_numpy(Xte))
        expected = lesinn.nearest_subsample_distance(
            net(x), net(points.flatten(0, 1)).reshape(*points.shape[:2], -1)
        )
    np.testing.assert_allclose(det.decision_function(Xte), expected.double().numpy(), rtol=1e-4)
    np.testing.assert_allclose(
        det.decision_function(Xte, batch_size=7), det.decision_function(Xte), rtol=1e-6
    )
    assert 1 <= det.n_outlier_candidates_ < len(Xtr)


def test_needs_two_samples():
    with pytest.raises(ValueError, match="at least 2"):
        make(preset="smoke").fit(np.zeros((1, 3)))


def test_learns_planted_anomalies_inductive_and_transductive(planted):
    Xtr, Xte, yte = planted
    inductive = make(**QUICK).fit(Xtr)
    assert roc_auc_score(yte, inductive.decision_function(Xte)) >= 0.9
    assert inductive.history_["triplet/triplet"][-1] < inductive.history_["triplet/triplet"][0]
    # The DA3D code's 0 % setting: fit on the (unlabelled) test set, read its training scores.
    transductive = make(**QUICK).fit(Xte)
    assert roc_auc_score(yte, transductive.decision_scores_) >= 0.9
