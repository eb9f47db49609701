"""Update steps change only their own networks; the frozen AAE never changes during DA3D."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ganad
from ganad.nn.aae import AAEStep, build_aae, make_aae_optimisers
from ganad.training import train_epochs


def snapshot(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def changed(before: dict[str, torch.Tensor], module: torch.nn.Module) -> bool:
    return any(not torch.equal(before[k], v) for k, v in module.state_dict().items())


def fitted_da3d(**params):
    rng = np.random.default_rng(0)
    X = rng.uniform(0.3, 0.7, size=(64, 5)).astype(np.float32)
    det = ganad.get_detector("da3d", preset="smoke", random_state=0, device="cpu", **params)
    return det.fit(X), X


def test_aae_step_phases_touch_only_their_networks():
    torch.manual_seed(0)
    nets = build_aae((5,), (6, 3, 2), prior_hidden=(4,))
    enc, dec, prior = nets["encoder"], nets["decoder"], nets["prior"]
    opts = make_aae_optimisers(enc, dec, prior, lr=1e-2)
    x = torch.rand(16, 5)
    before = {name: snapshot(m) for name, m in nets.items()}
    # Reconstruction alone (the other two optimisers skipped) must leave D_prior untouched.
    step = AAEStep(enc, dec, prior, {**opts, "prior": _NoStep(), "regularisation": _NoStep()})
    step(x)
    assert changed(before["encoder"], enc) and changed(before["decoder"], dec)
    assert not changed(before["prior"], prior)
    # Prior step alone changes only D_prior.
    before = {name: snapshot(m) for name, m in nets.items()}
    AAEStep(enc, dec, prior, {**opts, "reconstruction": _NoStep(), "regularisation": _NoStep()})(x)
    assert changed(before["prior"], prior)
    assert not changed(before["encoder"], enc) and not changed(before["decoder"], dec)
    # Regularisation alone changes only the encoder.
    before = {name: snapshot(m) for name, m in nets.items()}
    AAEStep(enc, dec, prior, {**opts, "reconstruction": _NoStep(), "prior": _NoStep()})(x)
    assert changed(before["encoder"], enc)
    assert not changed(before["prior"], prior) and not changed(before["decoder"], dec)


class _NoStep:
    """Stands in for an optimiser whose phase is skipped in a test."""

    def zero_grad(self, set_to_none: bool = True) -> None:
        pass

    def step(self) -> None:
        pass


def _da3d_step_setup(generator="adversarial"):
    det, X = fitted_da3d(generator=generator)
    nets = det.networks_
    opts = {
        name: torch.optim.Adam(nets[name].parameters(), lr=1e-2)
        for name in ("alarm", "generator", "critic")
    }
    h, a = det._encode_all(det._tensor(X))
    return det, nets, opts, (h[:16], a[:16])


def test_da3d_step_never_changes_the_aae_and_updates_each_network():
    det, nets, opts, batch = _da3d_step_setup()
    before = {name: snapshot(m) for name, m in nets.items()}
    det._make_step(opts, None, train_generator=True)(batch)
    for frozen_name in ("encoder", "decoder", "prior", "scaler"):
        assert not changed(before[frozen_name], nets[frozen_name]), frozen_name
    for trained in ("alarm", "generator", "critic"):
        assert changed(before[trained], nets[trained]), trained


def test_da3d_alarm_step_alone_changes_only_the_alarm():
    det, nets, opts, batch = _da3d_step_setup()
    before = {name: snapshot(m) for name, m in nets.items()}
    det._make_step(
        {**opts, "generator": _NoStep(), "critic": _NoStep()}, None, train_generator=True
    )(batch)
    assert changed(before["alarm"], nets["alarm"])
    assert not changed(before["generator"], nets["generator"])
    assert not changed(before["critic"], nets["critic"])


def test_da3d_generator_step_alone_changes_only_the_generator():
    det, nets, opts, batch = _da3d_step_setup()
    before = {name: snapshot(m) for name, m in nets.items()}
    det._make_step({**opts, "alarm": _NoStep(), "critic": _NoStep()}, None, train_generator=True)(
        batch
    )
    assert changed(before["generator"], nets["generator"])
    assert not changed(before["alarm"], nets["alarm"])
    assert not changed(before["critic"], nets["critic"])


def test_da3d_critic_step_alone_changes_only_the_critic():
    det, nets, opts, batch = _da3d_step_setup()
    before = {name: snapshot(m) for name, m in nets.items()}
    det._make_step(
        {**opts, "alarm": _NoStep(), "generator": _NoStep()}, None, train_generator=True
    )(batch)
    assert changed(before["critic"], nets["critic"])
    assert not changed(before["alarm"], nets["alarm"])
    assert not changed(before["generator"], nets["generator"])


def test_gradients_flow_through_frozen_decoder_into_generator():
    det, nets, _, _ = _da3d_step_setup()
    gen, dec, alarm = nets["generator"], nets["decoder"], nets["alarm"]
    assert not any(p.requires_grad for p in dec.parameters())
    gen.zero_grad()
    prob = torch.sigmoid(alarm(dec.hidden_activations(gen(torch.randn(8, det.gen_input_dim)))))
    prob.mean().backward()
    grads = [p.grad for p in gen.parameters()]
    assert all(g is not None for g in grads) and any(g.abs().sum() > 0 for g in grads)
    assert all(p.grad is None for p in dec.parameters())


def test_simple_generator_never_trains_generator_or_critic():
    det, nets, opts, batch = _da3d_step_setup(generator="simple")
    before = {name: snapshot(m) for name, m in nets.items()}
    out = det._make_step(opts, None, train_generator=False)(batch)
    assert set(out) == {"alarm"}
    assert changed(before["alarm"], nets["alarm"])
    assert not changed(before["generator"], nets["generator"]) and not changed(
        before["critic"], nets["critic"]
    )


def test_aae_weights_identical_before_and_after_da3d_stage():
    """Train the AAE, snapshot it, run DA3D epochs: the AAE must be bit-identical."""
    det, X = fitted_da3d()
    nets = det.networks_
    aae_before = {n: snapshot(nets[n]) for n in ("encoder", "decoder", "prior")}
    opts = {
        name: torch.optim.Adam(nets[name].parameters(), lr=1e-3)
        for name in ("alarm", "generator", "critic")
    }
    h, a = det._encode_all(det._tensor(X))
    train_epochs(
        det._make_step(opts, None, train_generator=True),
        (h, a),
        n_epochs=2,
        batch_size=16,
        history={},
        detector="da3d",
        stage="test",
    )
    for n in ("encoder", "decoder", "prior"):
        assert not changed(aae_before[n], nets[n]), n


def test_pretrain_stage_recorded_and_weight_clip_option():
    det, _ = fitted_da3d(pretrain_epochs=1, lipschitz="weight_clip")
    assert len(det.history_["pretrain/alarm"]) == 1
    assert all(p.abs().max() <= det.clip_norm + 1e-7 for p in det.networks_["critic"].parameters())


def test_known_anomalies_excluded_from_aae_and_used_by_alarm():
    rng = np.random.default_rng(0)
    X = rng.uniform(0.3, 0.7, size=(64, 5)).astype(np.float32)
    y = np.zeros(64, dtype=np.int64)
    y[:3] = 1
    det = ganad.get_detector("da3d", preset="smoke", random_state=0, device="cpu").fit(X, y)
    unsup = ganad.get_detector("da3d", preset="smoke", random_state=0, device="cpu").fit(X)
    assert not np.array_equal(det.decision_scores_, unsup.decision_scores_)


def test_aae_step_regularises_the_codes_on_every_kth_update_and_checkpoints_the_count():
    torch.manual_seed(0)
    nets = build_aae((5,), (8, 3), prior_hidden=(4,))
    enc, dec, prior = nets["encoder"], nets["decoder"], nets["prior"]
    opts = make_aae_optimisers(enc, dec, prior, 1e-3)
    x = torch.rand(16, 5)
    step = AAEStep(enc, dec, prior, opts, regularise_every=3)
    ran = ["regularisation" in step(x) for _ in range(7)]
    assert ran == [True, False, False, True, False, False, True]
    assert step.state_dict() == {"updates": 7}
    # A resumed step continues the schedule: updates 7 and 8 skip, 9 regularises.
    resumed = AAEStep(enc, dec, prior, opts, regularise_every=3)
    resumed.load_state_dict(step.state_dict())
    assert ["regularisation" in resumed(x) for _ in range(3)] == [False, False, True]
    # Reconstruction and D_prior run on every update.
    assert all({"reconstruction", "prior"} <= set(step(x)) for _ in range(3))
    with pytest.raises(ValueError, match="regularise_every"):
        AAEStep(enc, dec, prior, opts, regularise_every=0)
    with pytest.raises(TypeError, match="regularise_every"):
        AAEStep(enc, dec, prior, opts, regularise_every=1.5)


def test_da3d_aae_regularise_every_reaches_the_aae_stage():
    every, second = fitted_da3d(aae_regularise_every=1)[0], fitted_da3d(aae_regularise_every=2)[0]
    assert every.history_["aae/reconstruction"] != second.history_["aae/reconstruction"]
    with pytest.raises(ValueError, match="aae_regularise_every"):
        fitted_da3d(aae_regularise_every=0)
