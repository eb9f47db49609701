"""DA3D's defaults for data without a paper preset: the update budget and the composed score."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ganad
from ganad.detectors.da3d.networks import ScoreStats

SMALL = {
    "aae_dims": (8, 4, 2),
    "alarm_hidden": (16, 8),
    "generator_hidden": (8,),
    "critic_hidden": (8,),
    "prior_hidden": (8,),
    "batch_size": 32,
}


def make(**params):
    return ganad.get_detector("da3d", **{"random_state": 0, "device": "cpu", **SMALL, **params})


def data(n=320, d=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(0.5, 0.08, size=(n, d)).astype(np.float32)


def test_score_stats_standardise_each_component():
    stats = ScoreStats(2)
    comps = torch.tensor([[1.0, 10.0], [3.0, 30.0]], dtype=torch.float64)
    stats.set_(comps)
    z = stats.standardised(comps)
    torch.testing.assert_close(z.mean(0), torch.zeros(2, dtype=torch.float64))
    torch.testing.assert_close(z.std(0), torch.ones(2, dtype=torch.float64))
    stats.set_(torch.ones(3, 2, dtype=torch.float64))  # constant component: std 1, no division by 0
    assert torch.isfinite(stats.standardised(comps)).all()


def test_updates_budget_sets_the_epochs_of_both_stages():
    det = make(epochs=50, updates=30).fit(data())  # 10 batches an epoch -> 3 epochs per stage
    assert len(det.history_["aae/epoch_seconds"]) == 3
    assert len(det.history_["da3d/epoch_seconds"]) == 3
    capped = make(epochs=2, updates=10_000).fit(data())  # epochs stay an upper bound
    assert len(capped.history_["da3d/epoch_seconds"]) == 2


def _standardised(values: torch.Tensor) -> torch.Tensor:
    return (values - values.mean(0)) / values.std(0)


def test_equal_weights_and_raw_error_give_the_sum_of_standardised_components(tmp_path):
    X = data()
    det = make(
        epochs=2, score="alarm+reconstruction", score_weights=(1.0, 1.0), reconstruction_error="raw"
    ).fit(X)
    with torch.no_grad():
        comps = det._score_components(det.networks_["scaler"](torch.from_numpy(X)))
    np.testing.assert_allclose(
        det.decision_scores_, _standardised(comps).sum(1).numpy(), rtol=1e-6, atol=1e-9
    )
    det.save(tmp_path / "m")
    loaded = ganad.load(tmp_path / "m")
    np.testing.assert_array_equal(loaded.decision_function(X), det.decision_function(X))


def test_default_score_weights_the_error_in_units_of_each_features_training_spread(tmp_path):
    X = data()
    X[:, 0] = 0.5  # a constant feature: its std is floored, not zero
    det = make(epochs=2).fit(X)
    assert (det.score_weights, det.reconstruction_error) == ((0.1, 0.9), "standardised")
    nets = det.networks_
    with torch.no_grad():
        x = nets["scaler"](torch.from_numpy(X)).double()
        h = nets["encoder"](x.float())
        logit = nets["alarm"](det._activations(h)).double().squeeze(1)
        recon = torch.sigmoid(nets["decoder"](h)).double()
    std = x.std(0).clamp(min=0.01)
    np.testing.assert_allclose(nets["feature_stats"].std.numpy(), std.numpy(), rtol=1e-9)
    error = ((recon - x) / std).pow(2).mean(1)
    comps = torch.stack([logit, torch.log(error + 1e-12)], 1)
    expected = 0.1 * _standardised(comps)[:, 0] + 0.9 * _standardised(comps)[:, 1]
    np.testing.assert_allclose(det.decision_scores_, expected.numpy(), rtol=1e-5, atol=1e-7)
    det.save(tmp_path / "m")
    np.testing.assert_array_equal(
        ganad.load(tmp_path / "m").decision_function(X), det.decision_function(X)
    )


def test_a_composed_model_saved_before_the_weights_existed_scores_as_it_did(tmp_path):
    import json

    X = data(64)
    det = make(epochs=1, score_weights=(1.0, 1.0), reconstruction_error="raw").fit(X)
    det.save(tmp_path / "old")
    config_file = tmp_path / "old" / "config.json"
    config = json.loads(config_file.read_text())
    del config["params"]["score_weights"], config["params"]["reconstruction_error"]
    config_file.write_text(json.dumps(config))
    loaded = ganad.load(tmp_path / "old")
    assert (tuple(loaded.score_weights), loaded.reconstruction_error) == ((1.0, 1.0), "raw")
    np.testing.assert_array_equal(loaded.decision_function(X), det.decision_function(X))


@pytest.mark.parametrize("weights", [(1.0,), (-0.1, 1.0), (0.0, 0.0), "0.1,0.9"])
def test_bad_score_weights_are_refused(weights):
    with pytest.raises((ValueError, TypeError), match="score_weights"):
        make(epochs=1, score_weights=weights).fit(data(32))


def test_switching_the_reconstruction_error_after_fit_asks_for_a_refit():
    det = make(epochs=1).fit(data(64))
    det.set_params(reconstruction_error="raw")
    with pytest.raises(ValueError, match="refit"):
        det.decision_function(data(8))


def test_paper_presets_are_unchanged():
    det = ganad.get_detector("da3d", preset="mammography")
    assert det.score == "alarm" and det.updates is None and det.epochs == 500
    nets = ganad.get_detector("da3d", preset="smoke", device="cpu").fit(data(64)).networks_
    assert "score_stats" not in nets


def test_defaults_for_unknown_data_are_the_practical_choices():
    det = ganad.get_detector("da3d")
    practical = ganad.get_detector("da3d", preset="practical")
    assert det.get_params() == practical.get_params()
    assert (det.score, det.updates, det.trivial) == ("alarm+reconstruction", 2000, "uniform")
    assert (det.aae_loss, det.aae_lr) == ("auto", 3e-4)
    paper = ganad.get_detector("da3d", preset="mammography")
    assert (paper.aae_loss, paper.aae_lr) == ("bce", None)  # the paper's loss, at `lr`


def test_a_model_saved_before_the_options_existed_scores_as_it_did(tmp_path):
    import json

    X = data(64)
    det = make(epochs=1, score="alarm", updates=None).fit(X)
    det.save(tmp_path / "old")
    config_file = tmp_path / "old" / "config.json"
    config = json.loads(config_file.read_text())
    del config["params"]["score"], config["params"]["updates"]  # as written before they existed
    config_file.write_text(json.dumps(config))
    loaded = ganad.load(tmp_path / "old")
    assert (loaded.score, loaded.updates) == ("alarm", None)
    np.testing.assert_array_equal(loaded.decision_function(X), det.decision_function(X))


def test_practical_preset_sees_what_the_code_cannot_carry():
    # Normals in a thin shell; anomalies spread over the cube. The reconstruction error carries
    # what the 2-D code drops; the composed score must rank anomalies above normals.
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(3)
    X = data(600, seed=1)
    X_test = np.vstack([data(200, seed=2), rng.uniform(0, 1, size=(50, 6)).astype(np.float32)])
    y = np.r_[np.zeros(200), np.ones(50)]
    det = ganad.get_detector(
        "da3d", preset="practical", updates=300, random_state=0, device="cpu"
    ).fit(X)
    assert roc_auc_score(y, det.decision_function(X_test)) > 0.9


def test_switching_the_score_after_fit_asks_for_a_refit():
    import pytest

    det = make(epochs=1, score="alarm").fit(data(64))
    det.set_params(score="alarm+reconstruction")
    with pytest.raises(ValueError, match="refit"):
        det.decision_function(data(8))


def _encoder_widths(det) -> tuple[int, ...]:
    encoder = det.networks_["encoder"]
    return (*(layer.out_features for layer in encoder.linears), encoder.out.out_features)


def test_wide_sizings_give_hidden_layers_of_64_and_32_and_a_code_of_32_or_half_the_features():
    from ganad.nn.sizing import default_aae_dims, wide_aae_dims, wide_code_aae_dims

    assert wide_aae_dims(6) == (64, 32, 3)
    assert wide_aae_dims(12) == (64, 32, 6)
    assert wide_aae_dims(126) == (126, 63, 32)
    assert wide_aae_dims(1) == (64, 32, 2)
    assert wide_code_aae_dims(6) == (64, 32, 32)
    assert wide_code_aae_dims(126) == (126, 63, 32)
    assert wide_code_aae_dims(300) == (300, 150, 32)
    small = {k: v for k, v in SMALL.items() if k != "aae_dims"}
    X = data(64, d=12)
    params = {"random_state": 0, "device": "cpu", "epochs": 1, **small}
    default = ganad.get_detector("da3d", **params).fit(X)
    assert _encoder_widths(default) == (64, 32, 32)
    wide = ganad.get_detector("da3d", aae_sizing="wide", **params).fit(X)
    assert _encoder_widths(wide) == (64, 32, 6)
    table1 = ganad.get_detector("da3d", aae_sizing="table1", **params).fit(X)
    assert _encoder_widths(table1) == default_aae_dims(12)
    # explicit sizes win over either rule
    given = ganad.get_detector("da3d", aae_dims=(10, 3), **params).fit(X)
    assert _encoder_widths(given) == (10, 3)
    with pytest.raises(ValueError, match="aae_sizing"):
        ganad.get_detector("da3d", aae_sizing="huge", **params).fit(X)


def test_a_model_saved_before_the_sizing_option_existed_rebuilds_table1_sizes(tmp_path):
    import json

    small = {k: v for k, v in SMALL.items() if k != "aae_dims"}
    X = data(64, d=12)
    det = ganad.get_detector(
        "da3d", random_state=0, device="cpu", epochs=1, aae_sizing="table1", **small
    ).fit(X)
    det.save(tmp_path / "old")
    config_file = tmp_path / "old" / "config.json"
    config = json.loads(config_file.read_text())
    del config["params"]["aae_sizing"]  # as written before the option existed
    config_file.write_text(json.dumps(config))
    loaded = ganad.load(tmp_path / "old")
    assert loaded.aae_sizing == "table1"
    np.testing.assert_array_equal(loaded.decision_function(X), det.decision_function(X))


def test_standardised_reconstruction_loss_counts_each_error_in_training_stds():
    from ganad.nn.aae import standardised_reconstruction_loss

    x = torch.tensor([[0.5, 0.5]])
    logits = torch.tensor([[0.0, 0.0]])  # sigmoid -> 0.5: no error
    std = torch.tensor([0.1, 0.01])
    assert standardised_reconstruction_loss(logits, x, std).item() == 0.0
    # both values off by 0.01: 0.1 std on the first, 1 std on the second -> (0.01 + 1) / 2
    off = torch.tensor([[0.51, 0.51]])
    loss = standardised_reconstruction_loss(logits, off, std)
    torch.testing.assert_close(loss, torch.tensor(0.505), atol=1e-5, rtol=1e-4)


def test_aae_loss_and_learning_rate_reach_the_aae_stage():
    X = data(64)
    bce = make(epochs=1, aae_loss="bce").fit(X)
    standardised = make(epochs=1).fit(X)  # the default
    assert bce.history_["aae/reconstruction"] != standardised.history_["aae/reconstruction"]
    faster = make(epochs=1, aae_loss="bce", aae_lr=1e-2).fit(X)
    assert faster.history_["da3d/alarm"] != bce.history_["da3d/alarm"]  # a different AAE
    with pytest.raises(ValueError, match="aae_loss"):
        make(aae_loss="l1").fit(X)
    with pytest.raises(ValueError, match="aae_lr"):
        make(aae_lr=0.0).fit(X)


def test_auto_aae_loss_is_standardised_for_tables_and_bce_for_images():
    table = data(64)
    auto = make(epochs=1).fit(table)
    standardised = make(epochs=1, aae_loss="standardised").fit(table)
    assert auto.history_["aae/reconstruction"] == standardised.history_["aae/reconstruction"]
    images = np.random.default_rng(0).uniform(size=(32, 1, 28, 28)).astype(np.float32)
    small = {"alarm_hidden": (16, 8), "generator_hidden": (8,), "critic_hidden": (8,)}
    params = {"random_state": 0, "device": "cpu", "epochs": 1, "batch_size": 16, **small}
    auto = ganad.get_detector("da3d", **params).fit(images)
    bce = ganad.get_detector("da3d", aae_loss="bce", **params).fit(images)
    assert auto.history_["aae/reconstruction"] == bce.history_["aae/reconstruction"]
