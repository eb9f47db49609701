"""ALAD: spectral normalisation, EMA, eval-mode scoring, update phases, the four scores,
learning on planted anomalies."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

import ganad
from ganad.detectors.alad import losses
from ganad.detectors.alad.networks import build_alad
from ganad.detectors.alad.training import NETS, ALADStep, make_alad_optimisers
from ganad.nn.gan import ema_reset_, has_spectral_norm

LEARN = {"latent_dim": 4, "lr": 2e-3, "epochs": 8, "batch_size": 32}
SIZES = {
    "latent_dim": 3,
    "e_hidden": (16,),
    "g_hidden": (16,),
    "d_x_hidden": (16,),
    "d_z_hidden": (8,),
    "d_joint_hidden": (16,),
    "d_xx_hidden": (16,),
    "d_zz_hidden": (8,),
    "conv_widths": (4,),
    "negative_slope": 0.2,
    "dropout": 0.5,
}


def _snapshot(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def _same_params(module, snap):
    return all(torch.equal(p, snap[k]) for k, p in module.named_parameters())


@pytest.fixture(scope="module")
def learned(planted):
    Xtr, Xte, yte = planted
    det = ganad.get_detector("alad", random_state=0, device="cpu", **LEARN).fit(Xtr)
    return det, Xte, yte


def _nets(spectral_norm=True):
    torch.manual_seed(0)
    live = build_alad((6,), spectral_norm=spectral_norm, **SIZES)
    avg = build_alad((6,), spectral_norm=spectral_norm, **SIZES)
    nets = {**live, **{f"{k}_ema": v for k, v in avg.items()}}
    for k in NETS:
        ema_reset_(nets[f"{k}_ema"], nets[k])
    return nets


def test_loss_signs():
    hi, lo = torch.tensor([6.0]), torch.tensor([-6.0])
    assert losses.adversarial_pair_loss(hi, lo) < 0.01 < losses.flipped_pair_loss(hi, lo)
    assert losses.flipped_pair_loss(lo, hi) < 0.01


def test_spectral_norm_on_encoder_and_discriminators(learned):
    det, _, _ = learned
    for name in ("encoder", "d_xz", "d_xx", "d_zz"):
        assert has_spectral_norm(det.networks_[name]) and has_spectral_norm(
            det.networks_[f"{name}_ema"]
        )
    assert not has_spectral_norm(det.networks_["generator"])
    for m in det.networks_["d_xx"].modules():
        if isinstance(m, torch.nn.Linear):  # trained with power iterations: σ_max(W / σ) ≈ 1
            assert torch.linalg.matrix_norm(m.weight.detach(), ord=2).item() == pytest.approx(
                1.0, abs=0.05
            )
    off = ganad.get_detector("alad", preset="smoke", spectral_norm=False)
    off.input_shape_ = (6,)
    assert not has_spectral_norm(off._build_networks()["d_xx"])


@pytest.mark.parametrize("use_dzz", [True, False])
def test_phases_change_only_their_networks(use_dzz):
    nets = _nets()
    opts = make_alad_optimisers(nets, lr=1e-2, beta1=0.5)
    step = ALADStep(nets, opts, latent_dim=3, use_dzz=use_dzz, ema_decay=0.9)
    x = torch.rand(16, 6)
    snap = {k: _snapshot(v) for k, v in nets.items()}
    out = step.discriminator_phase(x)
    changed = {k for k in nets if not _same_params(nets[k], snap[k])}
    assert changed == ({"d_xz", "d_xx", "d_zz"} if use_dzz else {"d_xz", "d_xx"})
    assert ("d_zz" in out) == use_dzz
    snap = {k: _snapshot(v) for k, v in nets.items()}
    step.generator_encoder_phase(x)
    assert {k for k in nets if not _same_params(nets[k], snap[k])} == {"generator", "encoder"}
    snap = {k: _snapshot(v) for k, v in nets.items()}
    step.ema_phase()
    moved = {f"{k}_ema" for k in NETS if use_dzz or k != "d_zz"}  # an unused D_zz stays put
    assert {k for k in nets if not _same_params(nets[k], snap[k])} == moved


def test_scoring_is_in_eval_mode_and_uses_ema(learned):
    det, Xte, _ = learned
    seen = []
    original = det._score_components_batch

    def spy(x):
        seen.append(all(not m.training for m in det.networks_.modules()))
        return original(x)

    det._score_components_batch = spy
    try:
        a = det.decision_function(Xte[:20])
    finally:
        del det._score_components_batch
    assert seen and all(seen)
    np.testing.assert_array_equal(a, det.decision_function(Xte[:20]))  # dropout 0.5 would differ
    snap = _snapshot(det.networks_["d_xx"])
    with torch.no_grad():
        for p in det.networks_["d_xx"].parameters():
            p.mul_(-1.0)
    np.testing.assert_array_equal(det.decision_function(Xte[:20]), a)  # live D_xx is not used
    det.networks_["d_xx"].load_state_dict(snap)


def test_four_scores_components_and_learning(learned):
    det, Xte, yte = learned
    keys = {
        "fm": "feature_matching",
        "ch": "cross_entropy",
        "l1": "residual_l1",
        "l2": "residual_l2",
    }
    comps = det.score_components(Xte)
    for score, key in keys.items():
        det.set_params(score=score)
        np.testing.assert_allclose(det.decision_function(Xte), comps[key], rtol=1e-6)
    det.set_params(score="fm")
    assert roc_auc_score(yte, det.decision_function(Xte)) >= 0.9


def test_image_input():
    X = np.random.default_rng(0).uniform(size=(16, 1, 28, 28)).astype(np.float32)
    det = ganad.get_detector("alad", preset="smoke", random_state=0, device="cpu")
    assert det.fit(X).decision_function(X[:3]).shape == (3,)
