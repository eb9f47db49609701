"""The grid's execution backends: choice and validation (the real Ray runs are integration
tests, `tests/integration/test_ray_backend.py`)."""

from __future__ import annotations

import sys

import pytest

from ganad.bench import load_experiment
from ganad.bench.backends import (
    LocalBackend,
    RayBackend,
    RayUnavailableError,
    _import_ray,
    make_backend,
)


def test_local_is_the_default_and_needs_no_extra_package():
    backend = make_backend("local", jobs=3, threads=2)
    assert backend == LocalBackend(jobs=3, threads=2)


def test_ray_backend_takes_its_resources_from_the_options():
    backend = make_backend("ray", threads=2, address="10.0.0.1:6379", max_retries=5)
    assert backend == RayBackend(address="10.0.0.1:6379", cpus_per_run=2.0, max_retries=5)
    assert make_backend("ray", cpus_per_run=0.5).cpus_per_run == 0.5
    # `--jobs` sizes the local Ray instance started when no cluster is given.
    assert make_backend("ray", jobs=4).num_cpus == 4


def test_a_cuda_run_reserves_a_gpu_unless_told_otherwise():
    cpu_run, *_ = load_experiment("smoke").runs(device="cpu")
    cuda_run, *_ = load_experiment("smoke").runs(device="cuda")
    backend = RayBackend()
    assert (backend.gpus_for(cpu_run), backend.gpus_for(cuda_run)) == (0.0, 1.0)
    assert RayBackend(gpus_per_run=0.25).gpus_for(cpu_run) == 0.25


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"backend": "dask"}, "unknown backend 'dask'"),
        ({"backend": "local", "address": "x:1"}, "need --backend ray"),
        ({"backend": "local", "gpus_per_run": 1.0}, "need --backend ray"),
        ({"backend": "ray", "cpus_per_run": 0.0}, "cpus_per_run must be > 0"),
        ({"backend": "ray", "gpus_per_run": -1.0}, "gpus_per_run must be >= 0"),
        ({"backend": "ray", "max_retries": -1}, "max_retries must be >= 0"),
    ],
)
def test_bad_backend_options_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_backend(**kwargs)


def test_ray_missing_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` sees without the package
    with pytest.raises(RayUnavailableError, match=r"pip install 'ganad\[ray\]'"):
        _import_ray()
