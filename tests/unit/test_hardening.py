"""Regression and fuzz tests of the hardening issue (#17): atomic saves, model-file integrity,
extreme inputs, collapse detection, batch-norm batches of one, parameter bounds, DataFrames.

The hypothesis tests run a small example budget by default; `-m fuzz` runs them with a larger
one (`pytest -m fuzz tests/unit/test_hardening.py`)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ganad
from ganad.base import MAXIMAL_SCORE
from ganad.exceptions import ModelCollapsedError, ModelFileError, TrainingDivergedError

BUDGETS = [20, pytest.param(300, marks=pytest.mark.fuzz)]
REPO = Path(__file__).resolve().parents[2]


def _X(n: int = 120, d: int = 5, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(size=(n, d)).astype(np.float32)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    X = _X()
    det = ganad.get_detector("aae", preset="smoke", random_state=0).fit(X)
    path = tmp_path_factory.mktemp("models") / "m"
    det.save(path)
    return det, path, X


def _copy(src: Path, dst: Path) -> Path:
    dst.mkdir()
    for f in src.iterdir():
        (dst / f.name).write_bytes(f.read_bytes())
    return dst


# -- 1. atomic saves --------------------------------------------------------------------------


def test_save_replaces_the_directory_and_drops_stale_files(saved, tmp_path):
    _, path, X = saved
    target = _copy(path, tmp_path / "m")
    (target / "preprocessing.json").write_text("{}")
    other = ganad.get_detector("dte_np", preset="smoke").fit(X)
    other.save(target)
    assert sorted(p.name for p in target.iterdir()) == ["config.json", "weights.safetensors"]
    assert ganad.load(target).name == "dte_np"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporaries


def test_save_refuses_to_replace_a_foreign_directory_or_a_file(saved, tmp_path):
    det, _, _ = saved
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "cat.jpg").write_bytes(b"x")
    with pytest.raises(ModelFileError, match="non-empty directory"):
        det.save(foreign)
    assert (foreign / "cat.jpg").exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(ModelFileError, match="not a directory"):
        det.save(tmp_path / "file")


def test_killed_saves_never_mix_two_models(tmp_path):
    """SIGKILL a process that alternately saves two models into one directory: whatever is
    left loads as one of the two, complete (weights digest matches its own config)."""
    script = textwrap.dedent(
        f"""
        import numpy as np, ganad, sys
        X = np.random.default_rng(0).uniform(size=(120, 5)).astype(np.float32)
        a = ganad.get_detector("aae", preset="smoke", random_state=0).fit(X)
        b = ganad.get_detector("aae", preset="smoke", random_state=1, contamination=0.2).fit(X)
        print("ready", flush=True)
        while True:
            a.save({str(tmp_path / "m")!r}); b.save({str(tmp_path / "m")!r})
        """
    )
    thresholds = set()
    for delay in (0.05, 0.11, 0.17, 0.23, 0.31):
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        if (tmp_path / "m").exists():
            loaded = ganad.load(tmp_path / "m")
            thresholds.add(round(loaded.threshold_, 12))
            assert loaded.contamination in (0.1, 0.2)
    # the next save cleans up what the killed ones left
    ganad.get_detector("aae", preset="smoke", random_state=0).fit(_X()).save(tmp_path / "m")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# -- 2. integrity -----------------------------------------------------------------------------


def test_flipped_weight_bytes_are_refused(saved, tmp_path):
    _, path, _ = saved
    target = _copy(path, tmp_path / "m")
    raw = bytearray((target / "weights.safetensors").read_bytes())
    raw[-5] ^= 0x01
    (target / "weights.safetensors").write_bytes(bytes(raw))
    with pytest.raises(ModelFileError, match="digest"):
        ganad.load(target)


def _edit_config(target: Path, edit) -> None:
    cfg = json.loads((target / "config.json").read_text())
    edit(cfg)
    (target / "config.json").write_text(json.dumps(cfg))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c["params"].update(epochs=-5), "epochs"),
        (lambda c: c["params"].update(contamination=7), "contamination"),
        (lambda c: c["fitted"].update(threshold_="high"), "threshold_"),
        (lambda c: c["fitted"].update(threshold_=float("nan")), "threshold_"),
        (lambda c: c["fitted"].pop("seed_"), "seed_"),
        (lambda c: c.pop("sha256"), "digest"),
        (lambda c: c.update(params=[1, 2]), "inconsistent"),
    ],
)
def test_bad_configs_are_a_model_file_error(saved, tmp_path, edit, message):
    _, path, _ = saved
    target = _copy(path, tmp_path / "m")
    _edit_config(target, edit)
    with pytest.raises(ModelFileError, match=message):
        ganad.load(target)


def test_deeply_nested_json_directory_and_fifo_configs(saved, tmp_path):
    _, path, _ = saved
    deep = _copy(path, tmp_path / "deep")
    (deep / "config.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ModelFileError, match=r"config\.json"):
        ganad.load(deep)
    as_dir = _copy(path, tmp_path / "dir")
    (as_dir / "config.json").unlink()
    (as_dir / "config.json").mkdir()
    with pytest.raises(ModelFileError, match="not a regular file"):
        ganad.load(as_dir)
    fifo = _copy(path, tmp_path / "fifo")
    (fifo / "weights.safetensors").unlink()
    os.mkfifo(fifo / "weights.safetensors")
    with pytest.raises(ModelFileError, match="not a regular file"):
        ganad.load(fifo)


def test_non_finite_weights_are_refused(saved, tmp_path):
    import torch
    from safetensors.torch import load_file, save_file

    _, path, _ = saved
    target = _copy(path, tmp_path / "m")
    tensors = load_file(str(target / "weights.safetensors"))
    key = next(k for k, t in tensors.items() if t.is_floating_point() and t.numel() > 1)
    tensors[key] = torch.full_like(tensors[key], float("nan"))
    save_file(tensors, str(target / "weights.safetensors"), metadata={"format": "ganad-model"})
    from ganad.persistence import _sha256

    _edit_config(
        target,
        lambda c: c["sha256"].update(
            {"weights.safetensors": _sha256(target / "weights.safetensors")}
        ),
    )
    with pytest.raises(ModelFileError, match="non-finite"):
        ganad.load(target)


@pytest.mark.parametrize("budget", BUDGETS)
def test_fuzzed_config_files_never_escape_model_file_error(saved, tmp_path, budget):
    _, path, _ = saved
    target = _copy(path, tmp_path / "m")
    original = (target / "config.json").read_text()

    @settings(max_examples=budget, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.binary(max_size=400) | st.text(max_size=400), st.integers(0, len(original)))
    def check(junk, at):
        text = junk.decode("latin-1") if isinstance(junk, bytes) else junk
        (target / "config.json").write_text(
            original[:at] + text, encoding="utf-8", errors="replace"
        )
        with contextlib.suppress(ModelFileError):
            ganad.load(target)

    check()


# -- 3. extreme but finite inputs ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["deepsvdd", "aae", "dagmm", "fanogan", "ganomaly", "repen"])
def test_extreme_rows_get_the_maximal_finite_score(name):
    X = _X(200)
    det = ganad.get_detector(name, preset="smoke", random_state=0).fit(X)
    rows = np.vstack([X[:3], np.full((1, 5), 3e38, np.float32), np.full((1, 5), -3e38, np.float32)])
    scores = det.decision_function(rows)
    assert np.isfinite(scores).all()
    assert (scores[3:] == MAXIMAL_SCORE).all() and (scores[:3] < MAXIMAL_SCORE).all()
    assert det.predict(rows)[3:].tolist() == [1, 1]


@pytest.mark.parametrize("spread", [1e-42, 3e38])
def test_min_max_scaler_does_not_overflow(spread):
    base = np.zeros((50, 3), np.float32)
    base[:, 0] = np.linspace(-spread, spread, 50, dtype=np.float32)
    base[:, 1:] = _X(50, 2)
    det = ganad.get_detector("aae", preset="smoke", random_state=0).fit(base)
    assert np.isfinite(det.decision_function(base)).all()


@pytest.mark.parametrize("budget", BUDGETS)
def test_fuzzed_finite_rows_always_score_finite(budget):
    det = ganad.get_detector("deepsvdd", preset="smoke", random_state=0).fit(_X(200))
    finite32 = st.floats(allow_nan=False, allow_infinity=False, width=32)

    @settings(max_examples=budget, deadline=None)
    @given(st.lists(st.lists(finite32, min_size=5, max_size=5), min_size=1, max_size=8))
    def check(rows):
        assert np.isfinite(det.decision_function(np.asarray(rows, np.float32))).all()

    check()


# -- 4. divergence and collapse ---------------------------------------------------------------


def test_constant_training_scores_are_a_collapse():
    det = ganad.get_detector("aae", preset="smoke", random_state=0)
    det._score_batch = lambda x: x[:, 0] * 0  # a dead network  # type: ignore[method-assign]
    with pytest.raises(ModelCollapsedError, match="same score"):
        det.fit(_X())
    assert issubclass(ModelCollapsedError, TrainingDivergedError)


def test_identical_training_rows_are_not_a_collapse():
    X = np.ones((40, 4), np.float32)
    det = ganad.get_detector("dte_np", preset="smoke").fit(X)
    assert np.ptp(det.decision_scores_) == 0


@pytest.mark.parametrize(
    "name",
    [
        "da3d",
        "a3",
        "aae",
        "anogan",
        "fanogan",
        "egbad",
        "alad",
        "ganomaly",
        "deepsvdd",
        "dagmm",
        "repen",
        "dte",
        "kdsm",
    ],
)
def test_an_absurd_learning_rate_does_not_pass_silently(name):
    det = ganad.get_detector(name, preset="smoke", random_state=0, lr=1e6)
    try:
        det.fit(_X(300))
    except TrainingDivergedError:
        return
    except FloatingPointError as exc:  # DAGMM's mixture: a clear, named collapse
        assert "collapsed" in str(exc)
        return
    assert np.ptp(det.decision_scores_) > 0  # if it trained, it still ranks


# -- 5. a last batch of one ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["anogan", "fanogan", "egbad", "alad", "ganomaly"])
def test_batch_norm_detectors_train_when_one_row_is_left_over(name):
    images = np.random.default_rng(0).uniform(size=(33, 1, 28, 28)).astype(np.float32)
    det = ganad.get_detector(name, preset="smoke", random_state=0, batch_size=32)
    det.fit(images)
    assert np.isfinite(det.decision_scores_).all()


# -- 6. parameter bounds -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lr": 1e300}, "lr"),
        ({"lr": 2**70}, "lr"),
        ({"epochs": 10**15}, "epochs"),
        ({"aae_dims": (10**12, 4)}, "GiB"),
    ],
)
def test_numeric_parameters_are_bounded(params, message):
    with pytest.raises(ValueError, match=message):
        ganad.get_detector("aae", preset="smoke", **params).fit(_X())


@pytest.mark.parametrize("budget", BUDGETS)
def test_fuzzed_parameters_fail_only_with_clear_errors(budget):
    value = st.one_of(
        st.integers(-(2**80), 2**80),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=5),
        st.none(),
        st.booleans(),
    )
    names = ["lr", "epochs", "batch_size", "dropout", "contamination", "clip_norm", "n_jobs"]

    @settings(max_examples=budget, deadline=None)
    @given(st.sampled_from(names), value)
    def check(name, v):
        det = ganad.get_detector("aae", preset="smoke", random_state=0, epochs=1)
        det.set_params(**{name: v})
        try:
            det._validate_params()
        except (TypeError, ValueError) as exc:
            assert name in str(exc)

    check()


# -- 7. DataFrames --------------------------------------------------------------------------------


def test_bool_and_nullable_columns_are_accepted():
    n = 60
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "x": rng.uniform(size=n),
            "flag": rng.uniform(size=n) > 0.5,
            "count": pd.array(rng.integers(0, 5, n), dtype="Int64"),
            "rate": pd.array(rng.uniform(size=n), dtype="Float64"),
        }
    )
    det = ganad.get_detector("dte_np", preset="smoke").fit(df)
    assert det.decision_function(df).shape == (n,)
    df.loc[3, "count"] = pd.NA
    with pytest.raises(ValueError, match="NaN"):
        det.decision_function(df)


def test_fence_gan_with_absurd_learning_rates_does_not_pass_silently():
    det = ganad.get_detector("fence_gan", preset="smoke", random_state=0, g_lr=1e6, d_lr=1e6)
    try:
        det.fit(_X(300))
    except TrainingDivergedError:
        return
    assert np.ptp(det.decision_scores_) > 0


@pytest.mark.parametrize("budget", BUDGETS)
def test_fuzzed_table_files_load_or_fail_with_a_data_format_error(tmp_path, budget):
    from ganad.data import load_dataset
    from ganad.exceptions import DataFormatError

    good = "a,b,c\n" + "".join(f"{i},{i * 0.5},{i % 3}\n" for i in range(30))

    @settings(max_examples=budget, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.integers(0, len(good)), st.binary(max_size=60), st.booleans())
    def check(at, junk, truncate):
        data = good.encode()[:at] + junk + (b"" if truncate else good.encode()[at:])
        path = tmp_path / "t.csv"
        path.write_bytes(data)
        try:
            ds = load_dataset(path)
        except DataFormatError as exc:
            assert "t.csv" in str(exc)
            return
        assert len(ds.X) > 0

    check()


def test_one_extreme_row_does_not_abort_cli_scoring(tmp_path):
    from ganad.cli import main

    rng = np.random.default_rng(0)
    train = pd.DataFrame(rng.uniform(size=(200, 4)), columns=list("abcd"))
    train.to_csv(tmp_path / "train.csv", index=False)
    new = train.iloc[:50].copy()
    new.iloc[7] = 3e38
    new.to_csv(tmp_path / "new.csv", index=False)
    model = tmp_path / "m"
    assert (
        main(
            [
                "fit",
                "aae",
                str(tmp_path / "train.csv"),
                "--preset",
                "smoke",
                "--out",
                str(model),
                "-q",
            ]
        )
        == 0
    )
    out = tmp_path / "s.csv"
    assert main(["score", str(model), str(tmp_path / "new.csv"), "--out", str(out), "-q"]) == 0
    scores = pd.read_csv(out)
    assert len(scores) == 50 and np.isfinite(scores["score"]).all()
    assert scores["score"].idxmax() == 7 and scores["label"][7] == 1


def test_a_format_1_model_without_a_digest_loads_with_a_warning(saved, tmp_path, caplog):
    _, path, X = saved
    target = _copy(path, tmp_path / "m")

    def to_v1(c):
        c["format_version"] = 1
        c.pop("sha256")

    _edit_config(target, to_v1)
    with caplog.at_level("WARNING", logger="ganad"):
        loaded = ganad.load(target)
    assert "no digest" in caplog.text
    np.testing.assert_array_equal(loaded.decision_function(X), saved[0].decision_function(X))
