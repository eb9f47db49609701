"""Fence GAN update steps, networks, presets, model selection and a 2D learning test."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

import ganad
from ganad.detectors.fence_gan import FenceGAN
from ganad.detectors.fence_gan.networks import build_fence_gan, resolve_architecture
from ganad.detectors.fence_gan.presets import PRESETS
from ganad.detectors.fence_gan.training import (
    AdversarialStep,
    DiscriminatorStep,
    GeneratorStep,
    make_optimiser,
)


def snapshot(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """Parameters *and* buffers (BN running statistics)."""
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def changed(before: dict[str, torch.Tensor], module: torch.nn.Module) -> list[str]:
    return [k for k, v in module.state_dict().items() if not torch.equal(before[k], v)]


def steps_for(shape, architecture, *, d_update="two_step", latent_dim=8):
    nets = build_fence_gan(
        shape, architecture=architecture, latent_dim=latent_dim, g_hidden=(8,), d_hidden=(8,)
    )
    G, D = nets["generator"], nets["discriminator"]
    g_opt = make_optimiser(G.parameters(), "adam", 1e-2, betas=(0.5, 0.999), decay=1e-3)
    d_opt = make_optimiser(D.parameters(), "sgd", 1e-1, decay=1e-3)

    def latent(n):
        return torch.randn(n, latent_dim)

    d_step = DiscriminatorStep(G, D, d_opt, gamma=0.5, sample_latent=latent, mode=d_update)
    g_step = GeneratorStep(G, D, g_opt, alpha=0.5, beta=1.0, sample_latent=latent, batch_size=6)
    return G, D, g_opt, d_opt, d_step, g_step


@pytest.mark.parametrize(
    ("shape", "architecture", "d_update"),
    [((5,), "dense", "two_step"), ((5,), "dense", "joint"), ((3, 32, 32), "dcgan32", "two_step")],
)
def test_each_step_changes_only_its_own_network(shape, architecture, d_update):
    torch.manual_seed(0)
    G, D, g_opt, d_opt, d_step, g_step = steps_for(shape, architecture, d_update=d_update)
    x = torch.rand(6, *shape) * 2 - 1

    g_before, d_before = snapshot(G), snapshot(D)
    out = d_step(x)
    assert changed(g_before, G) == []  # G in eval mode: not even BN statistics move
    assert any("weight" in k for k in changed(d_before, D))
    assert set(out) == {"d_loss", "d_real", "d_fake"}
    # Two-step: two optimiser updates (the Keras decay clock advances twice); joint: one.
    assert d_opt.scheduler.last_epoch == (2 if d_update == "two_step" else 1)

    g_before, d_before = snapshot(G), snapshot(D)
    out = g_step()
    assert changed(d_before, D) == []  # frozen, BN running statistics held (code: non-trainable D)
    assert any("weight" in k for k in changed(g_before, G))
    assert set(out) == {"g_loss", "encirclement", "dispersion"}
    assert g_opt.scheduler.last_epoch == 1


def test_adversarial_step_orders():
    torch.manual_seed(0)
    calls = []
    step = AdversarialStep(
        lambda x: calls.append("d") or {"d_loss": torch.tensor(1.0)},
        lambda: calls.append("g") or {"g_loss": torch.tensor(2.0)},
        "g_first",
    )
    assert set(step(torch.zeros(2, 2))) == {"d_loss", "g_loss"}
    assert calls == ["g", "d"]
    with pytest.raises(ValueError, match="update_order"):
        AdversarialStep(lambda x: {}, lambda: {}, "random")


def test_keras_decay_schedule_and_optimisers():
    p = torch.nn.Parameter(torch.zeros(3))
    opt = make_optimiser([p], "adam", 1e-3, betas=(0.5, 0.999), decay=0.1)
    assert opt.optimizer.defaults["eps"] == 1e-7 and opt.optimizer.defaults["betas"] == (0.5, 0.999)
    for t in range(4):
        # The t-th update (0-based) runs at lr / (1 + decay * t).
        assert opt.optimizer.param_groups[0]["lr"] == pytest.approx(1e-3 / (1 + 0.1 * t))
        opt.update((p - 1).pow(2).sum())
    sgd = make_optimiser([p], "sgd", 8e-6, decay=1e-3)
    assert isinstance(sgd.optimizer, torch.optim.SGD)
    with pytest.raises(ValueError, match="optimiser"):
        make_optimiser([p], "rmsprop", 1e-3)


def test_networks_shapes_and_architecture_checks():
    torch.manual_seed(0)
    for shape, arch, latent in (
        ((1, 28, 28), "auto", 200),
        ((3, 32, 32), "auto", 256),
        ((7,), "auto", 4),
    ):
        nets = build_fence_gan(shape, architecture=arch, latent_dim=latent)
        nets["generator"].eval()
        fake = nets["generator"](torch.randn(3, latent))
        assert fake.shape == (3, *shape)
        assert nets["discriminator"](fake).shape == (3,)
    assert resolve_architecture("auto", (1, 28, 28)) == "dcgan28"
    assert resolve_architecture("auto", (1, 20, 20)) == "dense"
    with pytest.raises(ValueError, match="28, 28"):
        resolve_architecture("dcgan28", (10,))
    with pytest.raises(ValueError, match="latent_dim == n_features"):
        build_fence_gan((3,), architecture="residual", latent_dim=2)
    # MNIST D of the code: N(0, 0.02) kernels, no BN.
    d28 = build_fence_gan((1, 28, 28), latent_dim=200)["discriminator"]
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in d28.modules())
    assert d28.net[0].weight.std().item() == pytest.approx(0.02, rel=0.2)


def test_every_preset_is_valid():
    assert {"mnist", "cifar10", "kdd99", "da3d_tabular", "da3d_image", "2d", "smoke"} <= set(
        PRESETS
    )
    for name in PRESETS:
        det = ganad.get_detector("fence_gan", preset=name)
        det._validate_params()
    kdd = ganad.get_detector("fence_gan", preset="kdd99")
    assert (kdd.d_optimizer, kdd.d_lr, kdd.latent_dim, kdd.alpha, kdd.beta, kdd.gamma) == (
        "sgd",
        8e-6,
        32,
        0.5,
        30.0,
        0.5,
    )
    assert ganad.get_detector("fence_gan", preset="da3d_image").epochs == 500


def planted_2d(seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(0.0, 1.0, size=(1000, 2)).astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi, 50)
    radius = rng.uniform(3.5, 5.0, 50)
    outliers = np.c_[radius * np.cos(angle), radius * np.sin(angle)]
    X_test = np.vstack([rng.normal(0.0, 1.0, size=(200, 2)), outliers]).astype(np.float32)
    y_test = np.r_[np.zeros(200), np.ones(50)]
    return X, X_test, y_test


# Unit-scale data: beta ~ 1 (beta = 15 suits the 2D experiment's raw coordinates, spread ~10).
LEARNING = {
    "latent_dim": 2,
    "g_hidden": (16, 16),
    "d_hidden": (32, 32),
    "g_dropout": 0.0,
    "alpha": 0.5,
    "beta": 1.0,
    "gamma": 0.5,
    "g_optimizer": "adam",
    "g_lr": 1e-3,
    "g_decay": 0.0,
    "d_optimizer": "adam",
    "d_lr": 1e-3,
    "d_decay": 0.0,
    "epochs": 50,
    "pretrain_epochs": 1,
    "batch_size": 100,
}


def test_learning_2d_generator_encircles_and_score_separates_outliers():
    X, X_test, y_test = planted_2d()
    det = FenceGAN(**LEARNING, random_state=0, device="cpu").fit(X)
    centre = X.mean(axis=0)
    data_spread = np.linalg.norm(X - centre, axis=1).mean()
    generated = det.sample(500)
    assert generated.shape == (500, 2)
    # Around, not on, the data: G's samples are further out than the data itself.
    assert np.linalg.norm(generated - centre, axis=1).mean() > 1.5 * data_spread
    # And D fences the data: planted outliers score higher than normal points.
    assert roc_auc_score(y_test, det.decision_function(X_test)) >= 0.9
    # The score is 1 - D(x) in [0, 1]; D sees [-1, 1] inputs internally.
    assert ((det.decision_scores_ >= 0) & (det.decision_scores_ <= 1)).all()
    assert det.selection_ == {
        "selection": "last",
        "epoch": 50,
        "validation_metric": None,
        "validation_value": None,
    }


def test_model_selection_on_validation_data(tmp_path):
    X, X_test, y_test = planted_2d(1)
    params = {
        **LEARNING,
        "epochs": 6,
        "validation_every": 2,
        "validation_metric": "average_precision",
    }
    det = FenceGAN(**params, model_selection="best_validation", random_state=0, device="cpu")
    det.fit(X[:300], validation_data=(X_test, y_test))
    history = det.history_["validation/average_precision"]
    assert det.history_["validation/epoch"] == [2.0, 4.0, 6.0]
    assert det.selection_["selection"] == "best_validation"
    assert det.selection_["validation_value"] == max(history)
    assert det.selection_["epoch"] == 2 * (int(np.argmax(history)) + 1)
    # The kept weights are the selected epoch's: re-scoring gives the recorded metric.
    from ganad.detectors.fence_gan.detector import compute_validation_metric

    again = compute_validation_metric(
        "average_precision", y_test.astype(int), 1 - det.decision_function(X_test)
    )
    assert again == pytest.approx(det.selection_["validation_value"], abs=1e-6)
    det.save(tmp_path / "m")
    assert ganad.load(tmp_path / "m").selection_ == det.selection_
    # Logging only (checkpoint="last") keeps the last epoch.
    logged = FenceGAN(**params, random_state=0, device="cpu").fit(
        X[:300], validation_data=(X_test, y_test)
    )
    assert (
        logged.selection_["epoch"] == 6
        and len(logged.history_["validation/average_precision"]) == 3
    )


def test_model_selection_errors():
    X, X_test, y_test = planted_2d(2)
    det = FenceGAN(**{**LEARNING, "epochs": 1}, model_selection="best_validation", device="cpu")
    with pytest.raises(ValueError, match="validation_data"):
        det.fit(X[:100])
    with pytest.raises(ValueError, match="both normal"):
        det.fit(X[:100], validation_data=(X_test[:10], np.zeros(10)))
    with pytest.raises(ValueError, match="features"):
        det.fit(X[:100], validation_data=(X_test[:, :1], y_test))
    with pytest.raises(TypeError, match="pair"):
        det.fit(X[:100], validation_data=X_test)


@pytest.mark.parametrize(
    "options",
    [
        {"encirclement": "paper"},
        {"d_update": "joint"},
        {"update_order": "g_first"},
        {"center_inputs": False},
    ],
)
def test_variants_fit(options):
    X, X_test, _ = planted_2d(3)
    det = ganad.get_detector(
        "fence_gan", preset="smoke", random_state=0, device="cpu", **options
    ).fit(X[:200])
    assert np.isfinite(det.decision_function(X_test)).all()


def test_bad_parameters_raise():
    X = planted_2d(4)[0][:64]
    for param, value in (
        ("alpha", 0.0),
        ("gamma", 1.5),
        ("batch_size", 1),
        ("g_betas", (0.5,)),
        ("encirclement", "log"),
        ("d_optimizer", "rmsprop"),
        ("architecture", "vgg"),
    ):
        with pytest.raises(ValueError, match=param):
            ganad.get_detector("fence_gan", preset="smoke", **{param: value}).fit(X)
