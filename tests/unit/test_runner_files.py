"""Files the runner leaves behind (issue #17): orphaned checkpoint temporaries, damaged results."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ganad
from ganad._files import remove_stale, temp_prefix
from ganad.bench import ResultsFile, read_results
from ganad.bench.results import COLUMNS


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_killed_checkpoint_saves_temporary_is_removed_by_the_next_save(tmp_path):
    ckpt = tmp_path / "run.ckpt"
    orphan = tmp_path / f".run.ckpt.tmp-{_dead_pid()}-abc"
    orphan.write_bytes(b"half a checkpoint")
    X = np.random.default_rng(0).uniform(size=(200, 5)).astype(np.float32)
    ganad.get_detector("aae", preset="smoke", random_state=0).fit(X, checkpoint=str(ckpt))
    assert ckpt.exists() and not orphan.exists()


def test_temporaries_of_a_live_process_are_kept(tmp_path):
    dest = tmp_path / "m"
    mine = tmp_path / f"{temp_prefix(dest, 'tmp')}x"
    other_live = tmp_path / f".m.tmp-{os.getppid()}-y"
    dead = tmp_path / f".m.old-{_dead_pid()}-z"
    unrelated = tmp_path / ".m.notes"
    for p in (mine, other_live, dead, unrelated):
        p.mkdir()
    remove_stale(dest, kinds=("tmp", "old"))
    assert other_live.exists() and unrelated.exists()
    assert mine.exists()  # another thread of this process may be writing it
    assert not dead.exists()


def _results(tmp_path: Path, rows: int = 3) -> Path:
    path = tmp_path / "results.csv"
    results = ResultsFile(path)
    for seed in range(rows):
        row = {c: "" for c in COLUMNS}
        row.update(
            dataset="mammography",
            detector_label="DA3D",
            detector="da3d",
            params_hash="abc",
            seed=seed,
            train_contamination=0.0,
            protocol="da3d",
            roc_auc=0.9,
            average_precision=0.5,
            status="ok",
            error="",
        )
        results.append(row)
    return path


def test_a_hand_corrupted_results_file_is_reported_not_swallowed(tmp_path):
    path = _results(tmp_path)
    assert len(read_results(path)) == 3
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = lines[2].replace(",DA3D,", ',"DA3D,', 1)  # an unclosed quote in record 2
    path.write_text("".join(lines))
    with pytest.raises(ValueError, match=r"results\.csv is damaged at record 2"):
        read_results(path)
    with pytest.raises(ValueError, match="damaged"):
        ResultsFile(path).completed()


def test_a_record_with_an_unknown_status_is_reported(tmp_path):
    path = _results(tmp_path)
    rows = list(csv.reader(path.open()))
    rows[1][COLUMNS.index("status")] = "okay"
    with path.open("w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    with pytest.raises(ValueError, match="status 'okay'"):
        read_results(path)
