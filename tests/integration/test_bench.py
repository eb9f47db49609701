"""The experiment runner: resume after a kill, failures recorded, missing data skipped."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from ganad import bench
from ganad.cli import main


def _experiment(
    seeds=(110, 210),
    contaminations=(0.0, 0.01),
    epochs=1,
    extra_detectors=(),
    datasets=("mammography",),
):
    return bench.load_experiment(
        {
            "name": "test",
            "protocol": "da3d",
            "datasets": list(datasets),
            "seeds": list(seeds),
            "train_contaminations": list(contaminations),
            "device": "cpu",
            "detectors": [
                {
                    "name": "DA3D",
                    "detector": "da3d",
                    "preset": "smoke",
                    "epochs": epochs,
                    "batch_size": 1024,
                },
                *extra_detectors,
            ],
        }
    )


def test_resume_after_a_partial_last_row(tmp_path):
    out = tmp_path / "results.csv"
    first = bench.run_experiment(_experiment(), out, progress=False)
    assert (first.ok, first.failed, first.skipped_done) == (4, 0, 0)
    text = out.read_text()
    lines = text.splitlines(keepends=True)
    assert len(lines) == 5
    # Simulate a writer killed in the middle of the last row.
    out.write_text("".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])
    second = bench.run_experiment(_experiment(), out, progress=False)
    assert (second.ok, second.skipped_done) == (1, 3)
    after = pd.read_csv(out)
    assert len(after) == 4 and (after["status"] == "ok").all()
    assert after[["seed", "train_contamination"]].drop_duplicates().shape[0] == 4
    # The completed rows were kept as they were (not re-run).
    assert out.read_text().startswith("".join(lines[:-1]))


def test_resume_after_killing_the_process(tmp_path):
    toml = tmp_path / "grid.toml"
    toml.write_text(
        'name = "kill"\nprotocol = "da3d"\ndatasets = ["mammography"]\nseeds = [110, 210]\n'
        'train_contaminations = [0.0, 0.01]\ndevice = "cpu"\n'
        '[[detectors]]\nname = "DA3D"\ndetector = "da3d"\npreset = "smoke"\nepochs = '
        "2\nbatch_size = 1024\n"
    )
    out = tmp_path / "results.csv"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ganad.cli", "bench", str(toml), "--out", str(out), "-q"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if out.exists() and len(out.read_text().splitlines()) >= 2:  # header + one finished run
                break
            time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert out.exists(), "the killed run wrote nothing"
    done_before = len(pd.read_csv(out))
    assert done_before >= 1
    summary = bench.run_experiment(bench.load_experiment(toml), out, progress=False)
    assert summary.skipped_done == done_before
    assert summary.ok == 4 - done_before
    rows = pd.read_csv(out)
    assert len(rows) == 4 and (rows["status"] == "ok").all()
    assert not rows.duplicated(["seed", "train_contamination", "detector_label"]).any()


def test_a_failing_run_is_recorded_and_the_grid_goes_on(tmp_path, capsys):
    broken = {"name": "Broken", "detector": "da3d", "preset": "smoke", "lr": -1.0}
    exp = _experiment(seeds=(110,), extra_detectors=[broken])
    out = tmp_path / "results.csv"
    summary = bench.run_experiment(exp, out, progress=False)
    assert (summary.ok, summary.failed) == (2, 2)
    rows = pd.read_csv(out)
    failed = rows[rows["status"] == "failed"]
    assert set(failed["detector_label"]) == {"Broken"}
    assert failed["error"].str.contains("lr").all() and failed["roc_auc"].isna().all()
    assert (rows.loc[rows["status"] == "ok", "detector_label"] == "DA3D").all()
    # Failed runs are retried on resume; ok runs are not.
    again = bench.run_experiment(exp, out, progress=False)
    assert (again.skipped_done, again.failed) == (2, 2)

    # --strict stops at the first failure; the CLI exits with 1 when runs failed.
    strict = bench.run_experiment(exp, tmp_path / "strict.csv", progress=False, strict=True)
    assert strict.stopped_early and strict.failed == 1
    toml = tmp_path / "broken.toml"
    toml.write_text(
        'name = "b"\ndatasets = ["mammography"]\nseeds = [110]\ntrain_contaminations = [0.0]\n'
        '[[detectors]]\nname = "Broken"\ndetector = "da3d"\npreset = "smoke"\nlr = -1.0\n'
    )
    capsys.readouterr()
    assert main(["bench", str(toml), "--out", str(tmp_path / "cli.csv"), "-q"]) == 1
    assert "failed" in capsys.readouterr().err


def test_missing_data_sets_are_skipped_not_failed(tmp_path, caplog):
    exp = _experiment(
        seeds=(110,), contaminations=(0.0,), datasets=("mammography", "creditcard", "census")
    )
    empty_root = tmp_path / "no-data"
    empty_root.mkdir()
    with caplog.at_level(logging.WARNING, logger="ganad"):
        summary = bench.run_experiment(
            exp, tmp_path / "r.csv", data_root=empty_root, progress=False
        )
    assert summary.ok == 1 and summary.failed == 0
    assert sorted(summary.skipped_missing_data) == ["census", "creditcard"]
    assert "creditcard" in caplog.text and "not present" in caplog.text
    assert len(pd.read_csv(tmp_path / "r.csv")) == 1


def test_saved_scores_give_report_figures(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "results.csv"
    exp = _experiment(seeds=(110, 210), contaminations=(0.0,))
    bench.run_experiment(exp, out, progress=False, save_artifacts=True)
    runs = tmp_path / "results.runs"
    assert len(list(runs.glob("*.npz"))) == 2 and len(list(runs.glob("*.json"))) == 2
    files = bench.make_report(out, tmp_path / "report")
    names = {p.name for p in files.figures}
    assert any(n.startswith("curves_") for n in names)
    assert any(n.startswith("hist_") for n in names) and any(
        n.startswith("history_") for n in names
    )
    assert any(n.startswith("compare_") for n in names)
    html = files.html.read_text()
    assert html.count("data:image/png;base64,") == len(files.figures)  # self-contained
    md = files.markdown.read_text()
    assert all(os.path.relpath(p, files.markdown.parent) in md for p in files.figures)
    assert Path(files.markdown.parent / "summary.csv").is_file()


def test_report_over_two_grids_finds_both_score_folders(tmp_path):
    pytest.importorskip("matplotlib")
    for seed in (110, 210):
        exp = _experiment(seeds=(seed,), contaminations=(0.0,))
        bench.run_experiment(exp, tmp_path / f"r{seed}.csv", progress=False, save_artifacts=True)
    report = tmp_path / "report"
    files = [str(tmp_path / "r110.csv"), str(tmp_path / "r210.csv")]
    assert main(["report", *files, "--out", str(report), "-q"]) == 0
    summary = pd.read_csv(report / "summary.csv")
    assert summary["n_ok"].tolist() == [2]  # one cell over both files' seeds
    assert any(p.name.startswith("curves_") for p in (report / "figures").iterdir())
    assert main(["report", files[0], files[0], "--out", str(report), "-q"]) == 2


_ORPHAN_SCRIPT = """
import multiprocessing, os, signal, sys, time
from ganad.bench import backends

def work():
    backends._exit_with_parent()
    time.sleep(300)

if __name__ == "__main__":
    child = multiprocessing.get_context("spawn").Process(target=work)
    child.start()
    time.sleep(2)  # let the child start its watcher
    with open(sys.argv[1], "w") as f:
        f.write(str(child.pid))
    os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, as after `kill -9` or an OOM kill
"""


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    if status.exists():  # an exited child no one has reaped yet is not running
        return "zombie" not in status.read_text()
    return True


def test_pool_workers_exit_when_the_runner_is_killed(tmp_path):
    script = tmp_path / "orphan.py"
    script.write_text(_ORPHAN_SCRIPT)
    pid_file = tmp_path / "child.pid"
    proc = subprocess.run(
        [sys.executable, str(script), str(pid_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 60
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _running(child):
        os.kill(child, signal.SIGKILL)
        pytest.fail("the worker kept running after its parent was killed")


@pytest.mark.slow
def test_parallel_jobs_write_every_run_once(tmp_path):
    out = tmp_path / "results.csv"
    summary = bench.run_experiment(_experiment(), out, jobs=2, progress=False)
    assert summary.ok == 4
    rows = pd.read_csv(out)
    assert len(rows) == 4 and not rows.duplicated(["seed", "train_contamination"]).any()
    serial = bench.run_experiment(_experiment(), tmp_path / "serial.csv", progress=False)
    assert serial.ok == 4
    key = ["seed", "train_contamination"]
    a = rows.sort_values(key)["roc_auc"].to_numpy()
    b = pd.read_csv(tmp_path / "serial.csv").sort_values(key)["roc_auc"].to_numpy()
    assert a == pytest.approx(b, abs=1e-6)  # same seeds, same results in worker processes


def test_transductive_runs_fit_on_the_test_split(tmp_path):
    det = {
        "name": "T",
        "detector": "da3d",
        "preset": "smoke",
        "epochs": 1,
        "batch_size": 1024,
        "transductive": "uncontaminated",
    }
    exp = bench.load_experiment(
        {
            "name": "t",
            "datasets": ["mammography"],
            "seeds": [110],
            "train_contaminations": [0.0, 0.01],
            "device": "cpu",
            "detectors": [det],
        }
    )
    bench.run_experiment(exp, tmp_path / "r.csv", progress=False)
    rows = pd.read_csv(tmp_path / "r.csv").set_index("train_contamination")
    assert rows.loc[0.0, "fit_on"] == "test" and rows.loc[0.0, "n_train"] == rows.loc[0.0, "n_test"]
    assert (
        rows.loc[0.01, "fit_on"] == "train" and rows.loc[0.01, "n_train"] > rows.loc[0.01, "n_test"]
    )
    assert rows.loc[0.0, "params_hash"] != rows.loc[0.01, "params_hash"]


def test_scikit_learn_and_pyod_estimators_run_in_a_grid(tmp_path):
    pytest.importorskip("pyod")
    exp = _experiment(
        seeds=(110,),
        contaminations=(0.0,),
        extra_detectors=(
            {"name": "IForest", "detector": "sklearn:IsolationForest", "n_estimators": 20},
            {"name": "ECOD", "detector": "pyod:ECOD"},
        ),
    ).restrict(detectors=["IForest", "ECOD"])
    out = tmp_path / "results.csv"
    summary = bench.run_experiment(exp, out, progress=False)
    assert (summary.ok, summary.failed) == (2, 0)
    rows = pd.read_csv(out).set_index("detector_label")
    assert rows.loc["IForest", "detector"] == "sklearn:IsolationForest"
    assert (rows["roc_auc"] > 0.6).all() and (rows["device"] == "cpu").all()


def test_checkpoint_selection_gets_the_validation_split_and_is_recorded(tmp_path):
    """`model_selection="best_validation"` in an entry: the runner hands the split's labelled
    validation rows to `fit`, the row records the kept epoch, and a protocol without
    validation anomalies fails the run with an error that says how to get them."""
    fgan = {"detector": "fence_gan", "epochs": 3, "pretrain_epochs": 1, "batch_size": 512}
    exp = _experiment(
        seeds=(110,),
        contaminations=(0.0,),
        extra_detectors=(
            {"name": "FGAN", **fgan},
            {"name": "FGAN-select", **fgan, "model_selection": "best_validation"},
        ),
    ).restrict(detectors=["FGAN", "FGAN-select"])
    out = tmp_path / "results.csv"
    summary = bench.run_experiment(exp, out, progress=False)
    assert (summary.ok, summary.failed) == (2, 0)
    rows = pd.read_csv(out).set_index("detector_label")
    assert rows.loc["FGAN", "model_selection"] == "last"
    kept = rows.loc["FGAN-select", "model_selection"]
    assert kept.startswith("best_validation: epoch ") and "validation auroc" in kept
    assert 1 <= int(kept.split("epoch ")[1].split(",")[0]) <= 3
    assert pd.isna(pd.read_csv(out).set_index("detector_label").loc["FGAN", "error"])

    report = bench.make_report(out, tmp_path / "report", figures=False)
    assert (
        "Checkpoint selection is ON for FGAN-select on mammography" in report.markdown.read_text()
    )

    no_val = bench.load_experiment(
        {
            "name": "t",
            "protocol": "unsupervised",  # val_size defaults to 0
            "datasets": ["mammography"],
            "seeds": [110],
            "train_contaminations": [0.0],
            "device": "cpu",
            "detectors": [{"name": "FGAN-select", **fgan, "model_selection": "best_validation"}],
        }
    )
    failed = bench.run_experiment(no_val, tmp_path / "no_val.csv", progress=False)
    assert failed.failed == 1
    error = pd.read_csv(tmp_path / "no_val.csv")["error"].iloc[0]
    assert "0 validation rows" in error and "val_size" in error


class _Killed(BaseException):
    """Not an Exception: the runner does not record it, as with a process that was killed."""


def test_checkpointed_grid_resumes_a_killed_run_mid_training(tmp_path, monkeypatch, caplog):
    from ganad.checkpoint import Checkpointer

    exp = _experiment(seeds=(110,), contaminations=(0.0,), epochs=3)
    reference = tmp_path / "reference.csv"
    bench.run_experiment(exp, reference, progress=False)

    real_save = Checkpointer.save

    def save_then_die(self, stage, epoch, optimisers):
        real_save(self, stage, epoch, optimisers)
        if stage == "da3d" and epoch == 2:
            raise _Killed

    monkeypatch.setattr(Checkpointer, "save", save_then_die)
    out = tmp_path / "results.csv"
    with pytest.raises(_Killed):
        bench.run_experiment(exp, out, checkpoints=True, progress=False)
    (ckpt,) = bench.checkpoints_dir(out).glob("*.ckpt")
    monkeypatch.setattr(Checkpointer, "save", real_save)

    with caplog.at_level(logging.INFO, logger="ganad.checkpoint"):
        summary = bench.run_experiment(exp, out, checkpoints=True, progress=False)
    assert summary.ok == 1
    assert any("Resuming from" in r.getMessage() for r in caplog.records)
    assert not ckpt.exists()  # removed once the run succeeded
    resumed, uninterrupted = pd.read_csv(out).iloc[0], pd.read_csv(reference).iloc[0]
    assert resumed["roc_auc"] == uninterrupted["roc_auc"]
    assert resumed["average_precision"] == uninterrupted["average_precision"]


def test_a_second_driver_on_the_same_results_file_is_refused(tmp_path, capsys):
    import subprocess
    import sys

    from ganad.cli import main

    out = tmp_path / "results.csv"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom ganad.bench.results import results_lock\n"
            f"with results_lock({str(out)!r}):\n    print('locked', flush=True)\n    time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert main(["bench", "smoke", "--out", str(out), "-q"]) == 2
        assert "another ganad bench" in capsys.readouterr().err
        assert not out.exists()
    finally:
        holder.kill()
        holder.wait()
    # the lock dies with its holder: the next driver runs
    assert main(["bench", "smoke", "--out", str(out), "-q", "--seeds", "1"]) == 0
