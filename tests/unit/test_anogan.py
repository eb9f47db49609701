"""AnoGAN: losses, the batched latent search (z only, per-sample, ε stop, restarts), update
phases, score components, learning on planted anomalies."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

import ganad
from ganad.detectors.anogan import losses
from ganad.detectors.anogan.networks import build_anogan
from ganad.detectors.anogan.search import latent_search
from ganad.detectors.anogan.training import AnoGANStep, make_anogan_optimisers

LEARN = {
    "latent_dim": 4,
    "g_hidden": (32, 32),
    "d_hidden": (32, 32),
    "lr": 1e-3,
    "epochs": 15,
    "batch_size": 32,
    "search_steps": 60,
    "search_lr": 0.05,
}


def _snapshot(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def _same(module, snap):
    return all(torch.equal(v, snap[k]) for k, v in module.state_dict().items())


def _nets(d=6, seed=0):
    torch.manual_seed(seed)
    nets = build_anogan((d,), latent_dim=3, g_hidden=(16,), d_hidden=(16, 8), conv_widths=(4,))
    return nets["generator"].eval(), nets["discriminator"].eval()


@pytest.fixture(scope="module")
def learned(planted):
    Xtr, Xte, yte = planted
    det = ganad.get_detector("anogan", random_state=0, device="cpu", **LEARN).fit(Xtr)
    return det, Xte, yte


def test_losses_values_and_signs():
    x = torch.tensor([[0.0, 1.0], [1.0, 1.0]])
    g = torch.tensor([[0.5, 1.0], [1.0, 0.0]])
    torch.testing.assert_close(losses.residual_per_sample(x, g), torch.tensor([0.5, 1.0]))
    torch.testing.assert_close(losses.residual_per_sample(x, g, "l2"), torch.tensor([0.5, 1.0]))
    logits = torch.tensor([10.0, -10.0])
    ce = losses.sigmoid_ce_per_sample(logits)
    assert ce[0] < 1e-3 and ce[1] > 9.9  # D(G(z)) "real" -> low, "fake" -> high
    torch.testing.assert_close(
        losses.total_loss(torch.tensor(2.0), torch.tensor(4.0), 0.1), torch.tensor(2.2)
    )
    real, fake = torch.tensor([5.0]), torch.tensor([-5.0])
    assert losses.discriminator_loss(real, fake) < 0.02 < losses.discriminator_loss(fake, real)
    assert losses.generator_loss(real) < losses.generator_loss(fake)


def test_search_touches_only_z():
    G, D = _nets()
    before = (_snapshot(G), _snapshot(D))
    x = torch.rand(5, 6)
    res = latent_search(G, D, x, latent_dim=3, steps=20, lr=0.05, restarts=2)
    assert _same(G, before[0]) and _same(D, before[1])
    assert all(p.grad is None for p in (*G.parameters(), *D.parameters()))
    assert all(p.requires_grad for p in (*G.parameters(), *D.parameters()))  # flags restored
    assert res.z.shape == (5, 3) and res.loss.shape == (5,)


def test_detector_scoring_leaves_weights_unchanged(learned):
    det, Xte, _ = learned
    snap = _snapshot(det.networks_)
    det.decision_function(Xte[:20])
    assert _same(det.networks_, snap)
    assert all(p.grad is None for p in det.networks_.parameters())


def test_batched_search_equals_per_sample_search():
    G, D = _nets()
    x = torch.rand(4, 6)
    torch.manual_seed(1)
    z0 = torch.randn(4, 3)
    batched = latent_search(G, D, x, latent_dim=3, steps=25, lr=0.05, z0=z0)
    for i in range(4):
        alone = latent_search(G, D, x[i : i + 1], latent_dim=3, steps=25, lr=0.05, z0=z0[i : i + 1])
        torch.testing.assert_close(batched.z[i : i + 1], alone.z, rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(batched.loss[i : i + 1], alone.loss, rtol=1e-4, atol=1e-5)


def test_search_lowers_the_loss():
    G, D = _nets()
    x = torch.rand(8, 6)
    torch.manual_seed(2)
    z0 = torch.randn(8, 3)
    start = latent_search(G, D, x, latent_dim=3, steps=1, lr=1e-9, z0=z0).loss
    end = latent_search(G, D, x, latent_dim=3, steps=100, lr=0.05, z0=z0).loss
    assert (end <= start + 1e-6).all() and (end < start).any()


def test_epsilon_early_stop_is_per_sample():
    G, D = _nets()
    x = torch.rand(16, 6)
    torch.manual_seed(3)
    z0 = torch.randn(16, 3)
    free = latent_search(G, D, x, latent_dim=3, steps=40, lr=0.05, z0=z0)
    assert (free.steps == 40).all()
    eps = float(free.loss.median())
    stopped = latent_search(G, D, x, latent_dim=3, steps=40, lr=0.05, z0=z0, eps=eps)
    early = stopped.steps < 40
    assert early.any() and (~early).any()  # some rows stopped early, others ran to n_max
    assert (stopped.loss[early] <= eps).all()
    nothing = latent_search(G, D, x, latent_dim=3, steps=40, lr=0.05, z0=z0, eps=1e9)
    assert (nothing.steps == 0).all()
    torch.testing.assert_close(nothing.z, z0)


def test_restarts_keep_the_best_per_sample():
    G, D = _nets()
    x = torch.rand(6, 6)
    torch.manual_seed(4)
    z0 = torch.randn(18, 3)
    three = latent_search(G, D, x, latent_dim=3, steps=10, lr=0.05, z0=z0, restarts=3)
    per_restart = [
        latent_search(G, D, x, latent_dim=3, steps=10, lr=0.05, z0=z0[r * 6 : (r + 1) * 6]).loss
        for r in range(3)
    ]
    torch.testing.assert_close(
        three.loss, torch.stack(per_restart).min(dim=0).values, rtol=1e-4, atol=1e-5
    )


def test_update_phases_change_only_their_network():
    G, D = _nets()
    opts = make_anogan_optimisers(G, D, lr=1e-2, betas=(0.5, 0.999))
    step = AnoGANStep(G, D, opts, latent_dim=3, prior="normal")
    x = torch.rand(16, 6)
    g0, d0 = _snapshot(G), _snapshot(D)
    step.discriminator_phase(x)
    assert _same(G, g0) and not _same(D, d0)
    d1 = _snapshot(D)
    step.generator_phase(x)
    assert _same(D, d1) and not _same(G, g0)


def test_components_add_up_to_the_score(learned):
    det, Xte, _ = learned
    for disc_loss in ("fm", "ce"):
        det.set_params(disc_loss=disc_loss)
        comps = det.score_components(Xte)
        total = sum(w * comps[k] for k, w in det.score_weights().items())
        np.testing.assert_allclose(det.decision_function(Xte), total, rtol=1e-6)
        assert {"residual", "cross_entropy", "feature_matching", "latent_norm"} <= set(comps)
    det.set_params(disc_loss="fm")


def test_learns_planted_anomalies(learned):
    det, Xte, yte = learned
    assert roc_auc_score(yte, det.decision_function(Xte)) >= 0.9


def test_scoring_is_repeatable(learned):
    det, Xte, _ = learned
    np.testing.assert_array_equal(det.decision_function(Xte[:30]), det.decision_function(Xte[:30]))


def test_image_input_32x32_rgb():
    X = np.random.default_rng(0).uniform(size=(16, 3, 32, 32)).astype(np.float32)
    det = ganad.get_detector(
        "anogan", preset="smoke", random_state=0, device="cpu", spectral_norm=True
    )
    assert det.fit(X).decision_function(X[:3]).shape == (3,)


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("lam", 1.5),
        ("disc_loss", "kl"),
        ("restarts", 0),
        ("search_eps", -1.0),
        ("latent_prior", "cauchy"),
    ],
)
def test_bad_parameters(param, value):
    X = np.random.default_rng(0).uniform(size=(16, 4)).astype(np.float32)
    with pytest.raises((ValueError, TypeError), match=param):
        ganad.get_detector("anogan", preset="smoke", **{param: value}).fit(X)
