"""f-AnoGAN: losses, GAN/encoder stages (each changes only its networks), WGAN-GP / clipping,
the DA3D-table variant, score components, learning on planted anomalies."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

import ganad
from ganad.detectors.fanogan import losses
from ganad.detectors.fanogan.networks import build_fanogan
from ganad.detectors.fanogan.training import EncoderStep, GANStep, make_gan_optimisers

NET_SIZES = {
    "latent_dim": 3,
    "g_hidden": (16,),
    "d_hidden": (16,),
    "e_hidden": (16,),
    "conv_widths": (4,),
    "aae_dims": (8, 4, 2),
    "activation": "lrelu",
    "negative_slope": 0.2,
    "dropout": 0.0,
}


def _snapshot(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def _same(module, snap):
    return all(torch.equal(v, snap[k]) for k, v in module.state_dict().items())


def test_loss_signs():
    real, fake = torch.tensor([2.0, 2.0]), torch.tensor([-1.0, -1.0])
    assert losses.wgan_critic_loss(real, fake) == -3.0  # critic rates real above fake: low loss
    assert losses.wgan_generator_loss(fake) == 1.0
    assert losses.da3d_critic_loss(real, fake) == 3.0  # DA3D variant: D wants real *low*
    assert losses.da3d_generator_loss(fake) == -1.0
    a, b = torch.zeros(2, 4), torch.ones(2, 4)
    torch.testing.assert_close(losses.mean_squared_per_sample(a, 2 * b), torch.tensor([4.0, 4.0]))
    assert losses.izi_f_loss(a, b, a, 2 * b, kappa=0.5) == pytest.approx(1.0 + 0.5 * 4.0)


@pytest.mark.parametrize("gan_loss", ["wgan-gp", "wgan-clip", "linear"])
def test_gan_and_encoder_stages_change_only_their_networks(gan_loss):
    torch.manual_seed(0)
    arch = "aae" if gan_loss == "linear" else "dcgan"
    nets = build_fanogan((6,), architecture=arch, **NET_SIZES)
    gen, critic, enc = nets["generator"], nets["critic"], nets["encoder"]
    opts = make_gan_optimisers(gen, critic, gan_loss=gan_loss, lr=1e-2, betas=(0.5, 0.9))
    step = GANStep(
        gen,
        critic,
        opts,
        gan_loss=gan_loss,
        latent_dim=3,
        n_critic=5,
        gp_weight=10.0,
        clip_value=0.01,
    )
    x = torch.rand(16, 6)
    snap = {k: _snapshot(v) for k, v in nets.items()}
    if gan_loss == "linear":
        step.joint_phase(x)
        assert not _same(gen, snap["generator"]) and not _same(critic, snap["critic"])
    else:
        out = step.critic_phase(x)
        assert _same(gen, snap["generator"]) and not _same(critic, snap["critic"])
        assert ("gradient_penalty" in out) == (gan_loss == "wgan-gp")
        if gan_loss == "wgan-clip":
            assert all(p.abs().max() <= 0.01 for p in critic.parameters())
        c1 = _snapshot(critic)
        step.generator_phase(x)
        assert _same(critic, c1) and not _same(gen, snap["generator"])
    assert _same(enc, snap["encoder"])
    for mode in ("izi_f", "izi", "ziz"):
        g1, c1, e1 = _snapshot(gen), _snapshot(critic), _snapshot(enc)
        step = EncoderStep(
            enc,
            gen,
            critic,
            torch.optim.Adam(enc.parameters(), lr=1e-2),
            mode=mode,
            kappa=1.0,
            latent_dim=3,
        )
        assert mode in step(x)
        assert _same(gen, g1) and _same(critic, c1) and not _same(enc, e1)


def test_da3d_preset_copies_the_aae_shapes():
    det = ganad.get_detector("fanogan", preset="da3d_kdd")
    assert det.architecture == "aae" and det.gan_loss == "linear" and det.latent_dim == 8
    det.input_shape_ = (126,)
    nets = det._build_networks()
    assert nets["critic"].trunk.net.hidden_sizes == (150, 100, 70, 40, 25)
    assert nets["generator"].lift.out_features == 10
    assert torch.sigmoid(torch.tensor(0.0)) == 0.5 and nets["critic"](torch.rand(3, 126)).min() >= 0
    assert det.batch_size == 512 and det.gan_epochs == 500 and det.encoder_epochs == 500


@pytest.mark.parametrize(
    "params",
    [
        {
            "latent_dim": 4,
            "g_hidden": (32, 32),
            "d_hidden": (32, 32),
            "e_hidden": (32, 32),
            "lr": 1e-3,
            "gan_epochs": 8,
            "encoder_epochs": 8,
            "batch_size": 32,
        },
        {
            "preset": "da3d_mammography",
            "gan_epochs": 8,
            "encoder_epochs": 8,
            "batch_size": 32,
            "lr": 1e-3,
        },
    ],
    ids=["wgan-gp", "da3d-variant"],
)
def test_learns_planted_anomalies_and_components_add_up(params, planted):
    Xtr, Xte, yte = planted
    det = ganad.get_detector("fanogan", random_state=0, device="cpu", **params).fit(Xtr)
    scores = det.decision_function(Xte)
    assert roc_auc_score(yte, scores) >= 0.9
    comps = det.score_components(Xte)
    np.testing.assert_allclose(
        scores, comps["residual"] + det.kappa * comps["feature_matching"], rtol=1e-6
    )
    assert "latent_norm" in comps
    assert {"gan/critic", "gan/generator", "encoder/izi_f"} <= set(det.history_)


def test_image_variants():
    X = np.random.default_rng(0).uniform(size=(16, 1, 28, 28)).astype(np.float32)
    for params in ({"gan_loss": "wgan-clip"}, {"architecture": "aae", "gan_loss": "linear"}):
        det = ganad.get_detector("fanogan", preset="smoke", random_state=0, device="cpu", **params)
        assert det.fit(X).decision_function(X[:2]).shape == (2,)
    with pytest.raises(ValueError, match="28"):
        ganad.get_detector("fanogan", preset="smoke", architecture="aae").fit(
            np.random.default_rng(0).uniform(size=(8, 3, 32, 32)).astype(np.float32)
        )
