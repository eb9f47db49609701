"""`benchmarks/device_check.sh`, the one prepared GPU check (issue #22), dry-run on the CPU with
seconds-long sizes: every phase writes its file, a budget too small skips phases instead of
overrunning, and the summary is printed last either way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "benchmarks" / "device_check.sh"


def _run(out: Path, budget: int) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "OUT": str(out),
        "DEVICE": "cpu",
        "TINY": "1",
        "BUDGET_S": str(budget),
        "PYTHON": sys.executable,
        "JOBS": "1",
        "OMP_NUM_THREADS": "1",
    }
    return subprocess.run(
        ["bash", str(SCRIPT)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=budget + 120,
    )


@pytest.mark.skipif(sys.platform == "win32", reason="bash script")
def test_dry_run_writes_every_phase_and_prints_the_summary_last(tmp_path):
    result = _run(tmp_path, budget=240)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in (
        "env.json",
        "ceiling.json",
        "train_speed.json",
        "score_speed.json",
        "roundtrip.json",
        "paper_runs.csv",
        "summary.txt",
    ):
        assert (tmp_path / name).is_file(), f"{name} missing:\n{result.stdout}\n{result.stderr}"
    env = json.loads((tmp_path / "env.json").read_text())
    assert env["device"] == "cpu" and env["torch"]
    roundtrip = json.loads((tmp_path / "roundtrip.json").read_text())
    assert set(roundtrip) == {"da3d", "aae", "dte", "kdsm", "dte_np"}
    assert all(r["max_abs_diff"] == 0.0 for r in roundtrip.values())
    train = json.loads((tmp_path / "train_speed.json").read_text())["rows"]
    assert [r["preset"] for r in train] == ["mammography"] and train[0]["aae_s_per_epoch"] > 0
    tail = result.stdout.strip().splitlines()
    summary_at = max(i for i, line in enumerate(tail) if "device check summary" in line)
    assert any("paper-length runs finished" in line for line in tail[summary_at:])


@pytest.mark.skipif(sys.platform == "win32", reason="bash script")
def test_a_spent_budget_skips_phases_and_still_summarises(tmp_path):
    result = _run(tmp_path, budget=20)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "skipping" in result.stdout
    assert (tmp_path / "summary.txt").is_file()
    assert "device check summary" in result.stdout.strip().splitlines()[-10:][0] or any(
        "device check summary" in line for line in result.stdout.splitlines()
    )
