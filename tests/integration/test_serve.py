"""`ganad serve`: the real server in a subprocess on a free loopback port, spoken to over HTTP
(urllib): scores equal the library's, every error path, a bounded concurrent load."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

import ganad
from ganad.cli import main

COLUMNS = ["a", "b", "c", "d"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(url: str, body: bytes | None = None, content_type: str = "application/json"):
    req = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    rng = np.random.default_rng(0)
    train = pd.DataFrame(rng.uniform(size=(300, 4)), columns=COLUMNS)
    train.to_csv(tmp / "train.csv", index=False)
    model = tmp / "model"
    assert (
        main(["fit", "aae", str(tmp / "train.csv"), "--preset", "smoke", "--out", str(model), "-q"])
        == 0
    )
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ganad.cli",
            "serve",
            str(model),
            "--port",
            str(port),
            "--max-rows",
            "1000",
            "--max-body-mb",
            "0.5",
            "-q",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if _request(url + "/health")[0] == 200:
                break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError(proc.stderr.read().decode())
    yield url, model, train
    proc.terminate()
    proc.wait(timeout=10)


def _library_scores(model, frame: pd.DataFrame) -> np.ndarray:
    """The loaded pipeline's scores of the raw rows (what the service must return)."""
    return ganad.load(model).decision_function(frame)


def test_health_and_metadata(served):
    url, _, _ = served
    assert _request(url + "/health") == (200, {"status": "ok"})
    status, meta = _request(url + "/metadata")
    assert status == 200 and meta["detector"] == "aae" and meta["features"] == COLUMNS
    assert isinstance(meta["threshold"], float)


def test_scores_equal_the_librarys_for_objects_arrays_and_csv(served):
    url, model, train = served
    frame = train.iloc[:20]
    expected = _library_scores(model, frame)
    objects = json.dumps({"rows": frame.to_dict(orient="records")}).encode()
    arrays = json.dumps({"rows": frame.to_numpy().tolist()}).encode()
    csv = frame.to_csv(index=False).encode()
    for body, ctype in (
        (objects, "application/json"),
        (arrays, "application/json"),
        (csv, "text/csv"),
    ):
        status, out = _request(url + "/score", body, ctype)
        assert status == 200
        np.testing.assert_allclose(out["scores"], expected, rtol=1e-12)
        det = ganad.load(model)
        assert out["labels"] == (expected > det.threshold_).astype(int).tolist()


@pytest.mark.parametrize(
    ("body", "ctype", "status", "words"),
    [
        (b"{not json", "application/json", 400, "not valid JSON"),
        (b'{"rows": []}', "application/json", 422, '"rows"'),
        (b'{"rows": [{"a": 1, "b": 2, "x": 3, "y": 4}]}', "application/json", 422, "['c', 'd']"),
        (
            b'{"rows": [{"a": "x", "b": 2, "c": 3, "d": 4}]}',
            "application/json",
            422,
            "not a number",
        ),
        (
            b'{"rows": [{"a": null, "b": 2, "c": 3, "d": 4}]}',
            "application/json",
            422,
            "missing value",
        ),
        (b'{"rows": [[1, 2], [1, 2, 3]]}', "application/json", 422, "lengths"),
        (b'{"rows": [[' + b"9" * 5000 + b"]]}", "application/json", 400, "not valid JSON"),
        (json.dumps({"rows": [list(range(500))]}).encode(), "application/json", 422, "fields"),
        (json.dumps({"rows": [[0.1] * 4] * 1001}).encode(), "application/json", 413, "1000"),
    ],
)
def test_error_paths(served, body, ctype, status, words):
    url, _, _ = served
    got, out = _request(url + "/score", body, ctype)
    assert got == status, out
    assert words in out["detail"]
    assert "Traceback" not in json.dumps(out)


def test_bounded_concurrent_load_has_no_errors(served):
    url, _, train = served
    body = json.dumps({"rows": train.iloc[:5].to_numpy().tolist()}).encode()

    def one(_):
        return _request(url + "/score", body)[0]

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(one, range(2000)))
    assert statuses.count(200) == 2000


def test_serve_binds_loopback_by_default():
    from ganad.cli import build_parser

    args = build_parser().parse_args(["serve", "m"])
    assert args.host == "127.0.0.1"


def test_serve_refuses_a_missing_model_with_exit_2(tmp_path, capsys):
    assert main(["serve", str(tmp_path / "nope")]) == 2


def test_a_body_over_the_limit_is_413_before_it_is_read(served):
    """Declared larger than --max-body-mb (0.5 MiB here): refused from the headers alone, so
    the client sends no body at all (a raw socket, as a client with Expect: 100-continue)."""
    url, _, _ = served
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
            b"Content-Length: 10000000\r\n\r\n"
        )
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 413")
    assert b"at most" in reply and b"Traceback" not in reply


def test_metadata_of_a_model_thresholded_at_a_false_positive_rate(tmp_path):
    from ganad.serve.app import ScoringModel

    rng = np.random.default_rng(1)
    pd.DataFrame(rng.uniform(size=(200, 4)), columns=COLUMNS).to_csv(
        tmp_path / "t.csv", index=False
    )
    model = tmp_path / "m"
    argv = ["fit", "dte_np", str(tmp_path / "t.csv"), "--fpr", "0.02", "--out", str(model), "-q"]
    assert main(argv) == 0
    meta = ScoringModel.load(model).metadata()
    assert meta["contamination"] is None and meta["fpr"] == 0.02
    assert meta["threshold_source"] == "training"
