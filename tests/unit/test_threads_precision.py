"""Thread counts (`n_jobs`) and numeric precision (`precision`) of fits and scoring (issue #16)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ganad
from ganad import _device, _threads


def _tiny_da3d(**params):
    return ganad.get_detector("da3d", preset="smoke", random_state=0, device="cpu", **params)


def _data(n: int = 200, d: int = 6) -> np.ndarray:
    return np.random.default_rng(0).uniform(size=(n, d)).astype(np.float32)


# -- the rule ----------------------------------------------------------------------------------


def test_resolve_threads_reads_n_jobs_like_scikit_learn(monkeypatch):
    monkeypatch.setattr(_threads, "available_cores", lambda: 8)
    assert _threads.resolve_threads(3, work=0) == 3
    assert _threads.resolve_threads(-1, work=0) == 8
    assert _threads.resolve_threads(-2, work=0) == 7
    assert _threads.resolve_threads(-20, work=0) == 1


def test_default_is_one_thread_for_small_work_and_idle_cores_for_large(monkeypatch):
    monkeypatch.setattr(_threads, "available_cores", lambda: 8)
    monkeypatch.setattr(_threads, "busy_cores", lambda: 3)
    with _threads.limited_threads(8):
        assert _threads.resolve_threads(None, work=_threads.PARALLEL_WORK - 1) == 1
        assert _threads.resolve_threads(None, work=_threads.PARALLEL_WORK) == 5
    monkeypatch.setattr(_threads, "busy_cores", lambda: 12)
    with _threads.limited_threads(8):
        assert _threads.resolve_threads(None, work=1e12) == 1


def test_default_never_exceeds_the_callers_setting(monkeypatch):
    monkeypatch.setattr(_threads, "available_cores", lambda: 8)
    monkeypatch.setattr(_threads, "busy_cores", lambda: 0)
    with _threads.limited_threads(2):
        assert _threads.resolve_threads(None, work=1e12) == 2


def test_busy_cores_excludes_this_process():
    assert _threads.busy_cores() >= 0


@pytest.mark.parametrize("bad", [0, 1.5, "2", True])
def test_n_jobs_validated(bad):
    with pytest.raises((TypeError, ValueError), match="n_jobs"):
        _tiny_da3d(n_jobs=bad).fit(_data())


# -- applied inside fit and scoring, restored after -------------------------------------------


def _record_threads(monkeypatch, cls, method: str) -> list[int]:
    seen: list[int] = []
    original = getattr(cls, method)

    def wrapped(self, *args, **kwargs):
        seen.append(torch.get_num_threads())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, method, wrapped)
    return seen


def test_fit_and_scoring_run_with_n_jobs_and_restore_the_callers_count(monkeypatch):
    det = _tiny_da3d(n_jobs=2)
    fit_seen = _record_threads(monkeypatch, type(det), "_fit")
    score_seen = _record_threads(monkeypatch, type(det), "_score_batch")
    with _threads.limited_threads(1):
        det.fit(_data())
        assert torch.get_num_threads() == 1
        det.decision_function(_data(50))
        assert torch.get_num_threads() == 1
    assert fit_seen == [2]
    assert score_seen and set(score_seen) == {2}


def test_threads_restored_when_fit_raises(monkeypatch):
    det = _tiny_da3d(n_jobs=2)

    def broken(self, X, y, rng):
        assert torch.get_num_threads() == 2
        raise RuntimeError("boom")

    monkeypatch.setattr(type(det), "_fit", broken)
    with _threads.limited_threads(1):
        with pytest.raises(RuntimeError, match="boom"):
            det.fit(_data())
        assert torch.get_num_threads() == 1


def test_default_n_jobs_uses_one_thread_for_a_small_network(monkeypatch):
    det = _tiny_da3d()
    seen = _record_threads(monkeypatch, type(det), "_fit")
    with _threads.limited_threads(2):
        det.fit(_data())
        assert torch.get_num_threads() == 2
    assert seen == [1]


def test_thread_count_does_not_change_the_result():
    X = _data()
    one = _tiny_da3d(n_jobs=1).fit(X).decision_function(X)
    two = _tiny_da3d(n_jobs=2).fit(X).decision_function(X)
    np.testing.assert_allclose(one, two, rtol=1e-4, atol=1e-5)


# -- precision ---------------------------------------------------------------------------------


def test_auto_precision_is_float32_on_a_cpu_without_native_bf16(monkeypatch):
    monkeypatch.setattr(_device, "_cpu_flags", lambda: frozenset({"avx2", "fma"}))
    cpu = torch.device("cpu")
    assert not _device.native_bf16(cpu)
    assert _device.resolve_precision("auto", cpu, auto_bf16=True) == "float32"
    det = _tiny_da3d().fit(_data())
    assert det.precision_ == "float32"


def test_auto_precision_is_bf16_on_a_bf16_cpu_only_where_the_detector_allows(monkeypatch):
    monkeypatch.setattr(_device, "_cpu_flags", lambda: frozenset({"avx2", "avx512_bf16"}))
    cpu = torch.device("cpu")
    assert _device.native_bf16(cpu)
    assert _device.resolve_precision("auto", cpu, auto_bf16=True) == "bfloat16"
    assert _device.resolve_precision("auto", cpu, auto_bf16=False) == "float32"
    assert _device.resolve_precision("float32", cpu, auto_bf16=True) == "float32"


def test_bfloat16_trains_and_scores_under_autocast(monkeypatch):
    det = _tiny_da3d(precision="bfloat16")
    dtypes: list[torch.dtype] = []
    original = type(det)._score_batch

    def spy(self, x):
        dtypes.append(torch.get_autocast_dtype("cpu") if torch.is_autocast_enabled("cpu") else None)
        return original(self, x)

    monkeypatch.setattr(type(det), "_score_batch", spy)
    X = _data()
    det.fit(X)
    assert det.precision_ == "bfloat16"
    assert set(dtypes) == {torch.bfloat16}
    scores = det.decision_function(X)
    assert scores.dtype == np.float64 and np.isfinite(scores).all()


def test_precision_round_trips_through_save_and_load(tmp_path):
    X = _data()
    det = _tiny_da3d(precision="bfloat16").fit(X)
    det.save(tmp_path / "m")
    loaded = ganad.load(tmp_path / "m")
    assert loaded.precision_ == "bfloat16"
    np.testing.assert_array_equal(loaded.decision_function(X), det.decision_function(X))


def test_precision_validated():
    with pytest.raises(ValueError, match="precision"):
        _tiny_da3d(precision="float16").fit(_data())


def test_training_thread_count_ignores_the_machines_load(monkeypatch):
    monkeypatch.setattr(_threads, "available_cores", lambda: 8)
    monkeypatch.setattr(_threads, "busy_cores", lambda: 5)
    with _threads.limited_threads(8):
        assert _threads.resolve_threads(None, work=1e12, load_aware=False) == 8
        assert _threads.resolve_threads(None, work=1e12) == 3
